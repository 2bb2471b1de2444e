import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type Checkpoint, signCheckpoint } from '../../src/tlog/checkpoint.js';
import {
  cosignatureSigner,
  cosignatureTime,
  cosignatureVerifier,
} from '../../src/tlog/cosignature.js';
import { TlogError } from '../../src/tlog/errors.js';
import { EMPTY_ROOT, leafHash, MerkleTree } from '../../src/tlog/index.js';
import {
  ed25519NoteSigner,
  noteVerifierFor,
  openNote,
  parseNote,
  signNote,
} from '../../src/tlog/note.js';
import {
  type AddCheckpointRequest,
  addCheckpoint,
  formatAddCheckpoint,
  MAX_PROOF_LINES,
  parseAddCheckpoint,
  type WitnessedLog,
  type WitnessOutcome,
  type WitnessState,
} from '../../src/tlog/witness.js';
import { conformancePath } from '../helpers/conformance.js';
import { expectCustodyError } from '../helpers/expect-error.js';

const SPEC = readFileSync(conformancePath('c2sp', 'tlog-witness.md'), 'utf8');
/** An indented example block of the spec that starts with `first`, unindented. */
function indentedBlock(first: string): string {
  const start = SPEC.indexOf(`\n    ${first}`);
  assert.ok(start >= 0, first);
  const lines: string[] = [];
  for (const line of SPEC.slice(start + 1).split('\n')) {
    if (line !== '' && !line.startsWith('    ')) break;
    lines.push(line.slice(4));
  }
  while (lines.at(-1) === '') lines.pop();
  return `${lines.join('\n')}\n`;
}

const ORIGIN = 'example.com/log';
const logKeys = generateKeyPairSync('ed25519');
const logSigner = ed25519NoteSigner(ORIGIN, logKeys.privateKey);
const log: WitnessedLog = {
  origin: ORIGIN,
  verifiers: [noteVerifierFor(ORIGIN, logKeys.publicKey)],
};
const witnessKeys = generateKeyPairSync('ed25519');
const NOW = 1_700_000_000;
const cosigner = cosignatureSigner('witness.example/w1', witnessKeys.privateKey, () => NOW);
const witnessVerifier = cosignatureVerifier('witness.example/w1', witnessKeys.publicKey);

const tree = new MerkleTree();
for (let i = 0; i < 1000; i++) tree.append(leafHash(new TextEncoder().encode(`leaf ${i}`)));

function checkpointAt(size: number, signers = [logSigner], extensions: string[] = []): string {
  const cp: Checkpoint = { origin: ORIGIN, size, rootHash: tree.root(size), extensions };
  return signCheckpoint(cp, signers);
}
function stateAt(size: number): WitnessState {
  return { size, rootHash: new Uint8Array(tree.root(size)) };
}
function request(oldSize: number, newSize: number): AddCheckpointRequest {
  const proof = oldSize === 0 || oldSize === newSize ? [] : tree.consistencyProof(oldSize, newSize);
  return { oldSize, proof, checkpoint: checkpointAt(newSize) };
}
function expectStatus(outcome: WitnessOutcome, status: number): void {
  assert.equal(outcome.status, status, 'message' in outcome ? outcome.message : 'cosigned');
}

describe('tlog-witness spec examples', () => {
  const body = indentedBlock('old 20852014');

  it('the add-checkpoint request parses and formats back byte for byte', () => {
    const req = parseAddCheckpoint(body);
    assert.equal(req.oldSize, 20852014);
    assert.equal(req.proof.length, 4);
    assert.ok(req.proof.every((h) => h.length === 32));
    const note = parseNote(req.checkpoint);
    assert.equal(note.text.split('\n')[1], '20852163');
    assert.equal(note.signatures.length, 2);
    assert.equal(formatAddCheckpoint(req), body);
  });

  it('the response body is signature lines that append to the checkpoint', () => {
    const response = indentedBlock('— witness.example/w1 CMp');
    const req = parseAddCheckpoint(body);
    const text = parseNote(req.checkpoint).text;
    const cosigned = parseNote(`${text}\n${response}`);
    assert.deepEqual(
      cosigned.signatures.map((s) => s.name),
      ['witness.example/w1', 'witness.example/w1', 'witness.example/w2'],
    );
  });

  it('the example checkpoint reaches the witness: unknown to this one, so 404', () => {
    const req = parseAddCheckpoint(body);
    expectStatus(addCheckpoint(req, undefined, undefined, cosigner), 404);
  });
});

