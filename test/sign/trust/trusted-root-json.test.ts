import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial } from '@sigstore/verify';
import { createCaCertificates } from '../../../src/sign/ca/index.js';
import { SignError } from '../../../src/sign/errors.js';
import {
  addCertificateAuthority,
  addTransparencyLog,
  certificateAuthorityJson,
  emptyTrustedRoot,
  listTrust,
  parseTrustedRootJson,
  removeTrust,
  retireTrust,
} from '../../../src/sign/trust/index.js';
import { trustedRootTlogEntry } from '../../../src/tlog/rekor.js';
import { expectCustodyError } from '../../helpers/expect-error.js';

const T0 = new Date('2025-01-01T00:00:00Z');
const T1 = new Date('2025-07-01T00:00:00Z');

async function ca(name: string) {
  const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const c = await createCaCertificates({
    rootKey: ec(),
    intermediateKey: ec(),
    subject: { organization: 'Example', commonName: name },
    now: T0,
  });
  return certificateAuthorityJson({
    chain: [c.intermediate, c.root],
    uri: `https://${name}.example`,
    subject: { organization: 'Example', commonName: name },
    validFrom: T0,
  });
}

describe('trusted_root.json', () => {
  it('holds several CAs and a log, and @sigstore/verify reads it', async () => {
    const log = trustedRootTlogEntry(
      generateKeyPairSync('ed25519').publicKey,
      'https://log.example',
      T0,
    );
    const a = await ca('old');
    const b = await ca('new');
    let root = addTransparencyLog(addCertificateAuthority(emptyTrustedRoot(), a), log);
    root = addCertificateAuthority(root, b);
    root = addCertificateAuthority(root, b); // idempotent
    assert.equal(root.certificateAuthorities.length, 2);
    const rows = listTrust(root);
    assert.deepEqual(
      rows.map((r) => [r.kind, r.uri]),
      [
        ['ca', 'https://old.example'],
        ['ca', 'https://new.example'],
        ['tlog', 'https://log.example'],
      ],
    );
    const material = toTrustMaterial(TrustedRoot.fromJSON(JSON.parse(JSON.stringify(root))));
    assert.equal(material.certificateAuthorities.length, 2);
    assert.equal(material.tlogs.length, 1);
    assert.deepEqual(parseTrustedRootJson(JSON.stringify(root)), root);

    // Rotation: the old CA is retired at T1, then removed by a prefix of its id.
    const oldId = rows[0]?.id as string;
    const retired = retireTrust(root, oldId, T1);
    assert.equal(retired.certificateAuthorities[0]?.validFor.end, T1.toISOString());
    assert.equal(retired.certificateAuthorities[1]?.validFor.end, undefined);
    const removed = removeTrust(retired, oldId.slice(0, 12));
    assert.deepEqual(
      listTrust(removed).map((r) => r.uri),
      ['https://new.example', 'https://log.example'],
    );
    const logId = rows[2]?.id as string;
    assert.equal(removeTrust(removed, logId).tlogs.length, 0);
  });

  it('refuses an unknown or ambiguous id, and too short a prefix', async () => {
    const root = addCertificateAuthority(emptyTrustedRoot(), await ca('a'));
    const id = listTrust(root)[0]?.id as string;
    expectCustodyError(
      () => removeTrust(root, 'ffffffffff'),
      SignError,
      'SIGN_TRUSTED_ROOT_INVALID',
    );
    expectCustodyError(
      () => removeTrust(root, id.slice(0, 4)),
      SignError,
      'SIGN_TRUSTED_ROOT_INVALID',
    );
  });

  it('lists every problem of a malformed root', () => {
    expectCustodyError(() => parseTrustedRootJson('{'), SignError, 'SIGN_TRUSTED_ROOT_INVALID');
    const e = expectCustodyError(
      () =>
        parseTrustedRootJson(
          JSON.stringify({
            mediaType: 'text/plain',
            tlogs: [{}],
            certificateAuthorities: [{ certChain: { certificates: [] } }],
          }),
        ),
      SignError,
      'SIGN_TRUSTED_ROOT_INVALID',
    );
    assert.equal((e.details as { problems: string[] }).problems.length, 6);
  });
});
