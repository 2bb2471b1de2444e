import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TlogError } from '../../src/tlog/errors.js';
import {
  decodeBase64,
  ecdsaNoteSigner,
  ed25519NoteSigner,
  formatNote,
  formatVerifierKey,
  hasControlCharacter,
  keyIdFor,
  MAX_NOTE_SIGNATURES,
  type NoteVerifier,
  noteKeyId,
  noteVerifierFor,
  openNote,
  parseNote,
  parseVerifierKey,
  signNote,
} from '../../src/tlog/note.js';
import { conformancePath } from '../helpers/conformance.js';
import { expectCustodyError } from '../helpers/expect-error.js';

const SPEC = readFileSync(conformancePath('c2sp', 'signed-note.md'), 'utf8');
/** The spec's fenced code blocks, in order. */
const BLOCKS = [...SPEC.matchAll(/^```\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string);
const EXAMPLE_VKEY = (/^ {4}(example\.com\/foo\+\S+)$/m.exec(SPEC) as RegExpExecArray)[1] as string;

const ed = () => generateKeyPairSync('ed25519');

describe('signed-note spec examples', () => {
  it('has the two example notes and the example vkey', () => {
    assert.equal(BLOCKS.length, 2);
    assert.equal(
      EXAMPLE_VKEY,
      'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k',
    );
  });

  it('the example vkey verifies the example note', () => {
    const v = parseVerifierKey(EXAMPLE_VKEY);
    assert.equal(v.name, 'example.com/foo');
    assert.equal(v.keyId, 0x530d903a);
    const { note, verifiedBy } = openNote(BLOCKS[1] as string, [v]);
    assert.equal(note.text, 'This is an example message.\n');
    assert.deepEqual(verifiedBy, [v]);
    assert.equal(formatNote(note), BLOCKS[1]);
  });

  it('the example note fails once its text changes', () => {
    const v = parseVerifierKey(EXAMPLE_VKEY);
    const tampered = (BLOCKS[1] as string).replace('example message', 'example massage');
    expectCustodyError(() => openNote(tampered, [v]), TlogError, 'TLOG_NOTE_UNVERIFIED');
  });

  it('the first example keeps its inner blank line in the text', () => {
    const note = parseNote(BLOCKS[0] as string);
    assert.equal(
      note.text,
      'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n',
    );
    assert.equal(note.signatures.length, 1);
    assert.equal(note.signatures[0]?.name, 'quasimodo.example/salvatore');
    assert.equal(formatNote(note), BLOCKS[0]);
  });

  it('a key that does not match the example is ignored, and then nothing verifies', () => {
    const other = noteVerifierFor('example.com/foo', ed().publicKey);
    expectCustodyError(
      () => openNote(BLOCKS[1] as string, [other]),
      TlogError,
      'TLOG_NOTE_UNVERIFIED',
    );
  });
});

describe('Ed25519 notes (type 0x01)', () => {
  it('sign, open, and the key ID is SHA-256(name || \\n || 0x01 || key)[:4]', () => {
    const { privateKey, publicKey } = ed();
    const signer = ed25519NoteSigner('example.com/log', privateKey);
    const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
    const digest = createHash('sha256')
      .update(Buffer.concat([Buffer.from('example.com/log\n\x01', 'latin1'), raw]))
      .digest();
    assert.equal(signer.keyId, digest.readUInt32BE(0));
    assert.equal(noteKeyId('example.com/log', publicKey), signer.keyId);
    const note = signNote('hello\n', [signer]);
    const v = noteVerifierFor('example.com/log', publicKey);
    assert.equal(openNote(note, [v]).note.text, 'hello\n');
  });

  it('vkeys round-trip through formatVerifierKey and parseVerifierKey', () => {
    const { privateKey, publicKey } = ed();
    const vkey = formatVerifierKey('example.com/log', publicKey);
    assert.match(vkey, /^example\.com\/log\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
    const v = parseVerifierKey(vkey);
    const note = signNote('a\n\nb\n', [ed25519NoteSigner('example.com/log', privateKey)]);
    assert.equal(openNote(note, [v]).note.text, 'a\n\nb\n');
  });
});

describe('ECDSA notes (type 0x02, as Rekor v1 signs checkpoints)', () => {
  for (const namedCurve of ['P-256', 'P-384', 'P-521']) {
    it(`signs and verifies on ${namedCurve}; key ID = SHA-256(SPKI DER)[:4]`, () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
      const signer = ecdsaNoteSigner('rekor.example', privateKey);
      const spki = publicKey.export({ format: 'der', type: 'spki' });
      assert.equal(signer.keyId, createHash('sha256').update(spki).digest().readUInt32BE(0));
      const vkey = formatVerifierKey('rekor.example', publicKey);
      assert.ok(vkey.split('+')[2]?.startsWith('Aj'), 'the vkey blob starts with 0x02 || SEQUENCE');
      const note = signNote('x\n', [signer]);
      assert.deepEqual(openNote(note, [parseVerifierKey(vkey)]).verifiedBy.length, 1);
    });
  }

  it('rejects other curves', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    expectCustodyError(() => ecdsaNoteSigner('a', privateKey), TlogError, 'TLOG_KEY_INVALID');
    expectCustodyError(() => noteVerifierFor('a', publicKey), TlogError, 'TLOG_KEY_INVALID');
  });
});

describe('openNote verifier rules', () => {
  const a = ed();
  const b = ed();
  const signerA = ed25519NoteSigner('a.example', a.privateKey);
  const signerB = ed25519NoteSigner('b.example', b.privateKey);
  const vA = noteVerifierFor('a.example', a.publicKey);
  const vB = noteVerifierFor('b.example', b.publicKey);

  it('ignores signatures of unknown keys, even sharing a name or a key ID', () => {
    const c = ed();
    const sameName = ed25519NoteSigner('a.example', c.privateKey);
    const note = signNote('t\n', [sameName, signerA]);
    const sameId: NoteVerifier = { name: 'z.example', keyId: signerA.keyId, verify: () => false };
    assert.deepEqual(openNote(note, [vA, sameId]).verifiedBy, [vA]);
  });

  it('returns every known verifier that verified, once each', () => {
    const note = signNote('t\n', [signerA, signerB, signerA]);
    assert.deepEqual(openNote(note, [vB, vA]).verifiedBy, [vA, vB]);
  });

  it('rejects the note when a known key signed badly, even if another verified', () => {
    const good = signNote('t\n', [signerA]);
    const forged = parseNote(signNote('t\n', [signerB]));
    const sig = forged.signatures[0];
    assert.ok(sig);
    (sig.signature[0] as number) ^= 1;
    const note = formatNote({ text: 't\n', signatures: [...parseNote(good).signatures, sig] });
    expectCustodyError(() => openNote(note, [vA, vB]), TlogError, 'TLOG_NOTE_UNVERIFIED');
  });

  it('rejects a note no known key signed', () => {
    expectCustodyError(
      () => openNote(signNote('t\n', [signerB]), [vA]),
      TlogError,
      'TLOG_NOTE_UNVERIFIED',
    );
  });

  it('accepts 16 signatures and refuses more than the limit', () => {
    const sixteen = Array.from({ length: 16 }, (_, i) =>
      ed25519NoteSigner(`w${i}.example`, ed().privateKey),
    );
    assert.equal(parseNote(signNote('t\n', [...sixteen, signerA])).signatures.length, 17);
    const sig = parseNote(signNote('t\n', [signerA])).signatures[0];
    assert.ok(sig);
    const many = `t\n\n${formatNote({ text: 't\n', signatures: [sig] })
      .slice(3)
      .repeat(MAX_NOTE_SIGNATURES + 1)}`;
    expectCustodyError(() => parseNote(many), TlogError, 'TLOG_NOTE_MALFORMED');
  });

  it('refuses two verifiers that cannot be told apart', () => {
    const twin: NoteVerifier = { name: vA.name, keyId: vA.keyId, verify: () => true };
    expectCustodyError(
      () => openNote(signNote('t\n', [signerA]), [vA, twin]),
      TlogError,
      'TLOG_KEY_INVALID',
    );
  });
});

describe('parseNote: malformed notes', () => {
  const sig = '— a.example AAAAAAE=\n';
  const cases: [string, string][] = [
    ['no blank line', `text\n${sig}`],
    ['no signature', 'text\n\n'],
    ['signature block without final newline', `text\n\n${sig.slice(0, -1)}`],
    ['hyphen instead of em dash', 'text\n\n- a.example AAAAAAE=\n'],
    ['no space after the dash', 'text\n\n—a.example AAAAAAE=\n'],
    ['missing key name', 'text\n\n—  AAAAAAE=\n'],
    ['missing signature', 'text\n\n— a.example\n'],
    ['empty signature', 'text\n\n— a.example \n'],
    ['signature of only a key ID', 'text\n\n— a.example AAAAAA==\n'],
    ['unpadded base64', 'text\n\n— a.example AAAAAAE\n'],
    ['URL-safe base64', 'text\n\n— a.example AAAA_-E=\n'],
    ['non-canonical base64 pad bits', 'text\n\n— a.example AAAAAAF=\n'],
    ['a plus in the key name', 'text\n\n— a+b AAAAAAE=\n'],
    ['a no-break space in the key name', 'text\n\n— a\u00a0b AAAAAAE=\n'],
    ['an extra field', 'text\n\n— a.example AAAAAAE= x\n'],
    ['a carriage return', `text\r\n\n${sig}`],
    ['a tab', `te\txt\n\n${sig}`],
    ['a NUL', `te\u0000xt\n\n${sig}`],
    ['a lone surrogate', `te\ud800xt\n\n${sig}`],
    ['too large', `${'a'.repeat(1 << 20)}\n\n${sig}`],
  ];
  for (const [desc, note] of cases) {
    it(desc, () => {
      expectCustodyError(() => parseNote(note), TlogError, 'TLOG_NOTE_MALFORMED');
    });
  }

  it('a note whose text is a single newline is fine', () => {
    assert.equal(parseNote(`\n\n${sig}`).text, '\n');
  });

  it('the last blank line separates: a signature line before it is text', () => {
    const note = parseNote(`text\n\n${sig}\n${sig}`);
    assert.equal(note.text, `text\n\n${sig}`);
    assert.equal(note.signatures.length, 1);
  });

  it('DEL and non-ASCII text are allowed', () => {
    assert.equal(parseNote(`a\u007f — é\n\n${sig}`).text, 'a\u007f — é\n');
  });
});

describe('signNote and formatNote refuse what a note cannot carry', () => {
  const signer = ed25519NoteSigner('a.example', ed().privateKey);
  for (const [desc, text] of [
    ['text without final newline', 'abc'],
    ['empty text', ''],
    ['control character', 'a\u0001\n'],
  ] as const) {
    it(desc, () => {
      expectCustodyError(() => signNote(text, [signer]), TlogError, 'TLOG_NOTE_MALFORMED');
    });
  }
  it('no signatures', () => {
    expectCustodyError(() => signNote('a\n', []), TlogError, 'TLOG_NOTE_MALFORMED');
  });
  it('a key ID out of range', () => {
    const note = {
      text: 'a\n',
      signatures: [{ name: 'a', keyId: 2 ** 32, signature: Uint8Array.of(1) }],
    };
    expectCustodyError(() => formatNote(note), TlogError, 'TLOG_NOTE_MALFORMED');
  });
  it('signer names must be valid', () => {
    for (const name of ['', 'a b', 'a+b', 'a\tb', 'a\u2003b']) {
      expectCustodyError(
        () => ed25519NoteSigner(name, ed().privateKey),
        TlogError,
        'TLOG_KEY_INVALID',
      );
    }
  });
  it('signers need a private key of their type', () => {
    const { publicKey } = ed();
    expectCustodyError(() => ed25519NoteSigner('a', publicKey), TlogError, 'TLOG_KEY_INVALID');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expectCustodyError(() => ed25519NoteSigner('a', ec.privateKey), TlogError, 'TLOG_KEY_INVALID');
    expectCustodyError(() => ecdsaNoteSigner('a', ed().privateKey), TlogError, 'TLOG_KEY_INVALID');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expectCustodyError(() => noteVerifierFor('a', rsa.publicKey), TlogError, 'TLOG_KEY_INVALID');
  });
});

describe('parseVerifierKey: invalid vkeys', () => {
  const [name, id, key] = EXAMPLE_VKEY.split('+') as [string, string, string];
  const raw = decodeBase64(key) as Uint8Array;
  const withType = (type: number, body = raw.subarray(1)) =>
    Buffer.concat([Uint8Array.of(type), body]).toString('base64');
  const cases: [string, string][] = [
    ['two parts', `${name}+${id}`],
    ['empty name', `+${id}+${key}`],
    ['space in name', `example.com/ foo+${id}+${key}`],
    ['short key ID', `${name}+530d903+${key}`],
    ['non-hex key ID', `${name}+530d903g+${key}`],
    ['wrong key ID', `${name}+530d903b+${key}`],
    ['bad base64', `${name}+${id}+${key.slice(1)}`],
    ['only a type byte', `${name}+${id}+AQ==`],
    ['short Ed25519 key', `${name}+${id}+${withType(1, raw.subarray(1, 31))}`],
    ['unknown type 0x03', `${name}+${id}+${withType(3)}`],
    ['ML-DSA (0x06) is unsupported', `${name}+${id}+${withType(6)}`],
    ['type 0x02 with a non-SPKI key', `${name}+${id}+${withType(2)}`],
    [
      'type 0x02 with an Ed25519 SPKI',
      `${name}+${id}+${withType(2, ed().publicKey.export({ format: 'der', type: 'spki' }))}`,
    ],
  ];
  for (const [desc, vkey] of cases) {
    it(desc, () => {
      expectCustodyError(() => parseVerifierKey(vkey), TlogError, 'TLOG_KEY_INVALID');
    });
  }

  it('the same key as type 0x04 needs its own key ID', () => {
    const cosig = `${name}+${keyIdFor(name, 4, raw.subarray(1)).toString(16).padStart(8, '0')}+${withType(4)}`;
    assert.notEqual(parseVerifierKey(cosig).keyId, 0x530d903a);
    expectCustodyError(
      () => parseVerifierKey(`${name}+${id}+${withType(4)}`),
      TlogError,
      'TLOG_KEY_INVALID',
    );
  });
});

describe('properties', () => {
  const keys = ed();
  const signer = ed25519NoteSigner('p.example', keys.privateKey);
  const textArb = fc
    .array(
      fc.string({ unit: 'grapheme', maxLength: 30 }).filter((s) => !hasControlCharacter(s, false)),
      {
        maxLength: 6,
      },
    )
    .map((lines) => `${lines.join('\n')}\n`);

  it('parseNote(formatNote(x)) is x', () => {
    const sigArb = fc.record({
      name: fc.stringMatching(/^[a-z0-9./-]{1,20}$/),
      keyId: fc.nat({ max: 0xffffffff }),
      signature: fc.uint8Array({ minLength: 1, maxLength: 80 }),
    });
    fc.assert(
      fc.property(textArb, fc.array(sigArb, { minLength: 1, maxLength: 5 }), (text, signatures) => {
        const plain = signatures.map((sig) => ({ ...sig }));
        assert.deepEqual(parseNote(formatNote({ text, signatures: plain })), {
          text,
          signatures: plain,
        });
      }),
    );
  });

  it('signed notes open', () => {
    const v = noteVerifierFor('p.example', keys.publicKey);
    fc.assert(
      fc.property(textArb, (text) => {
        assert.equal(openNote(signNote(text, [signer]), [v]).note.text, text);
      }),
      { numRuns: 50 },
    );
  });

  it('arbitrary strings parse or fail with TlogError', () => {
    const noteish = fc
      .array(
        fc.constantFrom('— ', 'a', ' ', '\n', '\n\n', 'AAAAAAE=', '+', '=', '\u00a0', '\r', 'é'),
        {
          maxLength: 30,
        },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), noteish), (s) => {
        try {
          parseNote(s);
        } catch (e) {
          assert.ok(e instanceof TlogError, String(e));
        }
        try {
          parseVerifierKey(s);
        } catch (e) {
          assert.ok(e instanceof TlogError, String(e));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
