/** The autosaved draft: the project as it was after the last change, kept until saved or discarded. */
import { parseProject, projectSchema, type Project as ProjectFile } from '../../../src-shared/project';

const DRAFT_KEY = 'rnn-workbench:draft';

export interface Draft {
  savedAt: string;
  /** The project's title when the draft was written. */
  name: string;
  project: ProjectFile;
}

export function writeDraft(storage: Storage, name: string, project: ProjectFile): void {
  try {
    storage.setItem(DRAFT_KEY, JSON.stringify({ savedAt: new Date().toISOString(), name, project } satisfies Draft));
  } catch {
    // A full or disabled storage only loses the crash safety net, not the work on screen.
  }
}

/** The stored draft, or null when there is none or it no longer reads as a project. */
export function readDraft(storage: Storage): Draft | null {
  try {
    const text = storage.getItem(DRAFT_KEY);
    if (text === null) return null;
    const draft = JSON.parse(text) as Draft;
    return { savedAt: String(draft.savedAt), name: String(draft.name), project: parseProject(draft.project, 'draft') };
  } catch {
    return null;
  }
}

export function clearDraft(storage: Storage): void {
  storage.removeItem(DRAFT_KEY);
}

/** An empty project with default data and training settings. */
export function emptyProject(): ProjectFile {
  return projectSchema.parse({ version: 1, layers: [] });
}
