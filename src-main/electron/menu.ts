import { Menu, type MenuItemConstructorOptions } from 'electron';

/** The application menu: the platform's standard roles plus the app's own commands. */
export function buildMenu(actions: { newWindow: () => void }): void {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [{ label: 'New Window', accelerator: 'CmdOrCtrl+Shift+N', click: actions.newWindow }, { type: 'separator' }, { role: process.platform === 'darwin' ? 'close' : 'quit' }],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
