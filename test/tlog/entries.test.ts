import assert from 'node:assert/strict';
import {
  createHash,
  sign as cryptoSign,
  verify as cryptoVerify,
  generateKeyPairSync,
  type KeyObject,
  X509Certificate,
} from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { preAuthEncoding } from '../../src/formats/dsse.js';
import { verifyEcdsaPrehashedJs } from '../../src/tlog/ecdsa-prehashed.js';
import { type LogEntry, parseProposedEntry, verifyEcdsaPrehashed } from '../../src/tlog/entries.js';
import { TlogError } from '../../src/tlog/errors.js';
import { leafHash } from '../../src/tlog/index.js';
import { conformancePath, listConformance } from '../helpers/conformance.js';
import { expectCustodyError } from '../helpers/expect-error.js';

const OPTS = { maxBytes: 1 << 20 };
const b64 = (b: Uint8Array | string) => Buffer.from(b).toString('base64');

// --- Rekor canonical bodies, recomputed from real Sigstore bundles -------------------------------

/**
 * What each Rekor v1 hashedrekord/dsse bundle of the suite must give when its content is proposed
 * the way @sigstore/sign proposes it: 'exact' = the bundle's canonicalizedBody byte for byte;
 * 'differs' = the case tampers with the log entry on purpose, so the body must differ; or a code.
 */
const BUNDLE_CASES: Record<string, 'exact' | 'differs' | string> = {
  'real-bundles/bundleV01-dsse-no-proof.sigstore': 'exact',
  'real-bundles/bundleV01-dsse-with-proof.sigstore': 'exact',
  'real-bundles/bundleV02-dsse.sigstore': 'exact',
  'real-bundles/bundleV03-dsse.sigstore': 'exact',
  'bundle-verify/bundle-empty-certificate-chain_fail': 'TLOG_ENTRY_MALFORMED',
  'bundle-verify/bundle-from-wrong-instance_fail': 'exact',
  'bundle-verify/bundle-negative-log-index_fail': 'differs',
  'bundle-verify/bundle-with-root-cert_fail': 'exact',
  'bundle-verify/checkpoint-wrong-roothash_fail': 'exact',
  'bundle-verify/dsse-invalid-sig_fail': 'TLOG_ENTRY_SIGNATURE_INVALID',
  'bundle-verify/dsse-mismatch-sig_fail': 'differs',
  'bundle-verify/happy-path-intoto-in-dsse-v3': 'exact',
  'bundle-verify/happy-path-v0.2': 'exact',
  'bundle-verify/happy-path-v0.3-new-mediaType': 'exact',
  'bundle-verify/inclusion-proof-corrupted-hash_fail': 'exact',
  'bundle-verify/incorrect-public-key_fail': 'differs',
  'bundle-verify/invalid-checkpoint-signature_fail': 'exact',
  'bundle-verify/invalid-ct-key_fail': 'exact',
  'bundle-verify/managed-key-and-trusted-root': 'exact',
  'bundle-verify/managed-key-happy-path': 'exact',
  'bundle-verify/managed-key-wrong-key_fail': 'TLOG_ENTRY_MALFORMED',
  'bundle-verify/message-digest-mismatch_fail': 'TLOG_ENTRY_SIGNATURE_INVALID',
  'bundle-verify/set-invalid-signature_fail': 'exact',
  'bundle-verify/trust-root-tlog-validity-end-inclusive': 'exact',
  'bundle-verify/wrong-hashedrekord-artifact_fail': 'differs',
  'bundle-verify/wrong-hashedrekord-cert-and-sig_fail': 'differs',
  'bundle-verify/wrong-material_fail': 'exact',
};

interface SuiteBundle {
  name: string;
  bundle: BundleJson;
  entry: { kindVersion: { kind: string; version: string }; canonicalizedBody: string };
  keyPem?: string;
}
// biome-ignore lint/suspicious/noExplicitAny: bundle JSON read for the test only
type BundleJson = any;

