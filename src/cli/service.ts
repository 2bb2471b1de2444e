import type { Command } from 'commander';
import { type CustodyClient, connectToService } from '../app/remote.js';
import { CustodyError } from '../core/index.js';
import { type CliIO, settingsOf } from './io.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export interface ServiceFlags {
  url?: string;
  token?: string;
}

/** The options every command that talks to a running service takes. */
export function withServiceOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', `Custody service URL (env CUSTODY_URL, default ${DEFAULT_URL})`)
    .option('--token <token>', 'API token (env CUSTODY_TOKEN)');
}

/** @throws CustodyError USAGE when no token is given */
export function clientFor(o: ServiceFlags, io: CliIO): CustodyClient {
  const token = o.token ?? settingsOf(io).token;
  if (!token) {
    throw new CustodyError(
      'USAGE',
      'No API token: pass --token or set CUSTODY_TOKEN (custody token create --role publisher makes one)',
    );
  }
  return connectToService({ url: o.url ?? settingsOf(io).url ?? DEFAULT_URL, token });
}
