// A build-time constant: the bundler inlines package.json's version, and tsx reads it from the source tree,
// so no module looks for package.json at run time relative to where it was built to (the bundle moves it).
import packageJson from '../../package.json' with { type: 'json' };

/** The app's version, from package.json. */
export const appVersion: string = packageJson.version;
