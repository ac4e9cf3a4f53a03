import { describe, expect, it } from 'vitest';
import { parseRequest } from './api';
import { exportFormatInfo, exportFormats, formatForExtension } from './export-formats';

describe('export formats, declared once', () => {
  it('an extension implies its format, anything else a tfjs folder', () => {
    expect(['.zip', '.h5', '.hdf5', '.keras', '.json', ''].map(formatForExtension)).toEqual(['zip', 'keras-h5', 'keras-h5', 'keras', 'tfjs', 'tfjs']);
  });

  it("the API's enum is the list: every format passes, another is refused by listing them", () => {
    for (const format of exportFormats) expect(parseRequest('exportRun', { runId: 'r', out: '/o', format }).format).toBe(format);
    expect(() => parseRequest('exportRun', { runId: 'r', out: '/o', format: 'onnx' })).toThrow("exportRun: format must be one of 'tfjs', 'zip', 'keras-h5', 'keras', 'python', 'torch-job'. Received: 'onnx'");
  });

  it('a format that writes a file has an extension to recognise it by', () => {
    for (const format of exportFormats) expect(exportFormatInfo[format].writes === 'file').toBe(exportFormatInfo[format].extensions.length > 0);
  });
});