/** Every Rekor v1 (v0.0.1) hashedrekord or dsse bundle in the conformance suite. */
function suiteBundles(): SuiteBundle[] {
  const paths = [
    ...listConformance('sigstore', 'real-bundles').map((f) => `real-bundles/${f}`),
    ...listConformance('sigstore', 'bundle-verify')
      .filter((d) =>
        existsSync(conformancePath('sigstore', 'bundle-verify', d, 'bundle.sigstore.json')),
      )
      .map((d) => `bundle-verify/${d}`),
  ];
  const out: SuiteBundle[] = [];
  for (const name of paths) {
    const file = name.startsWith('real-bundles')
      ? conformancePath('sigstore', name)
      : conformancePath('sigstore', name, 'bundle.sigstore.json');
    let bundle: BundleJson;
    try {
      bundle = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue; // bundle-malformed-json_fail: no entry to recompute
    }
    const entry = bundle.verificationMaterial?.tlogEntries?.[0];
    const kv = entry?.kindVersion;
    if (kv?.version !== '0.0.1' || (kv.kind !== 'hashedrekord' && kv.kind !== 'dsse')) continue;
    const keyFile = conformancePath('sigstore', name, 'key.pub');
    out.push({
      name,
      bundle,
      entry,
      ...(!name.startsWith('real-bundles') && existsSync(keyFile)
        ? { keyPem: readFileSync(keyFile, 'utf8') }
        : {}),
    });
  }
  return out;
}

/** The verifier PEM the signer would have sent: key.pub, or the bundle's leaf certificate. */
function signerPem(c: SuiteBundle): string {
  if (c.keyPem !== undefined) return c.keyPem;
  const vm = c.bundle.verificationMaterial;
  const der: string | undefined =
    vm.certificate?.rawBytes ?? vm.x509CertificateChain?.certificates?.[0]?.rawBytes;
  if (der === undefined) return '';
  return new X509Certificate(Buffer.from(der, 'base64')).toString();
}

/** The proposed entry exactly as @sigstore/sign's toProposedEntry builds it. */
function proposedFromBundle(c: SuiteBundle): unknown {
  const pem = signerPem(c);
  if (c.entry.kindVersion.kind === 'hashedrekord') {
    const ms = c.bundle.messageSignature;
    return {
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: {
          hash: {
            algorithm: 'sha256',
            value: Buffer.from(ms.messageDigest.digest, 'base64').toString('hex'),
          },
        },
        signature: { content: ms.signature, publicKey: { content: b64(pem) } },
      },
    };
  }
  return {
    apiVersion: '0.0.1',
    kind: 'dsse',
    // The envelope text the signer sent is the bundle's envelope in its JSON field order.
    spec: {
      proposedContent: { envelope: JSON.stringify(c.bundle.dsseEnvelope), verifiers: [b64(pem)] },
    },
  };
}

