import { describe, expect, it } from 'vitest';
import { WorkbenchError } from './errors';
import { summarize } from './model/summary';
import { createProject, parseProject, PROJECT_VERSION, serializeProject } from './project';

describe('project file', () => {
  it('round-trips through its file text', () => {
    const project = createProject();
    const text = serializeProject(project);
    expect(text.endsWith('\n')).toBe(true);
    expect(parseProject(text, 'a.json')).toEqual(project);
    expect(project.version).toBe(PROJECT_VERSION);
    expect(summarize(project.layers).totalParams).toBe(322_113);
  });

  it('fills data and training defaults for a minimal file', () => {
    const project = parseProject({ version: 1, layers: [] });
    expect(project.data).toEqual({ path: null, options: { maxFeatures: 10000, maxlen: 500 } });
    expect(project.training.epochs).toBe(10);
    expect(project.training.batchSize).toBe(128);
  });

  it('keeps half-edited option values for validation to report', () => {
    const project = parseProject({ version: 1, layers: [{ id: 'x', kind: 'LSTM', options: { units: 0 } }] });
    expect(project.layers[0]!.options).toEqual({ units: 0 });
  });

  it.each([
    ['{bad', /^f\.json must be a JSON project file\. Received: invalid JSON/],
    ['[1]', /^f\.json must be a project object \{version, layers, data, training\}\. Received: \[1\]$/],
    ['{"layers": []}', /^f\.json: version must be a positive integer \(this app writes 1\)\. Received: nothing$/],
    ['{"version": 7, "layers": []}', /^f\.json was saved by a newer RNN Workbench \(project version 7\); this one reads up to version 1\. Update/],
    ['{"version": 1, "layers": "x"}', /^f\.json: layers must be a list of layers\. Received: 'x'$/],
    ['{"version": 1, "layers": [{"id": "a", "kind": 3}]}', /^f\.json: layers\.0\.kind must be a layer kind such as "LSTM"\. Received: 3$/],
    ['{"version": 1, "layers": [], "extra": 1}', /^f\.json: project has no field 'extra'\. Received: \{"extra":1\}$/],
    ['{"version": 1, "layers": [], "training": {"epochs": -1}}', /^f\.json: training\.epochs must be a positive integer of at most 10,000\. Received: -1$/],
  ])('refuses %s with a clear message', (text, message) => {
    let caught: unknown;
    try {
      parseProject(text, 'f.json');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(WorkbenchError);
    expect((caught as WorkbenchError).code).toBe('bad_input');
    expect((caught as Error).message).toMatch(message);
  });
});
