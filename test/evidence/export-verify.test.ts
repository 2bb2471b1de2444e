import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { EvidenceManifest } from '../../src/api/evidence.js';
import {
  AUDIT_PATH,
  type AuditRowFile,
  buildManifest,
  EvidenceError,
  type EvidenceFile,
  MANIFEST_PATH,
  MANIFEST_SIGNATURE_PATH,
  packEvidenceTar,
  readEvidenceTar,
  signManifest,
  verifyEvidence,
} from '../../src/evidence/index.js';
import { generateKey } from '../../src/sign/index.js';
import { expectCustodyErrorAsync } from '../helpers/expect-error.js';
import { call } from '../helpers/server.js';
import { type SeededRelease, seedRelease } from './seed.js';

/**
 * The evidence an auditor gets, end to end: a release seeded through the API (SBOM, key and
 * keyless signatures logged in the service's log, provenance, a published VEX document), exported
 * over HTTP as a tar, verified offline; then any changed byte, removed or added file fails it.
 */
describe('evidence export and verify', () => {
  let seeded: SeededRelease;
  let tar: Uint8Array;
  let files: EvidenceFile[];
  let trustedRoot: Uint8Array;

  // Fails (a report with a failed check, or a typed error for an unreadable archive) — never passes.
  const fails = async (bytes: Uint8Array, o: Parameters<typeof verifyEvidence>[1] = {}) => {
    try {
      const r = await verifyEvidence(bytes, o);
      return !r.ok;
    } catch (e) {
      assert.ok(e instanceof EvidenceError, `unexpected ${(e as Error)?.stack}`);
      return true;
    }
  };

  before(async () => {
    seeded = await seedRelease('sqlite');
    const r = await fetch(`${seeded.srv.base}/api/v1/products/shop/releases/1.0.0/evidence`, {
      headers: { authorization: `Bearer ${seeded.reader}` },
    });
    assert.equal(r.status, 200, await r.clone().text());
    assert.equal(r.headers.get('content-type'), 'application/x-tar');
    assert.equal(
      r.headers.get('content-disposition'),
      'attachment; filename="shop-1.0.0-evidence.tar"',
    );
    tar = new Uint8Array(await r.arrayBuffer());
    files = await readEvidenceTar(tar);
    trustedRoot = new TextEncoder().encode(
      (await call(seeded.srv, 'GET', '/api/v1/trusted-root')).text,
    );
  });

  after(async () => seeded.srv.close());

  it('holds every piece, listed with digests, and verifies offline', async () => {
    const paths = files.map((f) => f.path);
    for (const p of [
      'manifest.json',
      'manifest.sig.json',
      'NARRATIVE.md',
      'release.json',
      'index.json',
      'trust/trusted-root.json',
      'trust/service-signing-key.pem',
      'audit/events.json',
      'admission/decisions.json',
      'emergency/requests.json',
      'policy/slsa.json',
    ])
      assert.ok(paths.includes(p), `${p} missing from ${paths.join(', ')}`);
    assert.ok(paths.some((p) => /^sbom\/[0-9a-f]{64}\/v1\.json$/.test(p)));
    assert.ok(paths.some((p) => p.startsWith('vex/openvex-')));
    assert.ok(paths.filter((p) => p.startsWith('bundles/')).length >= 5);
    assert.ok(paths.some((p) => p.startsWith('tlog/checkpoints/')));
    const manifest = JSON.parse(
      new TextDecoder().decode(files.find((f) => f.path === MANIFEST_PATH)?.data),
    ) as EvidenceManifest;
    assert.equal(manifest.files.length, files.length - 2);
    assert.equal(manifest.product, 'shop');
    const release = JSON.parse(
      new TextDecoder().decode(files.find((f) => f.path === 'release.json')?.data),
    );
    assert.equal(release.ticket, 'CHG-4711');
    const decisions = JSON.parse(
      new TextDecoder().decode(files.find((f) => f.path === 'admission/decisions.json')?.data),
    );
    assert.equal(decisions.length, 1);
    assert.equal(decisions[0].images[0].digest, seeded.artifact);
    assert.equal(decisions[0].images[0].policy_name, 'admission-default');

    const report = await verifyEvidence(tar);
    assert.ok(
      report.ok,
      JSON.stringify(
        report.checks.filter((c) => !c.ok),
        null,
        2,
      ),
    );
    assert.equal(report.trustedRoot, 'bundle');
    const names = report.checks.map((c) => c.name);
    assert.ok(names.includes('manifest signature'));
    assert.equal(names.filter((n) => n.startsWith('sbom-signature ')).length, 3);
    assert.ok(report.checks.some((c) => c.detail.includes('no log entry in the bundle')));
    assert.equal(names.filter((n) => n.startsWith('attestation ')).length, 1);
    assert.equal(names.filter((n) => n.startsWith('vex ')).length, 1);
    assert.ok(names.filter((n) => n.startsWith('log entry ')).length >= 6);
    // Every audit row about the release is chained now (app/audit writes the links).
    const audit = report.checks.find((c) => c.name === 'audit chain');
    assert.match(audit?.detail ?? '', /^([1-9]\d*) audit rows recompute to their hashes/);
    assert.doesNotMatch(audit?.detail ?? '', /written before the chain/);
    const keyless = report.checks.find((c) => c.detail.includes('releaser@example.com'));
    assert.ok(keyless?.ok);

    const narrative = new TextDecoder().decode(files.find((f) => f.path === 'NARRATIVE.md')?.data);
    assert.match(narrative, /releaser@example\\\\\.com|releaser@example\\\.com/);
    assert.match(narrative, /\| audrey \| auditor \| web \|/);
    assert.match(narrative, /\| ada \| admin \| all \|/);
    assert.doesNotMatch(narrative, /otto/);
    assert.match(narrative, /cosign verify-blob sbom\//);
    assert.match(narrative, /Exported with a team-scoped token/);
  });

  it('verifies under an out-of-band trusted root and key, and fails under foreign ones', async () => {
    const pem = (await call(seeded.srv, 'GET', '/api/v1/vex-signing-key')).text;
    const ok = await verifyEvidence(tar, { trustedRoot, manifestKey: pem });
    assert.ok(ok.ok, JSON.stringify(ok.checks.filter((c) => !c.ok)));
    assert.equal(ok.trustedRoot, 'out-of-band');
    assert.equal(ok.manifestKey, 'out-of-band');

    const foreignKey = generateKey('ecdsa-p256').publicPem;
    const byKey = await verifyEvidence(tar, { manifestKey: foreignKey });
    assert.equal(byKey.ok, false);
    assert.equal(byKey.checks.find((c) => c.name === 'manifest signature')?.ok, false);

    const empty = new TextEncoder().encode(
      JSON.stringify({
        mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
        tlogs: [],
        certificateAuthorities: [],
        ctlogs: [],
        timestampAuthorities: [],
      }),
    );
    const byRoot = await verifyEvidence(tar, { trustedRoot: empty });
    assert.equal(byRoot.ok, false);
    const bad = byRoot.checks.filter((c) => !c.ok);
    assert.ok(bad.some((c) => c.name.startsWith('sbom-signature ')));
    assert.ok(bad.some((c) => c.name.startsWith('log entry ')));
    assert.ok(bad.every((c) => c.remedy));
  });

  it('fails after any single byte of the tar changes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: tar.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (at, x) => {
          const copy = new Uint8Array(tar);
          copy[at] = (copy[at] as number) ^ x;
          assert.ok(await fails(copy), `byte ${at} ^ ${x} went unnoticed`);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('fails after any byte of any file changes, even re-packed as a well-formed tar', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (pick, pos, x) => {
          const i = pick % files.length;
          const f = files[i] as EvidenceFile;
          if (f.data.length === 0) return;
          const data = new Uint8Array(f.data);
          const at = pos % data.length;
          data[at] = (data[at] as number) ^ x;
          const changed = files.map((g, j) => (j === i ? { path: g.path, data } : g));
          assert.ok(
            await fails(await packEvidenceTar(changed)),
            `${f.path} byte ${at} went unnoticed`,
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('fails when a file is removed or one is added', async () => {
    for (const p of [
      'NARRATIVE.md',
      'audit/events.json',
      files.find((f) => f.path.startsWith('bundles/'))?.path,
    ]) {
      const fewer = files.filter((f) => f.path !== p);
      const r = await verifyEvidence(await packEvidenceTar(fewer));
      assert.equal(r.ok, false, `${p} removed went unnoticed`);
      assert.match(
        r.checks.find((c) => c.name === 'file digests')?.detail ?? '',
        new RegExp(`${p} is missing`),
      );
    }
    const more = [...files, { path: 'extra/readme.txt', data: new TextEncoder().encode('hi') }];
    const r = await verifyEvidence(await packEvidenceTar(more));
    assert.equal(r.ok, false);
    assert.match(
      r.checks.find((c) => c.name === 'file digests')?.detail ?? '',
      /extra\/readme\.txt is not in the manifest/,
    );
  });

  it('catches a changed audit row even when the manifest is re-signed with the service key', async () => {
    const key = seeded.srv.services.vexKey;
    assert.ok(key);
    const rows = JSON.parse(
      new TextDecoder().decode(files.find((f) => f.path === AUDIT_PATH)?.data),
    ) as AuditRowFile[];
    (rows[0] as AuditRowFile).person = 'mallory';
    const body = files
      .filter((f) => f.path !== MANIFEST_PATH && f.path !== MANIFEST_SIGNATURE_PATH)
      .map((f) =>
        f.path === AUDIT_PATH
          ? { path: f.path, data: new TextEncoder().encode(JSON.stringify(rows)) }
          : f,
      );
    const { bytes } = buildManifest(body, {
      product: 'shop',
      release: '1.0.0',
      generatedAt: new Date(0).toISOString(),
      generatedBy: 'mallory',
      signer: key,
    });
    const forged = await packEvidenceTar([
      { path: MANIFEST_PATH, data: bytes },
      { path: MANIFEST_SIGNATURE_PATH, data: signManifest(bytes, key) },
      ...body,
    ]);
    const r = await verifyEvidence(forged);
    assert.equal(r.ok, false);
    assert.equal(r.checks.find((c) => c.name === 'manifest signature')?.ok, true);
    assert.equal(r.checks.find((c) => c.name === 'file digests')?.ok, true);
    const audit = r.checks.find((c) => c.name === 'audit chain');
    assert.equal(audit?.ok, false);
    assert.match(audit?.detail ?? '', /does not match its hash/);
  });

  it('refuses what is not an evidence tar with a typed error', async () => {
    await expectCustodyErrorAsync(
      () => verifyEvidence(new Uint8Array(0)),
      EvidenceError,
      'EVIDENCE_TAR_MALFORMED',
    );
    await expectCustodyErrorAsync(
      () => verifyEvidence(new Uint8Array(1024).fill(65)),
      EvidenceError,
      'EVIDENCE_TAR_MALFORMED',
    );
    await expectCustodyErrorAsync(
      () =>
        verifyEvidence(tar, {
          limits: { maxEntries: 3, maxEntryBytes: 1 << 30, maxTotalBytes: 1 << 30 },
        }),
      EvidenceError,
      'EVIDENCE_TOO_LARGE',
    );
    await expectCustodyErrorAsync(
      () =>
        verifyEvidence(tar, {
          limits: { maxEntries: 1000, maxEntryBytes: 1 << 30, maxTotalBytes: 1000 },
        }),
      EvidenceError,
      'EVIDENCE_TOO_LARGE',
    );
    const noManifest = await packEvidenceTar(files.filter((f) => f.path !== MANIFEST_PATH));
    await expectCustodyErrorAsync(
      () => verifyEvidence(noManifest),
      EvidenceError,
      'EVIDENCE_MANIFEST_INVALID',
    );
    await expectCustodyErrorAsync(
      () => packEvidenceTar([{ path: '../etc/passwd', data: new Uint8Array(1) }]),
      EvidenceError,
      'EVIDENCE_TAR_MALFORMED',
    );
  });

  it('is refused by a service without its log and signing key', async () => {
    const { exportEvidence } = await import('../../src/app/evidence/index.js');
    const { vexKey: _unused, ...withoutKey } = seeded.srv.services;
    await expectCustodyErrorAsync(
      () =>
        exportEvidence(
          withoutKey,
          {
            principal: { actor: 'cli', person: 'ada', role: 'admin', teams: undefined },
            source: 'cli',
          },
          'shop',
          '1.0.0',
        ),
      EvidenceError,
      'EVIDENCE_UNAVAILABLE',
    );
  });

  it('answers readers of the team only', async () => {
    const other = await call(seeded.srv, 'GET', '/api/v1/products/shop/releases/1.0.0/evidence', {
      token: seeded.outsider,
    });
    assert.equal(other.status, 404);
    assert.equal(other.json.error.code, 'INVENTORY_NOT_FOUND');
    const none = await call(seeded.srv, 'GET', '/api/v1/products/shop/releases/9.9.9/evidence', {
      token: seeded.reader,
    });
    assert.equal(none.status, 404);
    const anon = await call(seeded.srv, 'GET', '/api/v1/products/shop/releases/1.0.0/evidence');
    assert.equal(anon.status, 401);
  });
});
