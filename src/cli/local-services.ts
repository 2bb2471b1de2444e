import type { openServices } from '../app/services.js';
import { type CliIO, settingsOf } from './io.js';

/** What the commands that work on the data directory get: the services, without the log. */
export type LocalServices = Awaited<ReturnType<typeof openServices>>;

/**
 * Run `f` on the services of the data directory (`--data-dir`, CUSTODY_DATA_DIR, `./.custody`) or
 * CUSTODY_DATABASE_URL, and close them afterwards. The services load on first use, so the
 * commands that register with this file cost nothing at start-up.
 */
export async function withLocalServices(
  io: CliIO,
  dataDir: string | undefined,
  f: (s: LocalServices) => Promise<void>,
): Promise<void> {
  const { resolve } = await import('node:path');
  const { openServices } = await import('../app/services.js');
  const s = await openServices({
    dataDir: resolve(io.cwd, dataDir ?? settingsOf(io).dataDir ?? '.custody'),
    databaseUrl: settingsOf(io).databaseUrl,
    blobDir: settingsOf(io).blobDir,
    tlog: false,
  });
  try {
    await f(s);
  } finally {
    await s.close();
  }
}
