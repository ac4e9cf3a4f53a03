import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { createElectronHost } from './host/electron-host';
import type { Host } from './host/host';
import { createWebHost } from './host/web-host';
import BootError from './BootError.svelte';
import { theme } from './lib/theme.svelte';

// The one place that decides where the UI runs.
async function boot(): Promise<Host> {
  return window.workbench !== undefined ? createElectronHost(window.workbench) : createWebHost(window.location);
}

// The OS's theme until the settings arrive, so the first paint is already in the right colours.
theme.follow();
const target = document.getElementById('app')!;
boot().then(
  (host) => mount(App, { target, props: { host } }),
  (error: unknown) => mount(BootError, { target, props: { message: error instanceof Error ? error.message : String(error) } }),
);