describe('parseProposedEntry on the Sigstore conformance bundles', () => {
  const cases = suiteBundles();

  it('names every Rekor v1 hashedrekord and dsse bundle of the suite', () => {
    assert.deepEqual(cases.map((c) => c.name).sort(), Object.keys(BUNDLE_CASES).sort());
    assert.equal(cases.length, 27);
  });

  for (const c of cases) {
    const expected = BUNDLE_CASES[c.name] ?? 'unlisted';
    it(`${c.name} (${c.entry.kindVersion.kind}): ${expected}`, () => {
      const proposed = proposedFromBundle(c);
      if (expected === 'exact' || expected === 'differs') {
        const entry = parseProposedEntry(proposed, OPTS);
        const want = Buffer.from(c.entry.canonicalizedBody, 'base64');
        if (expected === 'exact') {
          assert.equal(Buffer.from(entry.body).toString('utf8'), want.toString('utf8'));
          assert.ok(Buffer.from(entry.body).equals(want));
          assert.deepEqual(entry.leafHash, leafHash(want));
        } else {
          assert.ok(!Buffer.from(entry.body).equals(want));
        }
      } else {
        expectCustodyError(() => parseProposedEntry(proposed, OPTS), TlogError, expected);
      }
    });
  }

  it('a typed hashedrekord with the certificate gives the Rekor leaf', () => {
    const c = cases.find((x) => x.name === 'bundle-verify/happy-path-v0.2') as SuiteBundle;
    const ms = c.bundle.messageSignature;
    const typed = {
      kind: 'hashedrekord',
      digest: `sha256:${Buffer.from(ms.messageDigest.digest, 'base64').toString('hex')}`,
      signature: ms.signature,
      certificate: signerPem(c),
    };
    const entry = parseProposedEntry(typed, OPTS);
    assert.ok(Buffer.from(entry.body).equals(Buffer.from(c.entry.canonicalizedBody, 'base64')));
    expectCustodyError(
      () =>
        parseProposedEntry(
          { ...typed, publicKey: typed.certificate, certificate: undefined },
          OPTS,
        ),
      TlogError,
      'TLOG_ENTRY_MALFORMED',
    );
  });

  it('re-proposing a canonical hashedrekord body gives the same bytes (or is refused)', () => {
    // Canonical bodies are themselves valid proposed hashedrekord entries.
    const refused: Record<string, string> = {
      'bundle-verify/bundle-empty-certificate-chain_fail': 'TLOG_ENTRY_MALFORMED',
      'bundle-verify/bundle-negative-log-index_fail': 'TLOG_ENTRY_MALFORMED',
      'bundle-verify/incorrect-public-key_fail': 'TLOG_ENTRY_SIGNATURE_INVALID',
    };
    let checked = 0;
    for (const c of cases.filter((x) => x.entry.kindVersion.kind === 'hashedrekord')) {
      const body = Buffer.from(c.entry.canonicalizedBody, 'base64');
      const code = refused[c.name];
      if (code) {
        expectCustodyError(
          () => parseProposedEntry(JSON.parse(body.toString()), OPTS),
          TlogError,
          code,
        );
      } else {
        const entry = parseProposedEntry(JSON.parse(body.toString()), OPTS);
        assert.ok(Buffer.from(entry.body).equals(body), c.name);
      }
      checked++;
    }
    assert.equal(checked, 20);
  });
});

// --- signatures ----------------------------------------------------------------------------------

type KeyPair = { publicKey: KeyObject; privateKey: KeyObject };
const keys = {
  p256: generateKeyPairSync('ec', { namedCurve: 'P-256' }) as KeyPair,
  p384: generateKeyPairSync('ec', { namedCurve: 'P-384' }) as KeyPair,
  rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }) as KeyPair,
  ed25519: generateKeyPairSync('ed25519') as KeyPair,
};
const pemOf = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }) as string;
const ARTIFACT = Buffer.from('custody artifact\n');
const DIGEST = createHash('sha256').update(ARTIFACT).digest('hex');

function signArtifact(k: KeyPair, data: Uint8Array = ARTIFACT, hash = 'sha256'): string {
  const alg = k.privateKey.asymmetricKeyType === 'ed25519' ? null : hash;
  return b64(cryptoSign(alg, data, k.privateKey));
}

function rekorHashedrekord(k: KeyPair, over = {}): Record<string, unknown> {
  return {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: 'sha256', value: DIGEST } },
      signature: { content: signArtifact(k), publicKey: { content: b64(pemOf(k.publicKey)) } },
      ...over,
    },
  };
}

function envelopeFor(signers: KeyPair[], payload = '{"_type":"https://in-toto.io/Statement/v1"}') {
  const payloadType = 'application/vnd.in-toto+json';
  const pae = preAuthEncoding(payloadType, Buffer.from(payload));
  return {
    payload: b64(payload),
    payloadType,
    signatures: signers.map((k) => ({
      keyid: '',
      sig: b64(
        k.privateKey.asymmetricKeyType === 'ed25519'
          ? cryptoSign(null, pae, k.privateKey)
          : cryptoSign('sha256', pae, k.privateKey),
      ),
    })),
  };
}

function rekorDsse(envelope: unknown, verifiers: KeyPair[]): Record<string, unknown> {
  return {
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      proposedContent: {
        envelope: typeof envelope === 'string' ? envelope : JSON.stringify(envelope),
        verifiers: verifiers.map((k) => b64(pemOf(k.publicKey))),
      },
    },
  };
}

