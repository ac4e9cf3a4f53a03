/**
 * A CSV of reviews and labels (for example the popular `review,sentiment` file with 50,000 rows), parsed by
 * csv-parse: quoted multi-line fields, a UTF-8 BOM, CRLF, UTF-16 with a BOM, `,` `;` or tab delimiters.
 * The text and label columns are guessed (or chosen); labels map to 0/1; a `split` column, if present,
 * says train/test, else a fixed-seed share of rows is held out as test.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TextDecoder } from 'node:util';
import { CsvError, parse } from 'csv-parse';
import type { DatasetOptions } from '../../../src-shared/data';
import { DATASET_SHUFFLE_SEED } from '../../../src-shared/tokenizer';
import { WorkbenchError } from '../../../src-shared/errors';
import { summarizeList } from '../../../src-shared/limits';
import { openRegularFile, openRegularStream, UNBOUNDED } from '../../platform/bounded-file';
import { RandomState } from '../random-state';
import type { ScannedTexts } from '../keras-text';
import { badFile, type RawReview, type ReadContext, type TextSource } from './types';

type CsvOptions = NonNullable<DatasetOptions['csv']>;

const POSITIVE = new Set(['positive', 'pos', '1', '1.0', 'true', 'yes']);
const NEGATIVE = new Set(['negative', 'neg', '0', '0.0', 'false', 'no']);
const LABEL_NAMES = ['sentiment', 'label', 'labels', 'polarity', 'class', 'target', 'y'];
const TEXT_NAMES = ['review', 'text', 'reviews', 'sentence', 'content', 'comment', 'body'];
const SPLIT_NAMES = ['split', 'set', 'subset', 'partition'];
const LABEL_HINT = 'a column of positive/negative, pos/neg or 1/0';

function labelOf(value: string): 0 | 1 | null {
  const v = value.trim().toLowerCase();
  return POSITIVE.has(v) ? 1 : NEGATIVE.has(v) ? 0 : null;
}

/** Decodes UTF-16 input to strings for the parser; UTF-8 goes through as bytes (csv-parse strips its BOM). */
class Utf16Decoder extends Transform {
  private readonly decoder: TextDecoder;
  constructor(encoding: 'utf-16le' | 'utf-16be') {
    super({ readableObjectMode: false, decodeStrings: true, encoding: 'utf8' });
    this.decoder = new TextDecoder(encoding, { ignoreBOM: false });
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    callback(null, this.decoder.decode(chunk, { stream: true }));
  }
  override _flush(callback: TransformCallback): void {
    callback(null, this.decoder.decode());
  }
}

/** A CSV is streamed through the parser, whose record bound caps memory; its size alone is no reason to refuse. */
const CSV_FILE = { what: 'a CSV of reviews and labels', maxBytes: UNBOUNDED };

async function sniff(file: string): Promise<{ encoding: 'utf-8' | 'utf-16le' | 'utf-16be'; delimiter: string }> {
  const { handle } = await openRegularFile(file, CSV_FILE);
  const head = Buffer.alloc(64 * 1024);
  let bytesRead: number;
  try {
    ({ bytesRead } = await handle.read(head, 0, head.length, 0));
  } finally {
    await handle.close();
  }
  const bytes = head.subarray(0, bytesRead);
  const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
  const text = new TextDecoder(encoding).decode(bytes);
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const counts = [',', ';', '\t'].map((d) => ({ d, n: firstLine.split(d).length - 1 }));
  counts.sort((a, b) => b.n - a.n);
  return { encoding, delimiter: counts[0]!.n > 0 ? counts[0]!.d : ',' };
}

