/**
 * Reading a run folder or an export folder as a model to run: the layers to rebuild it from and the
 * tokenizer it was trained with, every field checked.
 */
import path from 'node:path';
import { WorkbenchError } from '../../src-shared/errors';
import { MAX_FILE_BYTES } from '../../src-shared/limits';
import type { LayerSpec } from '../../src-shared/model/types';
import type { Project } from '../../src-shared/project';
import type { RunRecord } from '../../src-shared/training';
import { parseTokenizerFile } from '../export/tokenizer-file';
import { TOKENIZER_FILE, readRunFolder, type RunTokenizer } from '../runs/run-store';
import { readRegularText } from '../platform/bounded-file';
import { requireBuildable } from './buildable';

/** The layers to rebuild a run folder's model from, or undefined for an export (its model.json is self-contained). */
export async function layersOf(modelDir: string): Promise<{ layers: LayerSpec[] | undefined; record: RunRecord | undefined }> {
  return readRunFolder(modelDir).then(
    (record) => ({ layers: (record.project as Project).layers, record }),
    (error: unknown) => {
      // A folder without run.json (an export) holds a self-contained model.json instead.
      if (error instanceof WorkbenchError && error.code === 'not_found') return { layers: undefined, record: undefined };
      throw error;
    },
  );
}

/** The run or export folder's `tokenizer.json`, every field checked. */
export async function readModelTokenizer(modelDir: string): Promise<RunTokenizer> {
  const file = path.join(modelDir, TOKENIZER_FILE);
  return parseTokenizerFile(await readRegularText(file, { what: 'the tokenizer the model was trained with', maxBytes: MAX_FILE_BYTES.vocabulary }), file);
}

/**
 * The layers and tokenizer of a run or export folder whose model is to read typed text, refusing a
 * model opened from a Keras file without its word index.
 */
export async function textModelOf(modelDir: string): Promise<{ layers: LayerSpec[] | undefined; tokenizer: RunTokenizer }> {
  const { layers, record } = await layersOf(modelDir);
  const tokenizer = await readModelTokenizer(modelDir);
  if (layers !== undefined) requireBuildable(layers, { maxlen: tokenizer.maxlen }, { purpose: 'inference', batchSize: 1 });
  if (record?.imported !== undefined && tokenizer.words === null) {
    throw new WorkbenchError(
      'bad_input',
      `${record.name} was imported from ${record.imported.file} without a tokenizer, so it cannot read typed text: expected its word index (imdb_word_index.json or a Tokenizer.to_json() file) attached on import. Received: no tokenizer`,
    );
  }
  return { layers, tokenizer };
}
