import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { createCaCertificates, openCertificateAuthority } from '../../src/sign/ca/index.js';
import {
  emergencyCertificateEntry,
  leafHash,
  parseEmergencyCertificateEntry,
  parseProposedEntry,
  TlogError,
} from '../../src/tlog/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';

async function certificate(): Promise<Uint8Array> {
  const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const now = new Date();
  const intermediateKey = ec();
  const certs = await createCaCertificates({
    rootKey: ec(),
    intermediateKey,
    subject: { organization: 'Test', commonName: 'test' },
    now,
  });
  const ca = await openCertificateAuthority({
    intermediateKey,
    chain: [certs.intermediate, certs.root],
  });
  const issued = await ca.issue({
    publicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
    identity: { kind: 'email', email: 'releaser@example.com' },
    extensions: [],
    now,
    lifetimeSeconds: 3600,
    emergency: { approver: 'bob', requester: 'alice', reason: 'outage' },
  });
  return issued.der;
}

describe('emergency-certificate log entries', () => {
  it('hold the certificate and the request; read back as written; subject is the certificate digest', async () => {
    const der = await certificate();
    const fields = {
      certificate: der,
      identity: 'releaser@example.com',
      issuer: 'http://127.0.0.1:8080/emergency',
      team: 'web',
      request: '7',
      requester: 'alice',
      approver: 'bob',
      reason: 'outage',
      notBefore: '2026-01-01T00:00:00.000Z',
      notAfter: '2026-01-02T00:00:00.000Z',
    };
    const e = emergencyCertificateEntry(fields);
    assert.equal(e.kind, 'emergency-certificate');
    assert.equal(e.subjectDigest, `sha256:${createHash('sha256').update(der).digest('hex')}`);
    assert.deepEqual(Buffer.from(e.leafHash), Buffer.from(leafHash(e.body)));
    const back = parseEmergencyCertificateEntry(e.body);
    assert.deepEqual(
      { ...back, certificate: Buffer.from(back.certificate) },
      {
        ...fields,
        certificate: Buffer.from(der),
      },
    );
  });

  it('are refused from anyone but the CA, and a leaf that is not one does not parse', async () => {
    const refused = expectCustodyError(
      () =>
        parseProposedEntry(
          { kind: 'emergency-certificate', certificate: 'x' },
          { maxBytes: 1 << 20 },
        ),
      TlogError,
      'TLOG_ENTRY_MALFORMED',
    );
    assert.match(refused.message, /written by Custody's certificate authority/);
    expectCustodyError(
      () => parseEmergencyCertificateEntry(new TextEncoder().encode('{"kind":"sbom"}')),
      TlogError,
      'TLOG_ENTRY_MALFORMED',
    );
    expectCustodyError(
      () =>
        emergencyCertificateEntry({
          certificate: new Uint8Array([1, 2, 3]),
          identity: 'a@b.cd',
          issuer: 'x',
          team: 't',
          request: '1',
          requester: 'a',
          approver: 'b',
          reason: 'r',
          notBefore: '',
          notAfter: '',
        }),
      TlogError,
      'TLOG_ENTRY_MALFORMED',
    );
  });
});
