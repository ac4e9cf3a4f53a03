/** Number flags parsed the same way by every command, with the house-style message on bad input. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './command';

/** An integer above zero, e.g. `--maxlen 500`. */
export function parsePositiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer. Received: ${text}`);
  return n;
}

/** An integer from 0 to 2^31 - 1, e.g. a seed. */
export function parseNonNegativeInt(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n > 2 ** 31 - 1) throw new UsageError(`${flag} must be an integer from 0 to ${2 ** 31 - 1}. Received: ${text}`);
  return n;
}

/** A finite number above zero, e.g. a learning rate. */
export function parsePositiveNumber(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number. Received: ${text}`);
  return n;
}

/** A share: `0 < F < 1`, or `0 ≤ F < 1` when zero is allowed. */
export function parseFraction(flag: string, text: string, allowZero = false): number {
  const n = Number(text);
  const ok = text.trim() !== '' && (allowZero ? n >= 0 : n > 0) && n < 1;
  if (!ok) throw new UsageError(`${flag} must be a number from ${allowZero ? '0 (inclusive)' : '0 (exclusive)'} to 1 (exclusive). Received: ${text}`);
  return n;
}

/** A token that reads as a negative number: `-5`, `-0.5`, `-1e3`. */
const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * `util.parseArgs` with one difference: a negative number after a string option is that option's value
 * (`--maxlen -5` is `--maxlen=-5`), so it reaches the option's own check ("maxlen must be a positive
 * integer. Received: -5") instead of the parser's "argument is ambiguous".
 */
export function parseFlags<T extends ParseArgsConfig>(config: T & { args: string[] }): ReturnType<typeof parseArgs<T>> {
  const options = config.options ?? {};
  const args: string[] = [];
  for (let i = 0; i < config.args.length; i++) {
    const token = config.args[i]!;
    const next = config.args[i + 1];
    const name = token.startsWith('--') ? token.slice(2) : undefined;
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      args.push(`${token}=${next}`);
      i++;
    } else {
      args.push(token);
    }
  }
  return parseArgs<T>({ ...config, args });
}
