import { TlogClient } from '../../net/tlog-client.js';
import type { LogFetcher } from '../../tlog/index.js';
import { parseVerifierKey, TlogError } from '../../tlog/index.js';
import type { Since } from './archive.js';
import type { LogIdentity } from './follow.js';

/**
 * A log followed over HTTP: where the network client (src/net) is wired to the follower's port,
 * and Custody's own list of signed checkpoints beside its tiles.
 */

/** The tlog-tiles log at `url` (its tlog prefix). */
export function remoteLog(url: string): LogFetcher {
  return new TlogClient({ url });
}

/**
 * The log a follower trusts, from its verifier key; the origin defaults to the key's name.
 * @throws TlogError TLOG_KEY_INVALID
 */
export function logIdentity(vkey: string, origin?: string): LogIdentity {
  const verifier = parseVerifierKey(vkey);
  return { origin: origin ?? verifier.name, verifiers: [verifier] };
}

/**
 * Custody's list of every signed checkpoint, beside the tiles: `<base>/tlog/` has it at
 * `<base>/api/v1/tlog/checkpoints`. Another log (404) is archived by its current checkpoint.
 */
export function custodyCheckpointList(
  prefix: string,
): (since: Since) => Promise<string[] | undefined> {
  return async (since) => {
    const client = new TlogClient({ url: prefix });
    const notes: string[] = [];
    let sinceSize = since.kind === 'size' ? since.size : 0;
    for (;;) {
      const q = new URLSearchParams({ sinceSize: String(sinceSize), limit: '10000' });
      if (since.kind === 'date') q.set('since', since.date.toISOString());
      let page: { checkpoints?: { size: number; note: string }[] };
      try {
        const body = await client.readPath(`../api/v1/tlog/checkpoints?${q}`, 64 << 20);
        page = JSON.parse(Buffer.from(body).toString('utf8'));
      } catch (e) {
        if (e instanceof TlogError && e.details?.['status'] === 404) return undefined;
        if (e instanceof SyntaxError) return undefined;
        throw e;
      }
      const rows = page.checkpoints ?? [];
      notes.push(...rows.map((r) => r.note));
      const last = rows[rows.length - 1];
      if (rows.length < 10000 || last === undefined) return notes;
      sinceSize = last.size + 1;
    }
  };
}
