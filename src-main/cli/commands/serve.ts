import { existsSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../../platform/package-root';
import { resolveDataDir } from '../../platform/paths';
import { UploadStore } from '../../services/upload-store';
import { createWorkbench } from '../../services/workbench';
import { DEFAULT_PORT, startWebServer } from '../../server/web-server';
import { parseFlags } from '../flags';
import { UsageError, type Command } from '../command';

export const serve: Command = {
  summary: 'Serve the app in your browser on 127.0.0.1 (token-protected)',
  usage: [
    'Usage: rnn-workbench serve [--port N]',
    '',
    'Serves the workbench UI and API on 127.0.0.1 and prints a URL carrying a per-launch access token.',
    '',
    `  --port N   Port to listen on (default ${DEFAULT_PORT}, falling back to a free port when taken; 0 picks a free port)`,
    '',
    'Build the UI first with `npm run build:web` (`npm run serve` does both).',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags({ args: argv, options: { port: { type: 'string' } }, strict: true });
    const port = values.port === undefined ? 'default' : parsePort(values.port);
    const rendererDir = path.join(packageRoot(), 'out/renderer');
    if (!existsSync(rendererDir)) throw new UsageError(`The UI is not built: expected ${rendererDir}. Run \`npm run serve\` (or \`npm run build:web\` first).`);
    const dataDir = resolveDataDir();
    const workbench = createWorkbench({ dataDir, host: 'web' });
    const log = { warn: (m: string) => process.stderr.write(`warn: ${m}\n`), error: (m: string) => process.stderr.write(`error: ${m}\n`) };
    const server = await startWebServer({ port, rendererDir, api: workbench, log, uploads: new UploadStore(dataDir) });
    process.stdout.write(`RNN Workbench is serving on http://127.0.0.1:${server.port}\nOpen: ${server.url}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await workbench.dispose();
    return 0;
  },
};

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535. Received: ${text}`);
  return port;
}
