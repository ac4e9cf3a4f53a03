/**
 * The installed package's folder, for the files the CLI reads at run time (the web UI's build, the PyTorch bench
 * script). The bin, the one file that never moves, names it at start: a bundled module cannot find them relative
 * to itself, since the bundler moves it (see STYLE.md).
 */
let root: string | undefined;

/** Called by the bin with the package's folder, before any command runs. */
export function usePackageRoot(dir: string): void {
  root = dir;
}

/** The package's folder the bin named; throws when no front end named one (a programming error, not a user's). */
export function packageRoot(): string {
  if (root === undefined) throw new Error('packageRoot() was called before the bin named the package folder (usePackageRoot).');
  return root;
}
