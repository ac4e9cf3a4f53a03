import { describe, expect, it } from 'vitest';
import { shortcutOf } from './shortcuts';

const press = (key: string, extra: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; typing: boolean }> = {}) => ({ key, ctrlKey: true, metaKey: false, shiftKey: false, typing: false, ...extra });

describe('shortcutOf', () => {
  it('maps Ctrl/⌘ with S, O, Z, Shift+Z and Y', () => {
    expect(shortcutOf(press('s'))).toBe('save');
    expect(shortcutOf(press('O', { ctrlKey: false, metaKey: true }))).toBe('open');
    expect(shortcutOf(press('z'))).toBe('undo');
    expect(shortcutOf(press('Z', { shiftKey: true }))).toBe('redo');
    expect(shortcutOf(press('y'))).toBe('redo');
  });

  it('leaves undo and redo to a text field that has focus, but still saves from it', () => {
    expect(shortcutOf(press('z', { typing: true }))).toBeUndefined();
    expect(shortcutOf(press('y', { typing: true }))).toBeUndefined();
    expect(shortcutOf(press('s', { typing: true }))).toBe('save');
  });

  it('ignores keys without Ctrl or ⌘', () => {
    expect(shortcutOf(press('z', { ctrlKey: false }))).toBeUndefined();
    expect(shortcutOf(press('x'))).toBeUndefined();
  });
});