describe('addCheckpoint', () => {
  describe('200', () => {
    it('cosigns the first checkpoint it sees (old size 0, no proof)', () => {
      const req = request(0, 10);
      const out = addCheckpoint(req, log, undefined, cosigner);
      assert.equal(out.status, 200);
      assert.ok(out.status === 200);
      assert.deepEqual(out.state, stateAt(10));
      assert.match(out.body, /^— witness\.example\/w1 [A-Za-z0-9+/=]+\n$/);
      // As a client does: append the lines to the checkpoint and open it with the witness key.
      const text = parseNote(req.checkpoint).text;
      const { note, verifiedBy } = openNote(`${req.checkpoint}${out.body}`, [witnessVerifier]);
      assert.deepEqual(verifiedBy, [witnessVerifier]);
      assert.equal(note.text, text);
      const cosig = note.signatures.find((s) => s.name === 'witness.example/w1');
      assert.ok(cosig);
      assert.equal(cosignatureTime(cosig), NOW);
    });

    it('cosigns a checkpoint consistent with the latest one', () => {
      for (const [m, n] of [
        [1, 2],
        [10, 11],
        [7, 1000],
        [256, 999],
        [999, 1000],
      ] as const) {
        const out = addCheckpoint(request(m, n), log, stateAt(m), cosigner);
        expectStatus(out, 200);
        assert.ok(out.status === 200);
        assert.deepEqual(out.state, stateAt(n));
      }
    });

    it('cosigns the same checkpoint again', () => {
      expectStatus(addCheckpoint(request(10, 10), log, stateAt(10), cosigner), 200);
    });

    it('cosigns an empty tree with the empty root', () => {
      const empty = signCheckpoint(
        { origin: ORIGIN, size: 0, rootHash: EMPTY_ROOT, extensions: [] },
        [logSigner],
      );
      expectStatus(
        addCheckpoint({ oldSize: 0, proof: [], checkpoint: empty }, log, undefined, cosigner),
        200,
      );
    });

    it('cosigns the extension lines with the rest of the text', () => {
      const req = { oldSize: 0, proof: [], checkpoint: checkpointAt(5, [logSigner], ['ext']) };
      const out = addCheckpoint(req, log, undefined, cosigner);
      assert.ok(out.status === 200);
      openNote(`${req.checkpoint}${out.body}`, [witnessVerifier]);
    });

    it('ignores signatures of unknown keys beside the log’s', () => {
      const other = ed25519NoteSigner('other.example', generateKeyPairSync('ed25519').privateKey);
      const req = { oldSize: 0, proof: [], checkpoint: checkpointAt(5, [other, logSigner]) };
      expectStatus(addCheckpoint(req, log, undefined, cosigner), 200);
    });
  });

  describe('404', () => {
    it('for a log the witness does not follow', () => {
      expectStatus(addCheckpoint(request(0, 5), undefined, undefined, cosigner), 404);
    });
    it('when the log found does not have the checkpoint’s origin', () => {
      const elsewhere = { ...log, origin: 'example.com/other' };
      expectStatus(addCheckpoint(request(0, 5), elsewhere, undefined, cosigner), 404);
    });
  });

  describe('403', () => {
    it('without a signature of the log’s key', () => {
      const stranger = ed25519NoteSigner(ORIGIN, generateKeyPairSync('ed25519').privateKey);
      const req = { oldSize: 0, proof: [], checkpoint: checkpointAt(5, [stranger]) };
      expectStatus(addCheckpoint(req, log, undefined, cosigner), 403);
    });
    it('when the log’s key signed something else', () => {
      const good = checkpointAt(5);
      const forged = good.replace(`\n5\n`, `\n6\n`);
      expectStatus(
        addCheckpoint({ oldSize: 0, proof: [], checkpoint: forged }, log, undefined, cosigner),
        403,
      );
    });
    it('when one of the log’s signatures is bad even if another verifies', () => {
      const note = parseNote(checkpointAt(5));
      const sig = note.signatures[0];
      assert.ok(sig);
      const bad = { ...sig, signature: sig.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) };
      const lines =
        checkpointAt(5) +
        `— ${ORIGIN} ${Buffer.concat([u32(sig.keyId), bad.signature]).toString('base64')}\n`;
      expectStatus(
        addCheckpoint({ oldSize: 0, proof: [], checkpoint: lines }, log, undefined, cosigner),
        403,
      );
    });
  });

  describe('400', () => {
    it('when the old size is above the checkpoint’s', () => {
      const req = { ...request(0, 5), oldSize: 6 };
      expectStatus(addCheckpoint(req, log, stateAt(6), cosigner), 400);
    });
    it('for a checkpoint that is not a signed note', () => {
      const req = { oldSize: 0, proof: [], checkpoint: 'not a note' };
      expectStatus(addCheckpoint(req, log, undefined, cosigner), 400);
    });
    it('for a signed note by the log that is not a checkpoint', () => {
      const note = signNote(`${ORIGIN}\n05\nAAAA\n`, [logSigner]);
      expectStatus(
        addCheckpoint({ oldSize: 0, proof: [], checkpoint: note }, log, undefined, cosigner),
        400,
      );
    });
    it('for more than 63 proof lines', () => {
      const req = { ...request(0, 5), proof: Array.from({ length: 64 }, () => new Uint8Array(32)) };
      expectStatus(addCheckpoint(req, log, undefined, cosigner), 400);
    });
  });

  describe('409', () => {
    it('when the old size is not the latest cosigned size, with that size', () => {
      const out = addCheckpoint(request(5, 10), log, stateAt(7), cosigner);
      expectStatus(out, 409);
      assert.ok(out.status === 409);
      assert.equal(out.size, 7);
    });
    it('old size 0 against a witness that already cosigned (how a client learns the size)', () => {
      const out = addCheckpoint(request(0, 10), log, stateAt(7), cosigner);
      assert.ok(out.status === 409);
      assert.equal(out.size, 7);
    });
    it('a non-zero old size against a witness that never cosigned', () => {
      const out = addCheckpoint(request(5, 10), log, undefined, cosigner);
      assert.ok(out.status === 409);
      assert.equal(out.size, 0);
    });
  });

  describe('422', () => {
    it('a checkpoint of size 0 without the empty root', () => {
      const bad = signCheckpoint(
        { origin: ORIGIN, size: 0, rootHash: new Uint8Array(32), extensions: [] },
        [logSigner],
      );
      expectStatus(
        addCheckpoint({ oldSize: 0, proof: [], checkpoint: bad }, log, undefined, cosigner),
        422,
      );
    });
    it('a proof from old size 0', () => {
      const req = { ...request(0, 10), proof: [new Uint8Array(32)] };
      expectStatus(addCheckpoint(req, log, undefined, cosigner), 422);
    });
    it('the same size with another root', () => {
      const other = { size: 10, rootHash: tree.root(11) };
      expectStatus(addCheckpoint(request(10, 10), log, other, cosigner), 422);
    });
    it('the same size with a proof', () => {
      const req = { ...request(10, 10), proof: [tree.root(3)] };
      expectStatus(addCheckpoint(req, log, stateAt(10), cosigner), 422);
    });
    it('a proof that does not verify', () => {
      const req = request(7, 1000);
      req.proof[0] = tree.root(1);
      expectStatus(addCheckpoint(req, log, stateAt(7), cosigner), 422);
    });
    it('a proof of other sizes', () => {
      const req = { ...request(7, 1000), proof: tree.consistencyProof(6, 1000) };
      expectStatus(addCheckpoint(req, log, stateAt(7), cosigner), 422);
    });
    it('a checkpoint inconsistent with the latest (a fork), even with a valid proof of the fork', () => {
      const fork = new MerkleTree();
      for (let i = 0; i < 20; i++) fork.append(leafHash(Uint8Array.of(i)));
      const checkpoint = signCheckpoint(
        { origin: ORIGIN, size: 20, rootHash: fork.root(20), extensions: [] },
        [logSigner],
      );
      const req = { oldSize: 10, proof: fork.consistencyProof(10, 20), checkpoint };
      expectStatus(addCheckpoint(req, log, stateAt(10), cosigner), 422);
    });
  });

  it('cosigns exactly when the proof is the log’s own (tampered proofs never pass)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 999 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.option(fc.tuple(fc.nat(), fc.nat({ max: 255 }))),
        (a, b, flip) => {
          const [m, n] = a <= b ? [a, b] : [b, a];
          const req = request(m, n);
          let tampered = false;
          if (flip !== null && req.proof.length > 0) {
            const [which, bit] = flip;
            const h = Uint8Array.from(req.proof[which % req.proof.length] as Uint8Array);
            h[bit % 32] = (h[bit % 32] as number) ^ (1 << (bit % 8));
            req.proof[which % req.proof.length] = h;
            tampered = true;
          }
          const out = addCheckpoint(req, log, stateAt(m), cosigner);
          assert.equal(out.status, tampered ? 422 : 200);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('parseAddCheckpoint / formatAddCheckpoint', () => {
  it('round-trips', () => {
    const req = request(7, 1000);
    assert.deepEqual(parseAddCheckpoint(formatAddCheckpoint(req)), {
      ...req,
      proof: req.proof.map((h) => new Uint8Array(h)),
    });
  });

  it('accepts 63 proof lines and refuses 64', () => {
    const hash = Buffer.alloc(32).toString('base64');
    const body = (n: number) => `old 5\n${`${hash}\n`.repeat(n)}\n${checkpointAt(5)}`;
    assert.equal(parseAddCheckpoint(body(MAX_PROOF_LINES)).proof.length, 63);
    const e = expectCustodyError(
      () => parseAddCheckpoint(body(64)),
      TlogError,
      'TLOG_WITNESS_REFUSED',
    );
    assert.deepEqual(e.details, { status: 400 });
  });

  const hash = Buffer.alloc(32, 1).toString('base64');
  const cp = 'o\n1\nAAAA\n\n— o AAAAAAE=\n';
  const malformed: [string, string][] = [
    ['empty', ''],
    ['no old line', `\n${cp}`],
    ['capitalised', `Old 1\n\n${cp}`],
    ['two spaces', `old  1\n\n${cp}`],
    ['leading zero', `old 01\n\n${cp}`],
    ['negative', `old -1\n\n${cp}`],
    ['no size', `old \n\n${cp}`],
    ['beyond 2^53', `old 9007199254740993\n\n${cp}`],
    ['no newline at all', 'old 1'],
    ['no empty line', `old 1\n${hash}\n`],
    ['a CRLF', `old 1\r\n\n${cp}`],
    ['a short hash', `old 1\n${Buffer.alloc(31).toString('base64')}\n\n${cp}`],
    ['a long hash', `old 1\n${Buffer.alloc(33).toString('base64')}\n\n${cp}`],
    ['an unpadded hash', `old 1\n${hash.replace('=', '')}\n\n${cp}`],
    ['a hex hash', `old 1\n${'00'.repeat(32)}\n\n${cp}`],
  ];
  for (const [desc, body] of malformed) {
    it(`refuses ${desc}`, () => {
      const e = expectCustodyError(
        () => parseAddCheckpoint(body),
        TlogError,
        'TLOG_WITNESS_REFUSED',
      );
      assert.deepEqual(e.details, { status: 400 });
    });
  }

  it('formatAddCheckpoint refuses what it could not send', () => {
    const req = request(7, 1000);
    for (const bad of [
      { ...req, oldSize: -1 },
      { ...req, oldSize: 1.5 },
      { ...req, proof: [new Uint8Array(31)] },
      { ...req, proof: Array.from({ length: 64 }, () => new Uint8Array(32)) },
    ]) {
      expectCustodyError(() => formatAddCheckpoint(bad), TlogError, 'TLOG_WITNESS_REFUSED');
    }
  });

  it('arbitrary bodies parse or fail with TlogError, and a parsed one gets a status', () => {
    const valid = formatAddCheckpoint(request(7, 1000));
    const mutated = fc
      .tuple(
        fc.nat({ max: valid.length }),
        fc.nat({ max: valid.length }),
        fc.string({ maxLength: 4 }),
      )
      .map(([i, j, s]) => valid.slice(0, Math.min(i, j)) + s + valid.slice(Math.max(i, j)));
    fc.assert(
      fc.property(fc.oneof(fc.string(), mutated), (body) => {
        let req: AddCheckpointRequest;
        try {
          req = parseAddCheckpoint(body);
        } catch (e) {
          assert.ok(e instanceof TlogError, String(e));
          return;
        }
        const out = addCheckpoint(req, log, stateAt(7), cosigner);
        assert.ok([200, 400, 403, 404, 409, 422].includes(out.status));
        if (out.status === 200) assert.equal(body, valid);
      }),
      { numRuns: 1000 },
    );
  });
});

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
