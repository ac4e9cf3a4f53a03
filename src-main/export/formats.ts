/** Export formats and the shapes of an export request and its result; no heavy imports. */
import path from 'node:path';
import { WorkbenchError } from '../../src-shared/errors';
import type { WriteFileFn } from './atomic-output';

import { exportFormats, formatForExtension, isExportFormat, type ExportFormat } from '../../src-shared/export-formats';

export { exportFormats, type ExportFormat } from '../../src-shared/export-formats';

/** What to export and where. */
export interface ExportRequest {
  /** The run folder; or give `runId` and `dataDir`. */
  runDir?: string;
  runId?: string;
  /** The app's data folder, whose `runs/` holds `runId`; when given, `out` must also stay outside `runs/`. */
  dataDir?: string;
  /** The folder (tfjs, python, torch-job) or file (zip, keras-h5, keras) to create. */
  out: string;
  /** Default: from `out`'s extension (`.zip`, `.h5`, `.keras`), else `tfjs`. */
  format?: ExportFormat;
  /** Replace an existing `out`. Default false. */
  force?: boolean;
  /** How files are written (tests inject a full disk). */
  writeFile?: WriteFileFn;
}

export interface ExportResult {
  out: string;
  format: ExportFormat;
  /** The files written, relative to `out` for folders. */
  files: string[];
  bytes: number;
}

/** The format `out` implies, or the one asked for after checking it. */
export function resolveFormat(out: string, format?: string): ExportFormat {
  if (format !== undefined) {
    if (!isExportFormat(format)) {
      throw new WorkbenchError('invalid_request', `format must be one of ${exportFormats.join(', ')}. Received: ${JSON.stringify(format)}`);
    }
    return format;
  }
  return formatForExtension(path.extname(out).toLowerCase());
}
