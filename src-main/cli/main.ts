import { oneLine, WorkbenchError } from '../../src-shared/errors';
import { appVersion } from '../platform/app-version';
import { bench } from './commands/bench';
import { data } from './commands/data';
import { evaluate } from './commands/evaluate';
import { explain } from './commands/explain';
import { exportCommand } from './commands/export';
import { importCommand } from './commands/import';
import { predict } from './commands/predict';
import { serve } from './commands/serve';
import { summary } from './commands/summary';
import { train } from './commands/train';
import { tune } from './commands/tune';
import { UsageError, type Command } from './command';

// The bin names the package's folder (and, running the bundle, the bundle's) through these before `main` runs.
export { useBundledEntries } from '../platform/entry-points';
export { usePackageRoot } from '../platform/package-root';

/** The command table, in the order of a user's work: adding a command is one line here plus its file in `commands/`. */
const commands: Record<string, Command> = {
  summary,
  data,
  train,
  tune,
  evaluate,
  predict,
  explain,
  export: exportCommand,
  import: importCommand,
  bench,
  serve,
};

function help(): string {
  const width = Math.max(0, ...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return [
    'Usage: rnn-workbench <command> [options]',
    '',
    'Build, train and export recurrent sentiment models on IMDb data, headless.',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  --help     Show help (also after a command: rnn-workbench train --help)',
    '  --version  Print the version',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n');
    return 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(appVersion + '\n');
    return 0;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`rnn-workbench: unknown command '${name}'. Expected one of: ${Object.keys(commands).join(', ')}.\n`);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    // parseArgs reports unknown or malformed options as TypeErrors with an ERR_PARSE_ARGS_* code.
    const parseArgsError = (error as { code?: unknown }).code?.toString().startsWith('ERR_PARSE_ARGS') === true;
    if (error instanceof UsageError || error instanceof WorkbenchError || parseArgsError) {
      process.stderr.write(`rnn-workbench ${name}: ${oneLine((error as Error).message)}\n`);
      return 1;
    }
    throw error;
  }
}
