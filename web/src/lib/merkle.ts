// RFC 6962 §2.1 (RFC 9162 §2.1.3.2) inclusion proofs, checked in the page with WebCrypto: the
// page does not take the service's word that an entry is in the log.

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const buf = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    buf.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
}

const LEAF = new Uint8Array([0]);
const NODE = new Uint8Array([1]);

export const leafHash = (leaf: Uint8Array) => sha256(LEAF, leaf);
export const nodeHash = (l: Uint8Array, r: Uint8Array) => sha256(NODE, l, r);

/** The root the audit path reaches from leaf `index` of a tree of `size`, or null if it cannot. */
export async function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  path: Uint8Array[],
): Promise<Uint8Array | null> {
  if (!(index >= 0 && index < size)) return null;
  let fn = index;
  let sn = size - 1;
  let r = await leafHash(leaf);
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/** base64 or hex (the log's API speaks base64; some proofs carry hex). */
export function decodeHash(s: string): Uint8Array {
  if (/^[0-9a-f]{64}$/i.test(s))
    return Uint8Array.from(s.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Origin, size and root of a C2SP signed note (tlog-checkpoint), and who signed it. */
export function parseCheckpoint(note: string): {
  origin: string;
  size: number;
  root: Uint8Array;
  signers: string[];
} | null {
  const [body, sigs = ''] = note.split('\n\n');
  const lines = (body ?? '').split('\n');
  if (lines.length < 3 || !/^\d+$/.test(lines[1] ?? '')) return null;
  const signers = sigs
    .split('\n')
    .map((l) => /^— (\S+) /.exec(l)?.[1])
    .filter((x): x is string => x !== undefined);
  return {
    origin: lines[0] as string,
    size: Number(lines[1]),
    root: decodeHash(lines[2] as string),
    signers,
  };
}

export type ProofResult = { ok: true } | { ok: false; why: string };

/** Checks an entry against its proof and the checkpoint: same size, same root, path reaches it. */
export async function checkInclusion(e: {
  logIndex: number;
  leaf: string;
  proof: { treeSize: number; rootHash: string; hashes: string[] };
  checkpoint: string;
}): Promise<ProofResult> {
  const cp = parseCheckpoint(e.checkpoint);
  if (!cp) return { ok: false, why: 'the checkpoint cannot be read' };
  if (cp.size !== e.proof.treeSize)
    return {
      ok: false,
      why: `the proof is for size ${e.proof.treeSize}, the checkpoint is ${cp.size}`,
    };
  const root = await rootFromInclusionProof(
    e.logIndex,
    e.proof.treeSize,
    Uint8Array.from(atob(e.leaf), (c) => c.charCodeAt(0)),
    e.proof.hashes.map(decodeHash),
  );
  if (!root) return { ok: false, why: 'the audit path does not fit the index and size' };
  if (!sameBytes(root, cp.root))
    return { ok: false, why: 'the path reaches another root than the checkpoint’s' };
  return { ok: true };
}
