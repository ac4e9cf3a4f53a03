/**
 * One way to turn a failed zod parse into the house style, `<field> must be <phrase>. Received: <value>`,
 * for layer options, training and data options, API requests and project files alike. Schemas carry
 * the phrase that completes "… must be": `z.number({ error: 'a positive integer' })`.
 */
import type { z } from 'zod';

/** Shows a received value in a message: strings quoted, objects as JSON. */
export function formatReceived(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `'${value}'`;
  return JSON.stringify(value) ?? String(value);
}

/** The value at `path` inside `input`, or undefined when the path leaves it. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** One failed field: its dotted path and the message to show. */
export interface FieldProblem {
  /** Dotted path of the field (`optimizer.learningRate`); an unknown key's path ends with that key. */
  field: string;
  message: string;
}

/**
 * The house-style message of one zod issue.
 *
 * Args:
 *   issue: one issue of a failed parse.
 *   input: what was parsed, to quote the received value.
 *   subject: who owns the fields, named when the issue is about the whole input (`LSTM`, `training`).
 *   noun: what an unknown key is called (`option`, `field`).
 */
export function issueMessage(issue: z.core.$ZodIssue, input: unknown, subject: string, noun = 'option'): FieldProblem {
  const path = issue.path.map(String).join('.');
  const at = valueAt(input, issue.path);
  const received = formatReceived(at);
  if (issue.code === 'unrecognized_keys') {
    const where = path === '' ? subject : `${subject} ${path}`;
    // Quote only the unknown keys, not the whole object around them (a project file).
    const unknown = Object.fromEntries(issue.keys.map((key) => [key, (at as Record<string, unknown>)[key]]));
    return {
      field: [path, issue.keys[0]].filter((part) => part !== '').join('.'),
      message: `${where} has no ${noun} ${issue.keys.map((key) => `'${key}'`).join(', ')}. Received: ${formatReceived(unknown)}`,
    };
  }
  const name = path === '' ? `${subject} ${noun}s` : path;
  // Our schemas phrase errors as what is expected, in lower case ("a positive integer"); zod's own
  // defaults are capitalised sentences ("Invalid input: …") and are quoted as they are.
  if (/^[A-Z]/.test(issue.message)) return { field: path, message: `${name}: ${issue.message}. Received: ${received}` };
  return { field: path, message: `${name} must be ${issue.message}. Received: ${received}` };
}
