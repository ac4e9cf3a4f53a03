/** Where the main side reports what it refused or what failed: the console in the CLI and web server, a log in the desktop app. */
export interface Logger {
  warn(message: string): void;
  error(message: string): void;
}
