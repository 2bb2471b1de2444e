import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { LogLaterError } from '../../../src/app/log-later/errors.js';
import {
  parseSpoolEntry,
  readSpool,
  type SpoolEntry,
  signatureId,
  spoolDir,
  writeSpoolEntry,
} from '../../../src/app/log-later/spool.js';

const bundle = {
  mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  verificationMaterial: { publicKey: { hint: 'h' } },
  messageSignature: {
    messageDigest: { algorithm: 'SHA2_256', digest: 'ZGlnZXN0' },
    signature: 'c2ln',
  },
} as unknown as SpoolEntry['bundle'];

function entry(): SpoolEntry {
  return {
    version: 1,
    id: signatureId(bundle),
    pending: 'log',
    createdAt: '2026-01-01T00:00:00.000Z',
    logUrl: 'http://127.0.0.1:1',
    publicKey: '-----BEGIN PUBLIC KEY-----\n…\n-----END PUBLIC KEY-----\n',
    bundle,
    target: { kind: 'file', bundlePath: '/tmp/x.json' },
    reason: 'the log is down',
  };
}

describe('the log-later spool', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'custody-spool-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('where it is: --spool, else the data dir, else ~/.custody', () => {
    assert.equal(spoolDir('/s', { CUSTODY_DATA_DIR: '/d', HOME: '/h' }), '/s');
    assert.equal(spoolDir(undefined, { CUSTODY_DATA_DIR: '/d', HOME: '/h' }), '/d/log-later');
    assert.equal(spoolDir(undefined, { HOME: '/h' }), '/h/.custody/log-later');
  });

  it('round-trips an entry; one file per signature (written twice, still one)', () => {
    const p1 = writeSpoolEntry(dir, entry());
    const p2 = writeSpoolEntry(dir, entry());
    assert.equal(p1, p2);
    const all = readSpool(dir);
    assert.equal(all.length, 1);
    assert.deepEqual(all[0]?.entry, entry());
    assert.deepEqual(parseSpoolEntry(JSON.parse(readFileSync(p1, 'utf8'))), entry());
  });

  it('refuses an entry whose id is not its signature’s, and other damage, with LOG_LATER_SPOOL_INVALID', () => {
    const cases: Array<[string, (e: Record<string, unknown>) => void]> = [
      ['id', (e) => (e['id'] = 'a'.repeat(64))],
      ['version', (e) => (e['version'] = 2)],
      ['pending', (e) => (e['pending'] = 'later')],
      ['logUrl', (e) => (e['logUrl'] = 'file:///etc/passwd')],
      ['target', (e) => (e['target'] = { kind: 'image', image: 'x', role: 'sig' })],
      [
        'bundle',
        (e) => (e['bundle'] = { mediaType: 'x', dsseEnvelope: { payload: 'p', signatures: 3 } }),
      ],
    ];
    for (const [what, damage] of cases) {
      const e = structuredClone(entry()) as unknown as Record<string, unknown>;
      damage(e);
      assert.throws(
        () => parseSpoolEntry(e),
        (err: unknown) => err instanceof LogLaterError && err.code === 'LOG_LATER_SPOOL_INVALID',
        what,
      );
    }
  });

  it('a damaged file is reported, not thrown', () => {
    writeFileSync(join(dir, 'bad.json'), '{');
    const bad = readSpool(dir).find((f) => f.path.endsWith('bad.json'));
    assert.equal(bad?.error?.code, 'LOG_LATER_SPOOL_INVALID');
  });

  it('any JSON value: an entry or LOG_LATER_SPOOL_INVALID, nothing else (fast-check)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        try {
          parseSpoolEntry(v);
        } catch (e) {
          assert.ok(e instanceof LogLaterError && e.code === 'LOG_LATER_SPOOL_INVALID', String(e));
        }
      }),
      { numRuns: 500 },
    );
  });
});
