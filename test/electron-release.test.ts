// The release build's hardening that lives in config and source rather than in a running app: Electron fuses
// in electron-builder.yml, the window loaded from app:// and never file://, and a CSP without inline script.
// The packaged-build describe in test/e2e/electron.test.ts checks the fuses' effect on a real binary.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import type { Configuration } from 'electron-builder';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { APP_ORIGIN, WINDOW_CONTENT_SECURITY_POLICY } from '../src-main/electron/security';
import { contentSecurityPolicy } from '../src-main/platform/content-security-policy';
import { repoRoot } from './support/serve';

const config = load(readFileSync(path.join(repoRoot, 'electron-builder.yml'), 'utf8')) as Configuration;

/** The directive's source list, or undefined when the policy leaves it to default-src. */
function directive(policy: string, name: string): string[] | undefined {
  const found = policy.split(';').map((part) => part.trim().split(/\s+/)).find(([directiveName]) => directiveName === name);
  return found?.slice(1);
}

describe('electron-builder release config', () => {
  // electron-builder's own schema check (app-builder-lib and builder-util come with electron-builder), so a
  // misspelt option fails here rather than in `npm run dist` on a release machine.
  it("passes electron-builder's configuration schema", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('sets the Electron fuses: no Node mode, no NODE_OPTIONS, no inspector, asar only and integrity-checked', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      // The UI comes from app://, so pages on file:// need none of their legacy extra privileges.
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs the app into an asar, which onlyLoadAppFromAsar requires', () => {
    expect(config.asar ?? true).not.toBe(false);
  });
});

describe('desktop window source', () => {
  const electronDir = path.join(repoRoot, 'src-main/electron');
  const sources = readdirSync(electronDir)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .map((name) => ({ name, text: readFileSync(path.join(electronDir, name), 'utf8') }));

  it('loads windows from app://workbench/, never with loadFile or a file:// URL', () => {
    const loads = sources.flatMap(({ name, text }) => [...text.matchAll(/\.(loadURL|loadFile)\(([^)]*)\)/g)].map((match) => ({ name, method: match[1], argument: match[2] })));
    expect(loads.length).toBeGreaterThan(0);
    for (const load of loads) {
      expect(load, `${load.name}: ${load.method}(${load.argument})`).toMatchObject({ method: 'loadURL' });
      expect(load.argument, `${load.name}: ${load.method}(${load.argument})`).toMatch(/^`\$\{APP_ORIGIN\}\//);
    }
    expect(APP_ORIGIN).toBe('app://workbench');
  });
});

describe('Content-Security-Policy', () => {
  // The desktop window and the web mode (with its WebSocket source) share one policy builder.
  for (const [host, policy] of [
    ['desktop', WINDOW_CONTENT_SECURITY_POLICY],
    ['web', contentSecurityPolicy(['ws://127.0.0.1:1234'])],
  ] as const) {
    it(`${host}: scripts only from the app itself, no inline script or eval`, () => {
      const scripts = directive(policy, 'script-src');
      expect(scripts, policy).toBeDefined();
      expect(scripts).toContain("'self'");
      expect(scripts).not.toContain("'unsafe-inline'");
      expect(scripts).not.toContain("'unsafe-eval'");
      expect(scripts).not.toContain('*');
      expect(directive(policy, 'object-src')).toEqual(["'none'"]);
    });
  }

  it('reads directives by name, so a script-src hidden elsewhere in the policy is not missed', () => {
    expect(directive("default-src 'self'; script-src 'self' 'unsafe-inline'", 'script-src')).toContain("'unsafe-inline'");
    expect(directive("default-src 'self'", 'script-src')).toBeUndefined();
  });
});
