import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { generateSbom, OUTPUT_FORMATS } from '../../src/app/generate-sbom.js';
import { CoreError } from '../../src/core/errors.js';
import { validateSbom } from '../../src/formats/index.js';
import { SbomError } from '../../src/sbom/errors.js';
import { conformancePath, REPO_ROOT } from '../helpers/conformance.js';
import { expectCustodyErrorAsync } from '../helpers/expect-error.js';
import {
  buildDockerSave,
  buildOciLayout,
  debianBaseLayer,
  nodeAppLayer,
  writeLayoutDir,
} from '../helpers/image-builder.js';

const LOCKFILE_DIRS = ['go', 'maven', 'npm', 'os', 'other', 'pnpm', 'python', 'rust', 'yarn'];
/** Files in the shared data that are not lockfiles of their folder's kind (checked in the catalogers' own tests). */
const NOT_A_LOCKFILE = new Set([
  'cdxgen__requirements.complex.txt', // Mercurial documentation, not a requirements file
  'cdxgen__v2-workspace.package.json', // the manifest that goes with a lockfile
  'cdxgen__pyproject.toml', // a manifest, read beside a lockfile
]);

function lockfiles(): string[] {
  const out: string[] = [];
  for (const dir of LOCKFILE_DIRS) {
    for (const name of readdirSync(conformancePath('lockfiles', dir))) {
      const p = conformancePath('lockfiles', dir, name);
      if (statSync(p).isFile() && !NOT_A_LOCKFILE.has(name) && !name.endsWith('go.sum')) {
        out.push(p);
      }
    }
  }
  return out.sort();
}

describe('generateSbom on every real lockfile, in every output format', () => {
  for (const file of lockfiles()) {
    const short = file.slice(conformancePath('lockfiles').length + 1);
    it(`${short}: every format validates against its official schema`, async () => {
      const env = { SOURCE_DATE_EPOCH: '1700000000' };
      for (const format of OUTPUT_FORMATS) {
        const r = await generateSbom(file, { format, env });
        assert.ok(r.document.components.length > 0, `${short} gave no components`);
        const v = await validateSbom(r.text, { what: `${short} as ${format}` });
        assert.deepEqual(v.errors.slice(0, 3), [], `${short} as ${format}`);
        assert.equal(v.valid, true);
      }
    });
  }
});

describe('reproducible output', () => {
  const project = join(REPO_ROOT, 'examples/demo-app');

  it('is byte-identical with SOURCE_DATE_EPOCH, serial number included', async () => {
    const env = { SOURCE_DATE_EPOCH: '1700000000' };
    const a = await generateSbom(project, { env });
    const b = await generateSbom(project, { env });
    assert.equal(a.text, b.text);
    assert.match(a.document.serialNumber ?? '', /^urn:uuid:[0-9a-f-]{8}-[0-9a-f]{4}-5/);
    assert.equal(a.document.timestamp, '2023-11-14T22:13:20Z');
  });

  it('is byte-identical with --deterministic alone, and writes no time it cannot reproduce', async () => {
    const a = await generateSbom(project, { deterministic: true, format: 'spdx-json' });
    const b = await generateSbom(project, { deterministic: true, format: 'spdx-json' });
    assert.equal(a.text, b.text);
    assert.equal(a.document.timestamp, undefined);
  });

  it('gives a different serial number for different input', async () => {
    const env = { SOURCE_DATE_EPOCH: '1700000000' };
    const a = await generateSbom(project, { env });
    const b = await generateSbom(join(REPO_ROOT, 'examples/demo-app-1.1'), { env });
    assert.notEqual(a.document.serialNumber, b.document.serialNumber);
  });

  it('records the digest of every lockfile read and the build environment', async () => {
    const r = await generateSbom(project, { env: { GITHUB_SHA: 'abc123' } });
    assert.match(
      r.document.properties['custody:lockfile:package-lock.json'] ?? '',
      /^sha256:[0-9a-f]{64}$/,
    );
    assert.equal(r.document.properties['custody:build:ci:commit'], 'abc123');
    assert.equal(r.document.subject?.name, 'demo-app');
    assert.equal(r.document.subject?.version, '1.0.0');
  });
});

describe('container images', () => {
  const spec = {
    layers: [{ files: debianBaseLayer(), gzip: true }, { files: nodeAppLayer() }],
    repoTags: ['registry.example/team/app:1.2.3'],
  };

  it('catalogs OS packages and lockfiles of a docker-save tarball; the image digest is the subject', async () => {
    const { tar, built } = await buildDockerSave(spec);
    const dir = mkdtempSync(join(tmpdir(), 'custody-img-'));
    const path = join(dir, 'app.tar');
    writeFileSync(path, tar);
    const r = await generateSbom(path, { env: { SOURCE_DATE_EPOCH: '1' } });
    const subject = r.document.subject;
    assert.equal(subject?.type, 'container');
    assert.equal(subject?.version, built.configDigest);
    assert.match(subject?.purl ?? '', /^pkg:oci\/app@sha256:[0-9a-f]{64}\?/);
    const ecosystems = new Set(r.document.components.map((c) => c.ecosystem));
    assert.ok(ecosystems.has('deb'), 'dpkg packages cataloged');
    assert.ok(ecosystems.has('npm'), 'the app lockfile cataloged');
    assert.equal((await validateSbom(r.text)).valid, true);
  });

  it('reads an OCI image layout directory; its subject is the manifest digest', async () => {
    const { files, built } = await buildOciLayout([spec]);
    const dir = mkdtempSync(join(tmpdir(), 'custody-oci-'));
    writeLayoutDir(dir, files);
    const r = await generateSbom(dir, { format: 'spdx-json' });
    assert.equal(r.document.subject?.version, built[0]?.manifestDigest);
    assert.ok(r.document.components.some((c) => c.ecosystem === 'deb'));
    assert.equal((await validateSbom(r.text)).valid, true);
  });

  it('refuses a layer that escapes the root, and writes nothing', async () => {
    const { tar } = await buildDockerSave({
      layers: [{ files: [{ path: '../../etc/evil', content: 'x' }] }],
    });
    const dir = mkdtempSync(join(tmpdir(), 'custody-evil-'));
    const path = join(dir, 'evil.tar');
    writeFileSync(path, tar);
    await expectCustodyErrorAsync(() => generateSbom(path), SbomError, 'IMAGE_PATH_ESCAPE');
    assert.deepEqual(readdirSync(dir), ['evil.tar']);
  });
});

describe('bad input', () => {
  it('names a missing path', async () => {
    await expectCustodyErrorAsync(() => generateSbom('/no/such/path'), CoreError, 'FILE_NOT_FOUND');
  });

  it('refuses a file that is no lockfile, database or image', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'custody-bad-'));
    writeFileSync(join(dir, 'notes.txt'), 'hello\n');
    await expectCustodyErrorAsync(
      () => generateSbom(join(dir, 'notes.txt')),
      SbomError,
      'SBOM_NOTHING_TO_CATALOG',
    );
    await expectCustodyErrorAsync(() => generateSbom(dir), SbomError, 'SBOM_NOTHING_TO_CATALOG');
  });

  it('names the file and the problem of a truncated lockfile', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'custody-trunc-'));
    writeFileSync(join(dir, 'package-lock.json'), '{"lockfileVersion": 3, "packages": {"": {');
    const e = await expectCustodyErrorAsync(
      () => generateSbom(dir),
      SbomError,
      'SBOM_LOCKFILE_PARSE',
    );
    assert.match(e.message, /package-lock\.json/);
  });
});
