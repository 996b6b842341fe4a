import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { SHORTCUTS } from '../../src-main/ipc/shortcuts';
import { appMenuTemplate } from '../../src-main/shell/app-menu';

type Item = MenuItemConstructorOptions;

function actions() {
  return { navigate: vi.fn(), back: vi.fn(), forward: vi.fn() };
}

/** The menu as text: "Top > Entry (accelerator)", roles as "[role]". */
function outline(template: Item[]): string[] {
  return template.flatMap((top) =>
    (top.submenu as Item[]).map((item) => `${top.label} > ${item.type === 'separator' ? '—' : (item.label ?? `[${item.role}]`)}${item.accelerator ? ` (${item.accelerator})` : ''}`),
  );
}

describe('application menu (pure)', () => {
  it('offers the main actions on Linux and Windows: File, Edit, View, Help', () => {
    const template = appMenuTemplate(actions(), { platform: 'linux', appName: 'Keydesk', devTools: false });
    expect(outline(template)).toEqual([
      'File > Add Credentials… (CmdOrCtrl+N)',
      'File > Add Account… (CmdOrCtrl+Shift+N)',
      'File > Import… (CmdOrCtrl+I)',
      'File > —',
      'File > [quit]',
      'Edit > [undo]',
      'Edit > [redo]',
      'Edit > —',
      'Edit > [cut]',
      'Edit > [copy]',
      'Edit > [paste]',
      'Edit > [selectAll]',
      'View > Credentials (CmdOrCtrl+1)',
      'View > Accounts (CmdOrCtrl+2)',
      'View > Buckets (CmdOrCtrl+3)',
      'View > —',
      'View > Back (Alt+Left)',
      'View > Forward (Alt+Right)',
      'View > —',
      'View > [reload] (CmdOrCtrl+R)',
      'View > —',
      'View > [resetZoom]',
      'View > [zoomIn]',
      'View > [zoomOut]',
      'View > —',
      'View > [togglefullscreen]',
      'Help > Keyboard Shortcuts (CmdOrCtrl+/)',
      'Help > —',
      'Help > About Keydesk',
    ]);
  });

  it('sends each screen and Help entry as a navigation main checks the renderer can follow', () => {
    const spy = actions();
    const template = appMenuTemplate(spy, { platform: 'linux', appName: 'Keydesk', devTools: true });
    const click = (top: string, label: string) => ((template.find((t) => t.label === top)!.submenu as Item[]).find((i) => i.label === label)!.click as () => void)();
    click('File', 'Add Credentials…');
    click('File', 'Add Account…');
    click('File', 'Import…');
    click('View', 'Credentials');
    click('View', 'Buckets');
    click('Help', 'About Keydesk');
    click('View', 'Back');
    expect(spy.navigate.mock.calls.map(([target]) => target)).toEqual([
      { view: 'add-credential' },
      { view: 'add-account' },
      { view: 'import' },
      { view: 'credentials' },
      { view: 'browse' },
      { view: 'about' },
    ]);
    expect(spy.back).toHaveBeenCalledOnce();
    expect(outline(template)).toContain('View > [toggleDevTools]');
  });

  it('follows macOS conventions: an app menu with About and Quit, Close in File', () => {
    const template = appMenuTemplate(actions(), { platform: 'darwin', appName: 'Keydesk', devTools: false });
    expect(template.map((t) => t.label)).toEqual(['Keydesk', 'File', 'Edit', 'View', 'Help']);
    expect(outline(template)).toEqual(expect.arrayContaining(['Keydesk > About Keydesk', 'Keydesk > [quit]', 'File > [close]']));
    expect(outline(template)).not.toContain('Help > About Keydesk');
  });

  it('takes every accelerator from the shortcuts registry, so the shortcuts sheet lists them', () => {
    const listed = new Set(SHORTCUTS.flatMap((s) => s.keys));
    const accelerators = appMenuTemplate(actions(), { platform: 'linux', appName: 'Keydesk', devTools: false }).flatMap((top) =>
      (top.submenu as Item[]).map((item) => item.accelerator).filter((a): a is string => !!a),
    );
    expect(accelerators.length).toBeGreaterThan(8);
    for (const accelerator of accelerators) expect(listed, accelerator).toContain(accelerator);
  });
});