function bodyOf(e: LogEntry): { apiVersion: string; kind: string; spec: Record<string, unknown> } {
  return JSON.parse(Buffer.from(e.body).toString('utf8'));
}

describe('parseProposedEntry: hashedrekord', () => {
  for (const name of ['p256', 'p384', 'rsa'] as const) {
    it(`accepts a ${name} signature checked against the digest alone`, () => {
      const e = parseProposedEntry(rekorHashedrekord(keys[name]), OPTS);
      assert.equal(e.kind, 'hashedrekord');
      assert.equal(e.subjectDigest, `sha256:${DIGEST}`);
      assert.deepEqual(e.leafHash, leafHash(e.body));
    });
  }

  it('accepts sha384 and sha512 digests', () => {
    for (const alg of ['sha384', 'sha512']) {
      const value = createHash(alg).update(ARTIFACT).digest('hex');
      for (const k of [keys.p256, keys.rsa]) {
        const proposed = rekorHashedrekord(k, {
          data: { hash: { algorithm: alg, value } },
          signature: {
            content: signArtifact(k, ARTIFACT, alg),
            publicKey: { content: b64(pemOf(k.publicKey)) },
          },
        });
        assert.equal(parseProposedEntry(proposed, OPTS).subjectDigest, `${alg}:${value}`);
      }
    }
  });

  it('refuses a signature over another artifact, a flipped digest or another key', () => {
    for (const k of [keys.p256, keys.rsa]) {
      const other = rekorHashedrekord(k, {
        signature: {
          content: signArtifact(k, Buffer.from('other')),
          publicKey: { content: b64(pemOf(k.publicKey)) },
        },
      });
      expectCustodyError(
        () => parseProposedEntry(other, OPTS),
        TlogError,
        'TLOG_ENTRY_SIGNATURE_INVALID',
      );
      const flipped = rekorHashedrekord(k, {
        data: {
          hash: {
            algorithm: 'sha256',
            value: `${DIGEST.slice(0, -1)}${DIGEST.endsWith('0') ? '1' : '0'}`,
          },
        },
      });
      expectCustodyError(
        () => parseProposedEntry(flipped, OPTS),
        TlogError,
        'TLOG_ENTRY_SIGNATURE_INVALID',
      );
    }
    const wrongKey = rekorHashedrekord(keys.p256, {
      signature: {
        content: signArtifact(keys.p256),
        publicKey: { content: b64(pemOf(keys.p384.publicKey)) },
      },
    });
    expectCustodyError(
      () => parseProposedEntry(wrongKey, OPTS),
      TlogError,
      'TLOG_ENTRY_SIGNATURE_INVALID',
    );
  });

  it('refuses Ed25519 (not checkable from a digest) and says to use dsse', () => {
    const e = expectCustodyError(
      () => parseProposedEntry(rekorHashedrekord(keys.ed25519), OPTS),
      TlogError,
      'TLOG_ENTRY_MALFORMED',
    );
    assert.match(e.message, /dsse/);
  });

  it('the typed form gives the same leaf as the Rekor form', () => {
    const rekor = parseProposedEntry(rekorHashedrekord(keys.p256), OPTS);
    const sig = bodyOf(rekor).spec as { signature: { content: string } };
    const typed = parseProposedEntry(
      {
        kind: 'hashedrekord',
        digest: `sha256:${DIGEST}`,
        signature: sig.signature.content,
        publicKey: pemOf(keys.p256.publicKey),
      },
      OPTS,
    );
    assert.deepEqual(typed.body, rekor.body);
  });
});