export async function readCsv(file: string, options: CsvOptions, ctx: ReadContext): Promise<TextSource> {
  const { encoding, delimiter } = await sniff(file);
  const rows: string[][] = [];
  let header: string[] | null = null;
  let bytes = 0;
  const input = await openRegularStream(file, { ...CSV_FILE, highWaterMark: 1 << 20, signal: ctx.signal });
  input.on('data', (chunk) => {
    bytes += chunk.length;
    ctx.onProgress({ phase: 'reading', files: rows.length, bytes });
  });
  const parser = parse({
    bom: true,
    delimiter,
    skip_empty_lines: true,
    relax_column_count: false,
    max_record_size: ctx.limits.maxReviewBytes,
  });
  parser.on('data', (record: string[]) => {
    if (header === null) header = record.map((h) => h.trim());
    else rows.push(record);
  });
  try {
    await pipeline(encoding === 'utf-8' ? [input, parser] : [input, new Utf16Decoder(encoding), parser]);
  } catch (error) {
    if (error instanceof WorkbenchError) throw error;
    const e = error as NodeJS.ErrnoException;
    if (e.name === 'AbortError') throw new WorkbenchError('cancelled', 'Opening the dataset was cancelled.');
    if (e.code === 'CSV_MAX_RECORD_SIZE') throw badFile(file, `expected CSV records of at most ${ctx.limits.maxReviewBytes} characters. Received: a longer one on line ${(error as { lines?: number }).lines ?? '?'}.`);
    if (error instanceof CsvError && e.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH') {
      // What a non-CSV text file (a log, /etc/passwd) usually trips over first: say what a reviews CSV looks like.
      const { record, lines } = error as CsvError & { record?: unknown[]; lines?: number };
      throw badFile(
        file,
        `expected a CSV of reviews and labels: a header row, then one review per row with as many comma-separated fields as the header. Received: ${record?.length ?? 'a different number of'} fields on line ${lines ?? '?'} under a header of ${(header as string[] | null)?.length ?? '?'}.`,
      );
    }
    // csv-parse's own messages quote the offending field; ours name the problem and the line only.
    if (error instanceof CsvError) throw badFile(file, `expected a well-formed CSV file. Received: ${describeCsvError(error)}.`);
    throw error;
  }
  if (header === null) throw badFile(file, `expected a CSV with a header row and reviews. Received: no rows.`);
  if (rows.length === 0) throw badFile(file, `expected review rows under the header. Received: only the header (${describeColumns(header as string[])}).`);
  const names: string[] = header;
  const columns = chooseColumns(file, names, rows, options);
  const source = splitRows(file, rows, columns, options, ctx.texts);
  source.csvColumns = { names, text: names[columns.text]!, label: names[columns.label]!, split: columns.split === null ? null : names[columns.split]! };
  return source;
}

interface Columns {
  text: number;
  label: number;
  split: number | null;
}

function columnIndex(file: string, header: string[], name: string, role: string): number {
  const i = header.findIndex((h) => h.toLowerCase() === name.toLowerCase());
  if (i < 0) throw badFile(file, `expected a ${role} column named ${JSON.stringify(name.slice(0, 40))}. Received: columns ${describeColumns(header)}.`);
  return i;
}

function distinct(rows: string[][], column: number, limit = 50): string[] {
  const seen = new Set<string>();
  for (const row of rows) {
    seen.add(row[column]!.trim().toLowerCase());
    if (seen.size > limit) break;
  }
  return [...seen];
}

function chooseColumns(file: string, header: string[], rows: string[][], options: CsvOptions): Columns {
  const lower = header.map((h) => h.toLowerCase());
  const splitColumn = lower.findIndex((h) => SPLIT_NAMES.includes(h));
  const split = splitColumn >= 0 && distinct(rows, splitColumn).every((v) => v === 'train' || v === 'test') ? splitColumn : null;

  let label: number;
  if (options.labelColumn !== undefined) {
    label = columnIndex(file, header, options.labelColumn, 'label');
  } else {
    const usable = header.map((_, i) => i).filter((i) => i !== split && distinct(rows, i, 2).length <= 2 && distinct(rows, i, 2).every((v) => labelOf(v) !== null));
    const named = usable.filter((i) => LABEL_NAMES.includes(lower[i]!));
    if (named.length === 1 || (named.length === 0 && usable.length === 1)) {
      label = named[0] ?? usable[0]!;
    } else if (usable.length > 1) {
      throw badFile(file, `expected one label column; several fit (${summarizeList(usable.map((i) => columnName(header, i)))}). Choose one (--label-column).`);
    } else {
      const namedAny = lower.findIndex((h) => LABEL_NAMES.includes(h));
      if (namedAny < 0) {
        throw badFile(file, `expected a label column (${LABEL_HINT}). Received: columns ${summarizeList(header.map((_, i) => `${columnName(header, i)} (${describeValues(distinct(rows, i, 3))})`), 5, 80)}.`);
      }
      label = namedAny;
    }
  }
  const classes = distinct(rows, label);
  if (classes.length > 2) {
    throw badFile(file, `expected two classes in label column ${columnName(header, label)}. Received: ${classes.length > 50 ? 'more than 50' : classes.length} classes (${describeValues(classes)}).`);
  }
  const unknown = classes.find((c) => labelOf(c) === null);
  if (unknown !== undefined) throw badFile(file, `expected label column ${columnName(header, label)} to be ${LABEL_HINT}. Received: ${describeValues([unknown])}.`);

  let text: number;
  if (options.textColumn !== undefined) {
    text = columnIndex(file, header, options.textColumn, 'text');
  } else {
    const named = lower.findIndex((h, i) => i !== label && TEXT_NAMES.includes(h));
    if (named >= 0) text = named;
    else {
      // Unnamed: the column with the longest text on average is the review.
      const sample = rows.slice(0, 1000);
      let best = -1;
      let bestLength = -1;
      header.forEach((_, i) => {
        if (i === label || i === split) return;
        const length = sample.reduce((sum, row) => sum + row[i]!.length, 0);
        if (length > bestLength) {
          best = i;
          bestLength = length;
        }
      });
      if (best < 0) throw badFile(file, `expected a text column beside the label column ${columnName(header, label)}. Received: columns ${describeColumns(header)}.`);
      text = best;
    }
  }
  if (text === label) throw badFile(file, `expected different text and label columns. Received: ${columnName(header, text)} for both.`);
  return { text, label, split };
}

