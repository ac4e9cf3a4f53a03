/**
 * The open project: its model (with history), its data and training settings in the shared project
 * format, where it was saved, and the unsaved-changes flag.
 */
import type { Project as ProjectFile } from '../../../src-shared/project';
import { ModelEditor } from './editor.svelte';
import { emptyProject } from './project-file';

export class Project {
  /** Shown in the title bar; the saved file's name without `.json`. */
  name = $state('Untitled');
  /** Where the desktop host saved or opened it, so Save writes back there. */
  path = $state<string | undefined>();
  readonly editor = new ModelEditor();
  data = $state<ProjectFile['data']>(emptyProject().data);
  training = $state<ProjectFile['training']>(emptyProject().training);
  #savedSettings = $state(JSON.stringify({ data: emptyProject().data, training: emptyProject().training }));
  readonly #settings = $derived(JSON.stringify({ data: this.data, training: this.training }));
  readonly dirty = $derived(this.editor.dirty || this.#settings !== this.#savedSettings);

  constructor() {
    // The Embedding's input follows the data settings.
    $effect.root(() => {
      $effect(() => {
        this.editor.dataset = { maxFeatures: this.data.options.maxFeatures, maxlen: this.data.options.maxlen };
      });
    });
  }

  toFile(): ProjectFile {
    return $state.snapshot({ version: 1 as const, layers: this.editor.layers, data: this.data, training: this.training }) as ProjectFile;
  }

  load(file: ProjectFile, name: string, path?: string): void {
    this.name = name;
    this.path = path;
    this.data = file.data;
    this.training = file.training;
    this.editor.reset(file.layers);
    this.markSaved();
  }

  clear(): void {
    this.load(emptyProject(), 'Untitled');
  }

  markSaved(): void {
    this.editor.markSaved();
    this.#savedSettings = this.#settings;
  }
}
