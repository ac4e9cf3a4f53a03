/**
 * The autosaved draft: every change reaches the host's draft file a moment later, so a crash of the
 * app or the browser loses nothing, and the draft an earlier session left is offered once at launch.
 */
import type { Draft } from '../../../src-shared/api';
import type { Host } from '../host/host';
import type { Project } from './project.svelte';
import { errorText } from './session.svelte';

/** Quiet time after a change before it is written; typing a name is one write, not one per key. */
export const AUTOSAVE_MS = 400;

export class DraftKeeper {
  /** The draft to offer, until it is restored or declined. */
  offered = $state<Draft | null>(null);

  constructor(
    private readonly host: Host,
    private readonly project: Project,
    private readonly onerror: (text: string) => void,
  ) {}

  /** Asks the host for a draft left by an earlier session; a damaged one is reported, not thrown. */
  async check(): Promise<void> {
    try {
      const reading = await this.host.api.readDraft({});
      this.offered = reading.draft;
      if (reading.problem !== undefined) this.onerror(reading.problem);
    } catch (error) {
      this.onerror(errorText(error));
    }
  }

  /**
   * Schedules the write of the project as it is now, if it has unsaved changes; returns the cancel.
   * Called from an effect, it reads the project so that every change schedules a new write.
   */
  schedule(): (() => void) | undefined {
    const file = this.project.toFile();
    const name = this.project.name;
    if (!this.project.dirty) return undefined;
    const timer = setTimeout(() => {
      this.host.api.saveDraft({ name, project: file }).catch((error) => this.onerror(`Autosave failed: ${errorText(error)}`));
    }, AUTOSAVE_MS);
    return () => clearTimeout(timer);
  }

  /** The project was saved, replaced or started over: the draft is not needed. */
  forget(): void {
    this.offered = null;
    this.host.api.discardDraft({}).catch((error) => this.onerror(errorText(error)));
  }

  restore(): void {
    if (this.offered === null) return;
    this.project.load(this.offered.project, this.offered.name);
    // A restored draft is not saved anywhere yet.
    this.project.editor.revision += 1;
    this.offered = null;
  }

  decline(): void {
    // Unsaved edits made since launch have been autosaved over the offered draft: that is the draft now.
    if (!this.project.dirty) this.forget();
    this.offered = null;
  }
}
