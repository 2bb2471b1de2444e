import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type Checkpoint,
  formatCheckpoint,
  openCheckpoint,
  parseCheckpoint,
  signCheckpoint,
} from '../../src/tlog/checkpoint.js';
import { cosignatureTime } from '../../src/tlog/cosignature.js';
import { TlogError } from '../../src/tlog/errors.js';
import {
  ed25519NoteSigner,
  hasControlCharacter,
  noteVerifierFor,
  parseNote,
} from '../../src/tlog/note.js';
import { conformancePath } from '../helpers/conformance.js';
import { expectCustodyError } from '../helpers/expect-error.js';

const SPEC = readFileSync(conformancePath('c2sp', 'tlog-checkpoint.md'), 'utf8');
const EXAMPLE = (/^```\n([\s\S]*?)^```$/m.exec(SPEC) as RegExpExecArray)[1] as string;

const root = (fill: number) => new Uint8Array(32).fill(fill);
const sample: Checkpoint = {
  origin: 'example.com/log42',
  size: 20852163,
  rootHash: root(7),
  extensions: [],
};

describe('tlog-checkpoint spec example', () => {
  it('parses', () => {
    const note = parseNote(EXAMPLE);
    const cp = parseCheckpoint(note.text);
    assert.equal(cp.origin, 'example.com/behind-the-sofa');
    assert.equal(cp.size, 20852163);
    assert.equal(
      Buffer.from(cp.rootHash).toString('base64'),
      'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=',
    );
    assert.deepEqual(cp.extensions, []);
    assert.equal(formatCheckpoint(cp), note.text);
    assert.equal(note.signatures[0]?.name, cp.origin);
  });
});

