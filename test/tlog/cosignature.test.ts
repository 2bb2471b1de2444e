import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatCheckpoint, signCheckpoint } from '../../src/tlog/checkpoint.js';
import {
  COSIGNATURE_V1_SIZE,
  cosignatureSigner,
  cosignatureTime,
  cosignatureVerifier,
  formatCosignatureVerifierKey,
} from '../../src/tlog/cosignature.js';
import { TlogError } from '../../src/tlog/errors.js';
import {
  cosignedMessage,
  ed25519NoteSigner,
  formatNote,
  noteVerifierFor,
  openNote,
  parseNote,
  parseVerifierKey,
  signNote,
} from '../../src/tlog/note.js';
import { conformancePath } from '../helpers/conformance.js';
import { expectCustodyError } from '../helpers/expect-error.js';

const SPEC = readFileSync(conformancePath('c2sp', 'tlog-cosignature.md'), 'utf8');
/** The spec's cosigned checkpoint (first fenced block). */
const EXAMPLE = (/^```\n([\s\S]*?)^```$/m.exec(SPEC) as RegExpExecArray)[1] as string;
/** The spec's example of the Ed25519 signed message (an indented block). */
const MESSAGE = (
  (/^ {4}cosignature\/v1\n(?: {4}.*\n)+/m.exec(SPEC) as RegExpExecArray)[0] as string
)
  .split('\n')
  .map((l) => l.slice(4))
  .join('\n');

const checkpoint = {
  origin: 'example.com/log',
  size: 10,
  rootHash: new Uint8Array(32).fill(3),
  extensions: [],
};

describe('tlog-cosignature spec example', () => {
  const note = parseNote(EXAMPLE);
  const witness = note.signatures.find((s) => s.name === 'witness.example.com/w1');

  it('has a log signature and a 0x04 cosignature', () => {
    assert.equal(note.signatures.length, 2);
    assert.ok(witness);
    assert.equal(witness.signature.length, COSIGNATURE_V1_SIZE);
  });

  it('the cosignature’s timestamp is the one of the example message', () => {
    assert.ok(witness);
    assert.equal(cosignatureTime(witness), 1679315147);
    assert.match(MESSAGE, /^cosignature\/v1\ntime 1679315147\n/);
  });

  it('the signed message is header, time line, then the checkpoint text', () => {
    const bytes = cosignedMessage(1679315147n, new TextEncoder().encode(note.text));
    assert.equal(new TextDecoder().decode(bytes), MESSAGE);
  });

  it('a log signature (64 bytes) is not a cosignature', () => {
    const log = note.signatures[0];
    assert.ok(log);
    expectCustodyError(() => cosignatureTime(log), TlogError, 'TLOG_NOTE_MALFORMED');
  });
});