describe('parseProposedEntry: Custody kinds', () => {
  for (const kind of ['sbom', 'vex', 'attestation'] as const) {
    it(`${kind}: checked like hashedrekord, body of apiVersion custody/v1`, () => {
      const proposed = {
        kind,
        digest: `sha256:${DIGEST}`,
        signature: signArtifact(keys.p256),
        publicKey: pemOf(keys.p256.publicKey),
      };
      const e = parseProposedEntry(proposed, OPTS);
      assert.equal(e.kind, kind);
      assert.equal(e.subjectDigest, `sha256:${DIGEST}`);
      const body = bodyOf(e);
      assert.equal(body.apiVersion, 'custody/v1');
      assert.equal(body.kind, kind);
      assert.equal(Buffer.from(e.body).toString(), JSON.stringify(body), 'canonical JSON');
      const tampered = { ...proposed, signature: signArtifact(keys.p256, Buffer.from('x')) };
      expectCustodyError(
        () => parseProposedEntry(tampered, OPTS),
        TlogError,
        'TLOG_ENTRY_SIGNATURE_INVALID',
      );
    });
  }

  it('refuses uppercase digests, both key fields, and a key in the certificate field', () => {
    const base = { kind: 'sbom', signature: signArtifact(keys.p256) };
    const bad = [
      { ...base, digest: `sha256:${DIGEST.toUpperCase()}`, publicKey: pemOf(keys.p256.publicKey) },
      { ...base, digest: `sha256:${DIGEST}` },
      {
        ...base,
        digest: `sha256:${DIGEST}`,
        publicKey: pemOf(keys.p256.publicKey),
        certificate: pemOf(keys.p256.publicKey),
      },
      { ...base, digest: `sha256:${DIGEST}`, certificate: pemOf(keys.p256.publicKey) },
      { ...base, digest: DIGEST, publicKey: pemOf(keys.p256.publicKey) },
      { ...base, digest: `md5:${DIGEST}`, publicKey: pemOf(keys.p256.publicKey) },
    ];
    for (const b of bad)
      expectCustodyError(() => parseProposedEntry(b, OPTS), TlogError, 'TLOG_ENTRY_MALFORMED');
  });
});

describe('parseProposedEntry: dsse', () => {
  it('accepts ECDSA, RSA and Ed25519 signers over the PAE', () => {
    for (const k of [keys.p256, keys.rsa, keys.ed25519]) {
      const env = envelopeFor([k]);
      const e = parseProposedEntry(rekorDsse(env, [k]), OPTS);
      const spec = bodyOf(e).spec as { envelopeHash: { value: string }; signatures: unknown[] };
      assert.equal(
        spec.envelopeHash.value,
        createHash('sha256').update(JSON.stringify(env)).digest('hex'),
      );
      assert.equal(spec.signatures.length, 1);
      assert.equal(
        e.subjectDigest,
        `sha256:${createHash('sha256').update('{"_type":"https://in-toto.io/Statement/v1"}').digest('hex')}`,
      );
    }
  });

  it('sorts several signatures by their base64 text, each with its own key', () => {
    const env = envelopeFor([keys.p256, keys.ed25519, keys.rsa]);
    const e = parseProposedEntry(rekorDsse(env, [keys.rsa, keys.p256, keys.ed25519]), OPTS);
    const sigs = (bodyOf(e).spec as { signatures: { signature: string; verifier: string }[] })
      .signatures;
    assert.deepEqual(
      sigs.map((s) => s.signature),
      env.signatures.map((s) => s.sig).sort(),
    );
    for (const s of sigs) {
      const i = env.signatures.findIndex((x) => x.sig === s.signature);
      const k = [keys.p256, keys.ed25519, keys.rsa][i] as KeyPair;
      assert.equal(Buffer.from(s.verifier, 'base64').toString(), pemOf(k.publicKey));
    }
  });

  it('the typed form (text or object) gives the Rekor leaf', () => {
    const env = envelopeFor([keys.ed25519]);
    const rekor = parseProposedEntry(rekorDsse(env, [keys.ed25519]), OPTS);
    const asText = parseProposedEntry(
      { kind: 'dsse', envelope: JSON.stringify(env), publicKey: pemOf(keys.ed25519.publicKey) },
      OPTS,
    );
    assert.deepEqual(asText.body, rekor.body);
    const asObject = parseProposedEntry(
      { kind: 'dsse', envelope: env, publicKey: pemOf(keys.ed25519.publicKey) },
      OPTS,
    );
    const hash = (bodyOf(asObject).spec as { envelopeHash: { value: string } }).envelopeHash.value;
    // An object has no "bytes as sent": its RFC 8785 form (keys sorted) is what is hashed.
    const canonical = `{"payload":"${env.payload}","payloadType":"${env.payloadType}","signatures":[{"keyid":"","sig":"${env.signatures[0]?.sig}"}]}`;
    assert.equal(hash, createHash('sha256').update(canonical).digest('hex'));
  });

  it('refuses a tampered payload, an unsigned signature, and a key that signed nothing', () => {
    const env = envelopeFor([keys.p256]);
    const tampered = { ...env, payload: b64('{"_type":"other"}') };
    expectCustodyError(
      () => parseProposedEntry(rekorDsse(tampered, [keys.p256]), OPTS),
      TlogError,
      'TLOG_ENTRY_SIGNATURE_INVALID',
    );
    const two = envelopeFor([keys.p256, keys.rsa]);
    expectCustodyError(
      () => parseProposedEntry(rekorDsse(two, [keys.p256]), OPTS),
      TlogError,
      'TLOG_ENTRY_SIGNATURE_INVALID',
    );
    expectCustodyError(
      () => parseProposedEntry(rekorDsse(env, [keys.rsa, keys.p256]), OPTS),
      TlogError,
      'TLOG_ENTRY_SIGNATURE_INVALID',
    );
  });

  it('refuses malformed envelopes and verifier lists', () => {
    const env = envelopeFor([keys.p256]);
    const bad = [
      rekorDsse('not json', [keys.p256]),
      rekorDsse({ ...env, signatures: [] }, [keys.p256]),
      rekorDsse({ ...env, payload: '***' }, [keys.p256]),
      rekorDsse(env, []),
      {
        apiVersion: '0.0.1',
        kind: 'dsse',
        spec: { proposedContent: { envelope: env, verifiers: [] } },
      },
      { kind: 'dsse', envelope: 42, publicKey: pemOf(keys.p256.publicKey) },
    ];
    for (const b of bad)
      expectCustodyError(() => parseProposedEntry(b, OPTS), TlogError, 'TLOG_ENTRY_MALFORMED');
  });
});

