/**
 * The user's settings: `<dataDir>/settings.json`, written atomically. A missing or damaged file reads
 * as the defaults, so a bad file never blocks a launch; the next change writes a good one.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { settingsSchema, type Settings } from '../../src-shared/settings';
import { writeFileAtomic } from '../platform/atomic-file';

export const SETTINGS_FILE = 'settings.json';

export class SettingsStore {
  readonly file: string;
  readonly #dataDir: string;
  /** Changes run one at a time, each on the result of the last, so none is lost. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.#dataDir = dataDir;
    this.file = path.join(dataDir, SETTINGS_FILE);
  }

  async read(): Promise<Settings> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return settingsSchema.parse({});
    }
    try {
      return settingsSchema.parse(JSON.parse(text));
    } catch {
      return settingsSchema.parse({});
    }
  }

  /** Merges a validated change into the stored settings and returns them. */
  save(change: Partial<Settings>): Promise<Settings> {
    const result = this.#queue.then(async () => {
      const next = settingsSchema.parse({ ...(await this.read()), ...change });
      await mkdir(this.#dataDir, { recursive: true });
      await writeFileAtomic(this.file, JSON.stringify(next, null, 2) + '\n');
      return next;
    });
    this.#queue = result.catch(() => undefined);
    return result;
  }
}