describe('formatCheckpoint / parseCheckpoint', () => {
  it('writes the three lines, then the extension lines', () => {
    const text = formatCheckpoint({ ...sample, extensions: ['Timestamp: 1689177396617352539'] });
    assert.equal(
      text,
      `example.com/log42\n20852163\n${Buffer.from(root(7)).toString('base64')}\nTimestamp: 1689177396617352539\n`,
    );
    assert.deepEqual(parseCheckpoint(text).extensions, ['Timestamp: 1689177396617352539']);
  });

  it('an empty tree has size "0"', () => {
    assert.equal(parseCheckpoint(formatCheckpoint({ ...sample, size: 0 })).size, 0);
  });

  it('round-trips any checkpoint', () => {
    const line = fc
      .string({ minLength: 1, maxLength: 40 })
      .filter((x) => !hasControlCharacter(x, false));
    fc.assert(
      fc.property(
        line,
        fc.maxSafeNat(),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(line, { maxLength: 3 }),
        (origin, size, rootHash, extensions) => {
          const cp = { origin, size, rootHash, extensions };
          assert.deepEqual(parseCheckpoint(formatCheckpoint(cp)), cp);
        },
      ),
    );
  });

  const b64 = Buffer.from(root(1)).toString('base64');
  const malformed: [string, string][] = [
    ['empty', ''],
    ['no final newline', `o\n1\n${b64}`],
    ['two lines', 'o\n1\n'],
    ['empty origin', `\n1\n${b64}\n`],
    ['leading zero size', `o\n01\n${b64}\n`],
    ['negative size', `o\n-1\n${b64}\n`],
    ['size with a plus', `o\n+1\n${b64}\n`],
    ['size with spaces', `o\n 1\n${b64}\n`],
    ['hex size', `o\n0x10\n${b64}\n`],
    ['size with an exponent', `o\n1e3\n${b64}\n`],
    ['size beyond 2^53', `o\n9007199254740993\n${b64}\n`],
    ['huge size', `o\n${'9'.repeat(30)}\n${b64}\n`],
    ['short root', `o\n1\n${Buffer.from(new Uint8Array(31)).toString('base64')}\n`],
    ['long root', `o\n1\n${Buffer.from(new Uint8Array(33)).toString('base64')}\n`],
    ['unpadded root', `o\n1\n${b64.replace(/=$/, '')}\n`],
    ['empty extension line', `o\n1\n${b64}\n\next\n`],
    ['trailing empty line', `o\n1\n${b64}\n\n`],
    ['carriage return', `o\r\n1\n${b64}\n`],
  ];
  for (const [desc, text] of malformed) {
    it(`rejects: ${desc}`, () => {
      expectCustodyError(() => parseCheckpoint(text), TlogError, 'TLOG_CHECKPOINT_MALFORMED');
    });
  }

  const refused: [string, Checkpoint][] = [
    ['an empty origin', { ...sample, origin: '' }],
    ['an origin with a newline', { ...sample, origin: 'a\nb' }],
    ['a fractional size', { ...sample, size: 1.5 }],
    ['a negative size', { ...sample, size: -1 }],
    ['an unsafe size', { ...sample, size: 2 ** 53 }],
    ['a short root', { ...sample, rootHash: new Uint8Array(31) }],
    ['an empty extension', { ...sample, extensions: [''] }],
  ];
  for (const [desc, cp] of refused) {
    it(`formatCheckpoint refuses ${desc}`, () => {
      expectCustodyError(() => formatCheckpoint(cp), TlogError, 'TLOG_CHECKPOINT_MALFORMED');
    });
  }

  it('arbitrary text parses or fails with TlogError', () => {
    const lineArb = fc.constantFrom(
      'o',
      '',
      '0',
      '1',
      '01',
      'AAAA',
      Buffer.from(root(1)).toString('base64'),
      '=',
      ' ',
      '\r',
    );
    const text = fc.array(lineArb, { maxLength: 6 }).map((l) => `${l.join('\n')}\n`);
    fc.assert(
      fc.property(fc.oneof(fc.string(), text), (s) => {
        try {
          parseCheckpoint(s);
        } catch (e) {
          assert.ok(e instanceof TlogError, String(e));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('signCheckpoint / openCheckpoint', () => {
  const log = generateKeyPairSync('ed25519');
  const signer = ed25519NoteSigner(sample.origin, log.privateKey);
  const verifier = noteVerifierFor(sample.origin, log.publicKey);

  it('opens what it signed', () => {
    const { checkpoint, note } = openCheckpoint(signCheckpoint(sample, [signer]), sample.origin, [
      verifier,
    ]);
    assert.deepEqual(checkpoint, sample);
    assert.equal(note.signatures.length, 1);
  });

  it('refuses a checkpoint of another origin, after verifying it', () => {
    const other = signCheckpoint({ ...sample, origin: 'example.com/other' }, [signer]);
    const e = expectCustodyError(
      () => openCheckpoint(other, sample.origin, [verifier]),
      TlogError,
      'TLOG_CHECKPOINT_ORIGIN_MISMATCH',
    );
    assert.deepEqual(e.details, { expected: sample.origin, found: 'example.com/other' });
  });

  it('refuses a signed note that is not a checkpoint', () => {
    const note = signCheckpoint(sample, [signer]).replace('20852163', '020852163');
    expectCustodyError(
      () => openCheckpoint(note, sample.origin, [verifier]),
      TlogError,
      'TLOG_NOTE_UNVERIFIED',
    );
  });

  it('does not read an unverified note', () => {
    const stranger = ed25519NoteSigner(sample.origin, generateKeyPairSync('ed25519').privateKey);
    const note = signCheckpoint({ ...sample, origin: 'x' }, [stranger]);
    expectCustodyError(
      () => openCheckpoint(note, sample.origin, [verifier]),
      TlogError,
      'TLOG_NOTE_UNVERIFIED',
    );
  });
});

/**
 * Real checkpoints: every Rekor checkpoint in the Sigstore conformance bundles and the production
 * bundles, verified with the log key of the case's trusted root (Rekor v1: ECDSA, type 0x02; Rekor
 * v2: Ed25519, type 0x01; both named after the log's host). Only these cases break the checkpoint
 * itself; the other `_fail` cases break something else of the bundle.
 */
describe('Sigstore checkpoints (conformance and production bundles)', () => {
  const SIGSTORE = conformancePath('sigstore');
  const broken: Record<string, string> = {
    'bundle-from-wrong-instance_fail': 'no log key',
    'checkpoint-wrong-roothash_fail': 'root mismatch',
    'invalid-checkpoint-signature_fail': 'TLOG_NOTE_UNVERIFIED',
    'rekor2-checkpoint-missing-log-signature_fail': 'TLOG_NOTE_MALFORMED',
    'rekor2-checkpoint-missing-origin_fail': 'TLOG_NOTE_UNVERIFIED',
    'rekor2-checkpoint-missing-size_fail': 'TLOG_NOTE_UNVERIFIED',
  };
  const cases: { name: string; bundle: string; trustedRoot: string }[] = [
    ...readdirSync(join(SIGSTORE, 'bundle-verify')).map((name) => {
      const dir = join(SIGSTORE, 'bundle-verify', name);
      const own = join(dir, 'trusted_root.json');
      return {
        name,
        bundle: join(dir, 'bundle.sigstore.json'),
        trustedRoot: existsSync(own) ? own : join(SIGSTORE, 'public-good', 'trusted_root.json'),
      };
    }),
    ...readdirSync(join(SIGSTORE, 'real-bundles')).map((name) => ({
      name,
      bundle: join(SIGSTORE, 'real-bundles', name),
      trustedRoot: join(SIGSTORE, 'public-good', 'trusted_root.json'),
    })),
  ];

  interface TlogEntry {
    logId: { keyId: string };
    inclusionProof?: { rootHash: string; treeSize: string; checkpoint?: { envelope: string } };
  }
  interface TrustedLog {
    baseUrl: string;
    logId: { keyId: string };
    publicKey: { rawBytes: string };
  }

  let checked = 0;
  let cosignatures = 0;
  for (const c of cases) {
    let entries: TlogEntry[];
    try {
      entries = JSON.parse(readFileSync(c.bundle, 'utf8')).verificationMaterial?.tlogEntries ?? [];
    } catch {
      continue; // a case about malformed JSON, not about checkpoints
    }
    const withCheckpoint = entries.filter((e) => e.inclusionProof?.checkpoint !== undefined);
    for (const [i, entry] of withCheckpoint.entries()) {
      checked++;
      const proof = entry.inclusionProof as Required<NonNullable<TlogEntry['inclusionProof']>>;
      const envelope = proof.checkpoint.envelope;
      const expected = broken[c.name] ?? 'ok';
      for (const sig of parseNoteOrEmpty(envelope)) {
        if (sig.signature.length === 72) cosignatures++;
      }
      it(`${c.name}${withCheckpoint.length > 1 ? ` #${i}` : ''}: ${expected}`, () => {
        const logs: TrustedLog[] = JSON.parse(readFileSync(c.trustedRoot, 'utf8')).tlogs;
        const log = logs.find((l) => l.logId.keyId === entry.logId.keyId);
        if (log === undefined) return assert.equal(expected, 'no log key');
        const key = createPublicKey({
          key: Buffer.from(log.publicKey.rawBytes, 'base64'),
          format: 'der',
          type: 'spki',
        });
        const verifier = noteVerifierFor(new URL(log.baseUrl).host, key);
        // The log's key ID is the first four bytes of its log ID, for either key type.
        assert.equal(verifier.keyId, Buffer.from(log.logId.keyId, 'base64').readUInt32BE(0));
        const origin = envelope.slice(0, envelope.indexOf('\n'));
        let outcome: string;
        try {
          const { checkpoint } = openCheckpoint(envelope, origin, [verifier]);
          const same =
            Buffer.from(checkpoint.rootHash).toString('base64') === proof.rootHash &&
            String(checkpoint.size) === proof.treeSize;
          outcome = same ? 'ok' : 'root mismatch';
        } catch (e) {
          assert.ok(e instanceof TlogError, String(e));
          outcome = e.code;
        }
        assert.equal(outcome, expected);
      });
    }
  }

  it('covered every checkpoint and the witnesses’ cosignatures in them', () => {
    assert.ok(checked >= 49, `only ${checked} checkpoints`);
    assert.ok(cosignatures >= 4, `only ${cosignatures} cosignatures`);
  });

  it('the witnesses’ cosignatures carry readable timestamps', () => {
    const envelope = JSON.parse(
      readFileSync(
        join(
          SIGSTORE,
          'bundle-verify',
          'rekor2-checkpoint-origin-not-first',
          'bundle.sigstore.json',
        ),
        'utf8',
      ),
    ).verificationMaterial.tlogEntries[0].inclusionProof.checkpoint.envelope;
    const witness = parseNote(envelope).signatures.find((s) => s.name === 'witness.example');
    assert.ok(witness);
    const time = cosignatureTime(witness);
    assert.ok(time > 1_700_000_000 && time < 2_000_000_000, String(time));
  });
});

function parseNoteOrEmpty(envelope: string) {
  try {
    return parseNote(envelope).signatures;
  } catch {
    return [];
  }
}