/**
 * Messages about a CSV show its column names and cell values only as short excerpts that look like
 * names or labels (letters, digits, spaces, a little punctuation). Anything else, e.g. the lines of a
 * system file opened by mistake, is described by position, never quoted.
 */
const PLAIN_EXCERPT = /^[\p{L}\p{N} _.,'!?+-]{0,24}$/u;

function excerpt(value: string): string | null {
  const trimmed = value.trim();
  return PLAIN_EXCERPT.test(trimmed) ? JSON.stringify(trimmed) : null;
}

/** A column as a message names it: its header if that reads as a name, else its position. */
function columnName(header: string[], i: number): string {
  return excerpt(header[i]!) ?? `column ${i + 1}`;
}

/** Every column, summarised: a million-column header stays one short line. */
function describeColumns(header: string[]): string {
  return summarizeList(header.map((_, i) => columnName(header, i)));
}

/** `CSV_INVALID_CLOSING_QUOTE` on line 3 → "invalid closing quote on line 3". */
function describeCsvError(error: CsvError): string {
  const problem = error.code.replace(/^CSV_/, '').toLowerCase().replace(/_/g, ' ');
  const line = (error as CsvError & { lines?: number }).lines;
  return line === undefined ? problem : `${problem} on line ${line}`;
}

function describeValues(values: string[]): string {
  const shown = values.map(excerpt);
  const plain = shown.filter((v): v is string => v !== null);
  const hidden = shown.length - plain.length;
  const parts = [...plain.slice(0, 5), ...(hidden > 0 ? [`${hidden} value${hidden === 1 ? '' : 's'} not shown`] : [])];
  return parts.join(', ') + (plain.length > 5 ? ', …' : '');
}

function splitRows(file: string, rows: string[][], columns: Columns, options: CsvOptions, texts: ScannedTexts): TextSource {
  const reviews: RawReview[] = rows.map((row) => ({ row: texts.add(row[columns.text]!), label: labelOf(row[columns.label]!)!, rating: 0 }));
  let isTest: boolean[];
  if (columns.split !== null) {
    isTest = rows.map((row) => row[columns.split!]!.trim().toLowerCase() === 'test');
  } else {
    // Hold out a seeded random share (not the last rows: a file sorted by label would give one-class splits), keeping file order within each split.
    const testCount = Math.round(rows.length * (options.testSplit ?? 0.5));
    const order = new RandomState(DATASET_SHUFFLE_SEED).permutation(rows.length);
    isTest = new Array<boolean>(rows.length).fill(false);
    for (let i = rows.length - testCount; i < rows.length; i++) isTest[order[i]!] = true;
  }
  const train = reviews.filter((_, i) => !isTest[i]);
  const test = reviews.filter((_, i) => isTest[i]);
  const pos = train.filter((r) => r.label === 1).length;
  if (pos === 0 || pos === train.length) {
    throw badFile(file, `expected both classes among the training rows. Received: ${train.length} training rows, ${pos} positive.`);
  }
  return { kind: 'text', format: 'csv', texts, train, test };
}
