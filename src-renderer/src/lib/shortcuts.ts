/** The app's keyboard shortcuts, decided apart from the DOM so they can be read (and tested) in one place. */

export type Shortcut = 'save' | 'open' | 'undo' | 'redo';

/** What a key press needs for the decision: the key, its modifiers, and whether focus is in a text field. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  /** Focus is in a field that takes text: its own undo applies there, not the model's. */
  typing: boolean;
}

export function isTyping(target: EventTarget | null): boolean {
  return typeof HTMLElement !== 'undefined' && target instanceof HTMLElement && (target.matches('input, textarea, select') || target.isContentEditable);
}

/** The shortcut a key press asks for, if any. Ctrl on Linux and Windows, ⌘ on macOS. */
export function shortcutOf(press: KeyPress): Shortcut | undefined {
  if (!press.ctrlKey && !press.metaKey) return undefined;
  const key = press.key.toLowerCase();
  if (key === 's') return 'save';
  if (key === 'o') return 'open';
  if (press.typing) return undefined;
  if (key === 'z') return press.shiftKey ? 'redo' : 'undo';
  if (key === 'y') return 'redo';
  return undefined;
}