describe('parseProposedEntry: shape and size', () => {
  it('refuses unknown kinds, Rekor versions and encodings with TLOG_ENTRY_MALFORMED', () => {
    const good = rekorHashedrekord(keys.p256);
    const bad: unknown[] = [
      null,
      [],
      'hashedrekord',
      { kind: 'rekord' },
      { apiVersion: '0.0.1', kind: 'intoto', spec: {} },
      { ...good, apiVersion: '0.0.2' },
      { apiVersion: '0.0.1', kind: 'sbom', spec: {} },
      rekorHashedrekord(keys.p256, {
        signature: { content: 'not base64!', publicKey: { content: '' } },
      }),
      rekorHashedrekord(keys.p256, {
        signature: { content: signArtifact(keys.p256), publicKey: { content: b64('no pem') } },
      }),
      rekorHashedrekord(keys.p256, { data: { hash: { algorithm: 'sha256', value: 'abc' } } }),
      rekorHashedrekord(keys.p256, {
        signature: {
          content: signArtifact(keys.p256),
          publicKey: {
            content: b64(pemOf(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey)),
          },
        },
      }),
    ];
    for (const b of bad)
      expectCustodyError(() => parseProposedEntry(b, OPTS), TlogError, 'TLOG_ENTRY_MALFORMED');
  });

  it('refuses bodies and inputs over maxBytes with TLOG_ENTRY_TOO_LARGE', () => {
    const e = parseProposedEntry(rekorHashedrekord(keys.p256), OPTS);
    const justRight = { maxBytes: e.body.length };
    assert.deepEqual(
      parseProposedEntry(rekorHashedrekord(keys.p256), justRight).leafHash.length,
      32,
    );
    const small = { maxBytes: e.body.length - 1 };
    const err = expectCustodyError(
      () => parseProposedEntry(rekorHashedrekord(keys.p256), small),
      TlogError,
      'TLOG_ENTRY_TOO_LARGE',
    );
    assert.match(err.message, /limit/);
    const big = envelopeFor([keys.p256], 'x'.repeat(5000));
    expectCustodyError(
      () => parseProposedEntry(rekorDsse(big, [keys.p256]), { maxBytes: 4096 }),
      TlogError,
      'TLOG_ENTRY_TOO_LARGE',
    );
  });

  it('takes a DSSE envelope up to maxEnvelopeBytes, keeping only its hashes in the leaf', () => {
    const big = envelopeFor([keys.p256], 'x'.repeat(200_000));
    const opts = { maxBytes: 4096, maxEnvelopeBytes: 400_000 };
    const typed = {
      kind: 'dsse',
      envelope: JSON.stringify(big),
      publicKey: pemOf(keys.p256.publicKey),
    };
    for (const proposed of [rekorDsse(big, [keys.p256]), typed]) {
      const e = parseProposedEntry(proposed, opts);
      assert.ok(e.body.length < 4096, `${e.body.length} bytes`);
    }
    expectCustodyError(
      () => parseProposedEntry(rekorDsse(big, [keys.p256]), { ...opts, maxEnvelopeBytes: 100_000 }),
      TlogError,
      'TLOG_ENTRY_TOO_LARGE',
    );
  });

  it('fuzz: arbitrary values only ever fail with TlogError', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        try {
          parseProposedEntry(v, OPTS);
        } catch (e) {
          assert.ok(e instanceof TlogError, String(e));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('fuzz: valid entries with one field replaced only ever fail with TlogError', () => {
    const seeds = [
      rekorHashedrekord(keys.p256),
      rekorDsse(envelopeFor([keys.ed25519]), [keys.ed25519]),
      {
        kind: 'vex',
        digest: `sha256:${DIGEST}`,
        signature: signArtifact(keys.rsa),
        publicKey: pemOf(keys.rsa.publicKey),
      },
    ];
    const leafPaths = (v: unknown, at: string[] = []): string[][] =>
      v !== null && typeof v === 'object'
        ? Object.entries(v).flatMap(([k, x]) => [[...at, k], ...leafPaths(x, [...at, k])])
        : [];
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.nat(),
        fc.oneof(fc.anything(), fc.string(), fc.base64String()),
        (seed, pick, value) => {
          const copy = structuredClone(seed) as Record<string, unknown>;
          const paths = leafPaths(copy);
          const path = paths[pick % paths.length] as string[];
          let at: Record<string, unknown> = copy;
          for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
          at[path[path.length - 1] as string] = value;
          try {
            parseProposedEntry(copy, OPTS);
          } catch (e) {
            assert.ok(e instanceof TlogError, String(e));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('verifyEcdsaPrehashed', () => {
  it('agrees with Node on random messages (P-256, P-384; SHA-256/384/512) and catches bit flips', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.constantFrom('p256', 'p384'),
        fc.constantFrom('sha256', 'sha384', 'sha512'),
        fc.nat(),
        (msg, curve, hash, bit) => {
          const k = keys[curve as 'p256' | 'p384'];
          const sig = cryptoSign(hash, msg, k.privateKey);
          const digest = createHash(hash).update(msg).digest();
          assert.ok(verifyEcdsaPrehashed(k.publicKey, digest, sig));
          // Only the leftmost bits, as many as the curve order has, are signed.
          const flipped = Buffer.from(digest);
          const at = (bit >> 3) % Math.min(flipped.length, curve === 'p256' ? 32 : 48);
          flipped.writeUInt8((flipped.readUInt8(at) ^ (1 << (bit & 7))) & 0xff, at);
          assert.ok(!verifyEcdsaPrehashed(k.publicKey, flipped, sig));
          const badSig = Buffer.from(sig);
          badSig.writeUInt8(badSig.readUInt8(badSig.length - 1) ^ 1, badSig.length - 1);
          assert.ok(!verifyEcdsaPrehashed(k.publicKey, digest, badSig));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses non-DER signature encodings (IEEE P1363, trailing bytes)', () => {
    const digest = createHash('sha256').update(ARTIFACT).digest();
    const p1363 = cryptoSign('sha256', ARTIFACT, {
      key: keys.p256.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    assert.ok(!verifyEcdsaPrehashed(keys.p256.publicKey, digest, p1363));
    const der = cryptoSign('sha256', ARTIFACT, keys.p256.privateKey);
    assert.ok(
      !verifyEcdsaPrehashed(keys.p256.publicKey, digest, Buffer.concat([der, Buffer.from([0])])),
    );
  });
});

describe('verifyEcdsaPrehashedJs (the @noble/curves path, used when the addon is absent)', () => {
  const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

  it('agrees with Node on random messages and with the native path, and catches bit flips', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.constantFrom('p256', 'p384'),
        fc.constantFrom('sha1', 'sha256', 'sha384', 'sha512'),
        fc.nat(),
        (msg, curve, hash, bit) => {
          const k = keys[curve as 'p256' | 'p384'];
          const sig = cryptoSign(hash, msg, k.privateKey);
          const digest = createHash(hash).update(msg).digest();
          assert.ok(verifyEcdsaPrehashedJs(k.publicKey, digest, sig));
          assert.ok(verifyEcdsaPrehashed(k.publicKey, digest, sig));
          const flipped = Buffer.from(digest);
          const at = (bit >> 3) % Math.min(flipped.length, curve === 'p256' ? 32 : 48);
          flipped.writeUInt8((flipped.readUInt8(at) ^ (1 << (bit & 7))) & 0xff, at);
          assert.ok(!verifyEcdsaPrehashedJs(k.publicKey, flipped, sig));
          const badSig = Buffer.from(sig);
          badSig.writeUInt8(badSig.readUInt8(badSig.length - 1) ^ 1, badSig.length - 1);
          assert.equal(
            verifyEcdsaPrehashedJs(k.publicKey, digest, badSig),
            verifyEcdsaPrehashed(k.publicKey, digest, badSig),
          );
          assert.ok(!verifyEcdsaPrehashedJs(k.publicKey, digest, badSig));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('accepts high-S signatures as OpenSSL does, and refuses non-DER encodings', () => {
    const digest = createHash('sha256').update(ARTIFACT).digest();
    const der = cryptoSign('sha256', ARTIFACT, keys.p256.privateKey);
    // Re-encode (r, n − s): the same signature with the other S, valid for OpenSSL and Go.
    const p1363 = cryptoSign('sha256', ARTIFACT, {
      key: keys.p256.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    const r = BigInt(`0x${p1363.subarray(0, 32).toString('hex')}`);
    const s = BigInt(`0x${p1363.subarray(32).toString('hex')}`);
    const flippedS = derSignature(r, P256_N - s);
    assert.equal(verifyEcdsaPrehashedJs(keys.p256.publicKey, digest, flippedS), true);
    assert.equal(verifyEcdsaPrehashed(keys.p256.publicKey, digest, flippedS), true);
    assert.equal(cryptoVerify('sha256', ARTIFACT, keys.p256.publicKey, flippedS), true);
    assert.ok(!verifyEcdsaPrehashedJs(keys.p256.publicKey, digest, p1363));
    assert.ok(
      !verifyEcdsaPrehashedJs(keys.p256.publicKey, digest, Buffer.concat([der, Buffer.from([0])])),
    );
    assert.ok(!verifyEcdsaPrehashedJs(keys.p256.publicKey, digest, derSignature(0n, s)));
    assert.ok(!verifyEcdsaPrehashedJs(keys.p256.publicKey, digest, derSignature(r, P256_N)));
  });

  it('refuses keys on other curves', () => {
    const k = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const sig = cryptoSign('sha256', ARTIFACT, k.privateKey);
    const digest = createHash('sha256').update(ARTIFACT).digest();
    assert.equal(verifyEcdsaPrehashedJs(k.publicKey, digest, sig), false);
  });
});

// A minimal DER ECDSA-Sig-Value of (r, s).
function derSignature(r: bigint, s: bigint): Buffer {
  const int = (v: bigint): Buffer => {
    let b = Buffer.from(
      v
        .toString(16)
        .padStart(2, '0')
        .replace(/^(.(..)*)$/, '0$1'),
      'hex',
    );
    while (b.length > 1 && b[0] === 0 && !((b[1] as number) & 0x80)) b = b.subarray(1);
    if ((b[0] as number) & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return Buffer.concat([Buffer.from([0x02, b.length]), b]);
  };
  const body = Buffer.concat([int(r), int(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
