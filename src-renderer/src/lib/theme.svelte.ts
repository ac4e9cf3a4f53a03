/**
 * The colour theme: the user's choice (light, dark, or the system's), kept in the host's settings so
 * both hosts remember it, applied as `data-theme` on the document, which the stylesheet reads.
 */
import type { ThemeChoice } from '../../../src-shared/settings';

const systemDark = () => window.matchMedia('(prefers-color-scheme: dark)');

class Theme {
  choice = $state<ThemeChoice>('system');
  systemIsDark = $state(typeof window === 'undefined' ? false : systemDark().matches);
  /** The theme in effect, which charts draw with. */
  readonly dark = $derived(this.choice === 'dark' || (this.choice === 'system' && this.systemIsDark));

  /** Follows the system's theme while the choice is 'system', and applies every change; returns the stop. */
  follow(): () => void {
    const query = systemDark();
    const update = () => (this.systemIsDark = query.matches);
    query.addEventListener('change', update);
    const stop = $effect.root(() => {
      $effect(() => {
        document.documentElement.dataset.theme = this.dark ? 'dark' : 'light';
      });
    });
    return () => {
      query.removeEventListener('change', update);
      stop();
    };
  }
}

/** One theme for the window. */
export const theme = new Theme();