describe('cosignatureSigner / cosignatureVerifier', () => {
  const keys = generateKeyPairSync('ed25519');
  const now = () => 1_700_000_000;
  const signer = cosignatureSigner('witness.example/w1', keys.privateKey, now);
  const verifier = cosignatureVerifier('witness.example/w1', keys.publicKey);

  it('key ID = SHA-256(name || \\n || 0x04 || key)[:4], unlike the 0x01 key ID', () => {
    const raw = keys.publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    const digest = createHash('sha256')
      .update(Buffer.concat([Buffer.from('witness.example/w1\n\x04', 'latin1'), raw]))
      .digest();
    assert.equal(signer.keyId, digest.readUInt32BE(0));
    assert.equal(verifier.keyId, signer.keyId);
    assert.notEqual(noteVerifierFor('witness.example/w1', keys.publicKey).keyId, signer.keyId);
  });

  it('cosigns a checkpoint: timestamp, then Ed25519 over the cosigned message', () => {
    const note = signCheckpoint(checkpoint, [signer]);
    const { note: opened, verifiedBy } = openNote(note, [verifier]);
    assert.deepEqual(verifiedBy, [verifier]);
    const sig = opened.signatures[0];
    assert.ok(sig);
    assert.equal(sig.signature.length, 72);
    assert.equal(cosignatureTime(sig), 1_700_000_000);
  });

  it('covers extension lines', () => {
    const text = formatCheckpoint({ ...checkpoint, extensions: ['ext'] });
    const note = signNote(text, [signer]);
    const tampered = note.replace('\next\n', '\nexu\n');
    expectCustodyError(() => openNote(tampered, [verifier]), TlogError, 'TLOG_NOTE_UNVERIFIED');
  });

  it('a changed timestamp breaks the signature', () => {
    const note = parseNote(signCheckpoint(checkpoint, [signer]));
    const sig = note.signatures[0];
    assert.ok(sig);
    (sig.signature[7] as number) ^= 1;
    expectCustodyError(
      () => openNote(formatNote(note), [verifier]),
      TlogError,
      'TLOG_NOTE_UNVERIFIED',
    );
  });

  it('a timestamp above 2^63 - 1 never verifies', () => {
    const big = new Uint8Array(72);
    big[0] = 0x80;
    assert.equal(verifier.verify(new Uint8Array(), big), false);
    expectCustodyError(
      () => cosignatureTime({ name: 'w', keyId: 0, signature: big }),
      TlogError,
      'TLOG_NOTE_MALFORMED',
    );
  });

  it('signatures of the wrong length do not verify', () => {
    for (const n of [0, 8, 64, 71, 73]) {
      assert.equal(verifier.verify(new Uint8Array(), new Uint8Array(n)), false);
    }
  });

  it('a plain Ed25519 note signature does not pass as a cosignature, nor the reverse', () => {
    const plain = ed25519NoteSigner('witness.example/w1', keys.privateKey);
    // Same name, other key ID: each verifier ignores the other's line.
    expectCustodyError(
      () => openNote(signNote('t\n', [plain]), [verifier]),
      TlogError,
      'TLOG_NOTE_UNVERIFIED',
    );
    const plainVerifier = noteVerifierFor('witness.example/w1', keys.publicKey);
    expectCustodyError(
      () => openNote(signNote('t\n', [signer]), [plainVerifier]),
      TlogError,
      'TLOG_NOTE_UNVERIFIED',
    );
  });

  it('vkeys of type 0x04 round-trip', () => {
    const vkey = formatCosignatureVerifierKey('witness.example/w1', keys.publicKey);
    assert.match(vkey, /^witness\.example\/w1\+[0-9a-f]{8}\+B/);
    const parsed = parseVerifierKey(vkey);
    assert.equal(parsed.keyId, signer.keyId);
    assert.equal(openNote(signCheckpoint(checkpoint, [signer]), [parsed]).verifiedBy.length, 1);
  });

  it('any clock reading that fits round-trips through cosignatureTime', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (t) => {
        const s = cosignatureSigner('w', keys.privateKey, () => t);
        const sig = s.sign(new Uint8Array());
        assert.equal(cosignatureTime({ name: 'w', keyId: s.keyId, signature: sig }), t);
      }),
      { numRuns: 50 },
    );
  });

  it('refuses clock readings the format cannot carry', () => {
    for (const t of [-1, 1.5, Number.NaN, 2 ** 53]) {
      const s = cosignatureSigner('w', keys.privateKey, () => t);
      expectCustodyError(() => s.sign(new Uint8Array()), TlogError, 'TLOG_NOTE_MALFORMED');
    }
  });

  it('refuses bad names and keys', () => {
    expectCustodyError(
      () => cosignatureSigner('a b', keys.privateKey, now),
      TlogError,
      'TLOG_KEY_INVALID',
    );
    expectCustodyError(
      () => cosignatureSigner('a', keys.publicKey, now),
      TlogError,
      'TLOG_KEY_INVALID',
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expectCustodyError(
      () => cosignatureSigner('a', ec.privateKey, now),
      TlogError,
      'TLOG_KEY_INVALID',
    );
    expectCustodyError(() => cosignatureVerifier('a', ec.publicKey), TlogError, 'TLOG_KEY_INVALID');
    expectCustodyError(
      () => cosignatureVerifier('', keys.publicKey),
      TlogError,
      'TLOG_KEY_INVALID',
    );
  });
});
