import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { openCheckpoint } from '../../src/tlog/checkpoint.js';
import { leafHash, MerkleTree } from '../../src/tlog/index.js';
import { parseVerifierKey } from '../../src/tlog/note.js';
import { decodeEntryBundle, TILE_WIDTH } from '../../src/tlog/tiles.js';
import { serveProcess } from './serve-process.js';

/**
 * The log's crash drill: run `custody serve` as a child process, append from concurrent clients,
 * SIGKILL it at a random moment, restart, and check that every acknowledged entry and every
 * checkpoint ever returned survived. Used by the test (20 rounds) and `npm run bench -- tlog-crash`.
 */

export type { Served } from './serve-process.js';

/** `custody serve` with the per-client append limit off (the drill's clients share an address). */
export function serve(dataDir: string, env: Record<string, string> = {}, nodeArgs: string[] = []) {
  return serveProcess(dataDir, { CUSTODY_TLOG_RATE: '0', ...env }, nodeArgs);
}

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();

function entryFor(artifact: string) {
  return {
    kind: 'hashedrekord',
    digest: `sha256:${createHash('sha256').update(artifact).digest('hex')}`,
    signature: sign('sha256', Buffer.from(artifact), privateKey).toString('base64'),
    publicKey: publicPem,
  };
}

export interface DrillState {
  /** leaf hash (hex) → index, for every acknowledged append */
  acked: Map<string, number>;
  /** every signed checkpoint a client was given */
  checkpoints: Set<string>;
  vkey?: string;
  origin?: string;
}

export interface RoundReport {
  acked: number;
  size: number;
  checkpointsChecked: number;
}

/** Append from `clients` loops until the server dies; record what was acknowledged. */
async function load(
  url: string,
  state: DrillState,
  clients: number,
  round: number,
): Promise<number> {
  let acked = 0;
  let stop = false;
  const loop = async (c: number) => {
    for (let i = 0; !stop; i++) {
      const body = JSON.stringify(
        entryFor(`round ${round} client ${c} entry ${i} ${Math.random()}`),
      );
      let res: Response;
      try {
        res = await fetch(`${url}/api/v1/tlog/entries`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
      } catch {
        stop = true;
        return;
      }
      if (res.status !== 201 && res.status !== 200) {
        await res.text().catch(() => '');
        if (res.status >= 500 || res.status === 503) continue;
        throw new Error(`append answered ${res.status}`);
      }
      let e: { index: number; leafHash: string; inclusionProof: { checkpoint: string } };
      try {
        e = (await res.json()) as typeof e;
      } catch {
        // The body was cut off by the kill: not an acknowledgement the client could rely on.
        stop = true;
        return;
      }
      state.acked.set(e.leafHash, e.index);
      state.checkpoints.add(e.inclusionProof.checkpoint);
      acked += 1;
    }
  };
  await Promise.all(Array.from({ length: clients }, (_, c) => loop(c)));
  return acked;
}

/** Everything the restarted log serves must agree with everything it ever acknowledged. */
export async function checkLog(
  url: string,
  state: DrillState,
): Promise<{ size: number; checkpoints: number }> {
  const info = (await (await fetch(`${url}/api/v1/tlog`)).json()) as {
    vkey: string;
    origin: string;
  };
  state.vkey ??= info.vkey;
  state.origin ??= info.origin;
  if (info.vkey !== state.vkey) throw new Error('the log key changed across a restart');
  const verifier = parseVerifierKey(state.vkey);
  const note = await (await fetch(`${url}/tlog/checkpoint`)).text();
  const { checkpoint } = openCheckpoint(note, state.origin as string, [verifier]);
  // Rebuild the whole tree from the entry bundles: a mirror's view of the log.
  const tree = new MerkleTree();
  for (let n = 0; n * TILE_WIDTH < checkpoint.size; n++) {
    const width = Math.min(TILE_WIDTH, checkpoint.size - n * TILE_WIDTH);
    const path =
      width === TILE_WIDTH
        ? `${String(n).padStart(3, '0')}`
        : `${String(n).padStart(3, '0')}.p/${width}`;
    if (n >= 1000) throw new Error('the drill log grew beyond what this checker paths');
    const res = await fetch(`${url}/tlog/tile/entries/${path}`);
    if (res.status !== 200) throw new Error(`entry bundle ${path}: ${res.status}`);
    for (const body of decodeEntryBundle(new Uint8Array(await res.arrayBuffer())))
      tree.append(leafHash(body));
  }
  if (tree.size !== checkpoint.size)
    throw new Error(`entry bundles hold ${tree.size}, checkpoint says ${checkpoint.size}`);
  if (Buffer.compare(tree.root(), checkpoint.rootHash) !== 0)
    throw new Error('the entries do not produce the checkpoint root');
  for (const [hex, index] of state.acked) {
    if (index >= tree.size)
      throw new Error(`acknowledged entry ${index} is missing (log has ${tree.size})`);
    if (Buffer.from(tree.hashAt(0, index)).toString('hex') !== hex)
      throw new Error(`acknowledged entry ${index} holds another leaf`);
  }
  let checked = 0;
  for (const n of state.checkpoints) {
    const cp = openCheckpoint(n, state.origin as string, [verifier]).checkpoint;
    if (cp.size > tree.size)
      throw new Error(
        `a returned checkpoint of size ${cp.size} is ahead of the log (${tree.size})`,
      );
    if (Buffer.compare(tree.root(cp.size), cp.rootHash) !== 0)
      throw new Error(
        `the log is not consistent with the checkpoint it returned at size ${cp.size}`,
      );
    checked += 1;
  }
  return { size: tree.size, checkpoints: checked };
}

/** One round: start, check, load, kill at a random moment. */
export async function crashRound(
  dataDir: string,
  state: DrillState,
  round: number,
  o: { clients: number; maxRunMs: number; env?: Record<string, string> },
): Promise<RoundReport> {
  const s = await serve(dataDir, o.env);
  try {
    const before = await checkLog(s.url, state);
    const loading = load(s.url, state, o.clients, round);
    await new Promise((r) => setTimeout(r, 20 + Math.random() * o.maxRunMs));
    s.child.kill('SIGKILL');
    await s.exit;
    const acked = await loading;
    return { acked, size: before.size, checkpointsChecked: before.checkpoints };
  } finally {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  }
}
