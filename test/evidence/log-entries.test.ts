import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { checkLogEntries } from '../../src/evidence/check-log.js';
import type { EvidenceIndex, LogEntryFile } from '../../src/evidence/index.js';
import { TRUSTED_ROOT_PATH, WITNESSES_PATH } from '../../src/evidence/index.js';
import { emptyTrustedRoot } from '../../src/sign/index.js';
import {
  cosignatureSigner,
  ed25519NoteSigner,
  encodeBase64,
  formatCosignatureVerifierKey,
  leafHash,
  MerkleTree,
  signCheckpoint,
  trustedRootTlogEntry,
} from '../../src/tlog/index.js';

const ORIGIN = 'log.example/custody';
const enc = new TextEncoder();

/**
 * A three-entry log whose checkpoint the log signs and `cosigners` cosign, laid out as an
 * evidence archive holds it, with `listed` as the archive's witnesses.
 */
function archive(o: { cosigners: number; listed: number; tamperProof?: boolean }) {
  const log = generateKeyPairSync('ed25519');
  const witnesses = Array.from({ length: Math.max(o.cosigners, o.listed) }, (_, i) => ({
    name: `witness-${i}.example`,
    key: generateKeyPairSync('ed25519'),
  }));
  const bodies = ['a', 'b', 'c'].map((s) => enc.encode(`entry ${s}`));
  const tree = new MerkleTree();
  for (const b of bodies) tree.append(leafHash(b));
  const note = signCheckpoint({ origin: ORIGIN, size: 3, rootHash: tree.root(), extensions: [] }, [
    ed25519NoteSigner(ORIGIN, log.privateKey),
    ...witnesses
      .slice(0, o.cosigners)
      .map((w) => cosignatureSigner(w.name, w.key.privateKey, () => 1_800_000_000)),
  ]);
  const hashes = tree.inclusionProof(1, 3).map((h) => Buffer.from(h).toString('hex'));
  if (o.tamperProof)
    hashes[0] = (hashes[0] as string).replace(/^./, (c) => (c === '0' ? '1' : '0'));
  const entry: LogEntryFile = {
    index: 1,
    kind: 'test',
    body: encodeBase64(bodies[1] as Uint8Array),
    leafHash: Buffer.from(leafHash(bodies[1] as Uint8Array)).toString('hex'),
    integratedTime: 1_800_000_000,
    inclusionProof: { treeSize: 3, rootHash: Buffer.from(tree.root()).toString('hex'), hashes },
  };
  const root = emptyTrustedRoot();
  root.tlogs.push(trustedRootTlogEntry(log.publicKey, `https://${ORIGIN}`, new Date(0), ORIGIN));
  const files = new Map<string, Uint8Array>([
    ['tlog/entries/1.json', enc.encode(JSON.stringify(entry))],
    ['tlog/checkpoints/3.txt', enc.encode(note)],
    [
      WITNESSES_PATH,
      enc.encode(
        JSON.stringify(
          witnesses.slice(0, o.listed).map((w) => ({
            url: `https://${w.name}`,
            vkey: formatCosignatureVerifierKey(w.name, w.key.publicKey),
          })),
        ),
      ),
    ],
    [TRUSTED_ROOT_PATH, enc.encode(JSON.stringify(root))],
  ]);
  const index: EvidenceIndex = {
    bundles: [],
    logEntries: [{ path: 'tlog/entries/1.json', checkpoint: 'tlog/checkpoints/3.txt' }],
  };
  return { files, index, root: files.get(TRUSTED_ROOT_PATH) };
}

describe('log entries of an evidence archive', () => {
  it('verify up to a checkpoint the log signed, counting the witnesses that cosigned', () => {
    const a = archive({ cosigners: 2, listed: 3 });
    const [c] = checkLogEntries(a.files, a.index, a.root);
    assert.ok(c?.ok, c?.detail);
    assert.match(
      c?.detail ?? '',
      /included in log\.example\/custody at size 3; checkpoint signed by the log; 2 of 3 witnesses cosigned \(witness-0\.example, witness-1\.example\)/,
    );
  });

  it('fail when the proof does not reach the checkpoint', () => {
    const a = archive({ cosigners: 1, listed: 1, tamperProof: true });
    const [c] = checkLogEntries(a.files, a.index, a.root);
    assert.equal(c?.ok, false);
    assert.match(c?.detail ?? '', /does not reach the root of checkpoint 3/);
  });

  it('fail under a trusted root without the log', () => {
    const a = archive({ cosigners: 0, listed: 0 });
    const other = enc.encode(JSON.stringify(emptyTrustedRoot()));
    const [c] = checkLogEntries(a.files, a.index, other);
    assert.equal(c?.ok, false);
    assert.match(c?.detail ?? '', /the trusted root has no log "log\.example\/custody"/);
    assert.ok(c?.remedy);
  });
});
