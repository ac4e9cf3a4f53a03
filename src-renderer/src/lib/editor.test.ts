import { describe, expect, it } from 'vitest';
import { ModelEditor } from './editor.svelte';

/** A clock the test moves by hand, so coalescing is decided by elapsed time, not by how fast the test runs. */
function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('ModelEditor undo', () => {
  it('makes quick edits of one option one undo step, and a pause or another option a new one', () => {
    const time = clock();
    const editor = new ModelEditor(time.now);
    const lstm = editor.add('LSTM');
    editor.setOption(lstm.id, 'units', 1);
    time.advance(200);
    editor.setOption(lstm.id, 'units', 12);
    time.advance(200);
    editor.setOption(lstm.id, 'units', 128);
    time.advance(5000);
    editor.setOption(lstm.id, 'units', 64);
    time.advance(100);
    editor.setOption(lstm.id, 'dropout', 0.2);

    editor.undo();
    expect(editor.layers[0]!.options).toMatchObject({ units: 64, dropout: 0 });
    editor.undo();
    expect(editor.layers[0]!.options.units).toBe(128);
    editor.undo();
    expect(editor.layers[0]!.options.units).toBe(32);
    editor.undo();
    expect(editor.layers).toEqual([]);
    expect(editor.canUndo).toBe(false);
    editor.redo();
    editor.redo();
    expect(editor.layers[0]!.options.units).toBe(128);
  });
});
