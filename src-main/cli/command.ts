/** One `rnn-workbench <name>` command. */
export interface Command {
  /** One line for `--help`. */
  summary: string;
  /** Full usage text for `rnn-workbench <name> --help`. */
  usage: string;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}

/** An error the user caused: printed as one line on stderr, exit code 1, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
