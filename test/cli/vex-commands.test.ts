import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { readVex } from '../../src/formats/index.js';
import { conformancePath, REPO_ROOT } from '../helpers/conformance.js';

async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    cwd: REPO_ROOT,
  };
  return { code: await run(argv, io), stdout, stderr };
}

const EXAMPLE = join(REPO_ROOT, 'examples/vex/demo-app.openvex.json');
const tmp = () => mkdtempSync(join(tmpdir(), 'custody-vex-'));

describe('custody vex (CLI, in-process)', () => {
  it('validate: exit 0 for a valid document, 1 with pointers for an invalid one, 2 for no VEX', async () => {
    const ok = await cli(['vex', 'validate', EXAMPLE]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /OpenVEX 0\.2\.0: valid/);
    const dir = tmp();
    const bad = join(dir, 'bad.json');
    const doc = JSON.parse(readFileSync(EXAMPLE, 'utf8'));
    doc.statements[0].status = 'exploitable';
    writeFileSync(bad, JSON.stringify(doc));
    const no = await cli(['vex', 'validate', bad, '--json']);
    assert.equal(no.code, 1);
    const r = JSON.parse(no.stdout);
    assert.equal(r.valid, false);
    assert.ok(
      r.errors.some(
        (e: { pointer: string; keyword: string }) =>
          e.pointer === '/statements/0/status' && e.keyword === 'vex-status',
      ),
    );
    writeFileSync(join(dir, 'x.json'), '{"hello": 1}');
    const unknown = await cli(['vex', 'validate', join(dir, 'x.json')]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /VEX_FORMAT_UNKNOWN/);
  });

  it('validate --lenient reads OpenVEX 0.0.1 with warnings; without it, exit 2 VEX_VERSION_UNSUPPORTED', async () => {
    const old = conformancePath('vex/openvex-go-vex/pkg/vex/testdata/v0.0.1.json');
    const strict = await cli(['vex', 'validate', old]);
    assert.equal(strict.code, 2);
    assert.match(strict.stderr, /VEX_VERSION_UNSUPPORTED/);
    const lenient = await cli(['vex', 'validate', old, '--lenient']);
    assert.equal(lenient.code, 0, lenient.stdout);
    assert.match(lenient.stdout, /warning \/statements\/0\/vulnerability/);
  });

  it('convert: to each format, schema-valid, deterministic under SOURCE_DATE_EPOCH, losses on stderr', async () => {
    const dir = tmp();
    for (const to of ['cyclonedx', 'csaf', 'openvex']) {
      const out = join(dir, `${to}.json`);
      const a = await cli(['vex', 'convert', EXAMPLE, '--to', to, '-o', out], {
        SOURCE_DATE_EPOCH: '1700000000',
      });
      assert.equal(a.code, 0, a.stderr);
      const first = readFileSync(out, 'utf8');
      const read = await readVex(first);
      assert.equal(read.format, to);
      const b = await cli(['vex', 'convert', EXAMPLE, '--to', to], {
        SOURCE_DATE_EPOCH: '1700000000',
      });
      assert.equal(b.stdout, first);
      if (to === 'csaf') assert.match(a.stderr, /not carried over from OpenVEX to CSAF/);
    }
    const cdx14 = await cli([
      'vex',
      'convert',
      EXAMPLE,
      '--to',
      'cyclonedx',
      '--cyclonedx-version',
      '1.4',
    ]);
    assert.equal(JSON.parse(cdx14.stdout).specVersion, '1.4');
  });

  it('convert refuses an invalid document (exit 2, its code) and an unknown target (exit 2)', async () => {
    const dir = tmp();
    const bad = join(dir, 'bad.cdx.json');
    writeFileSync(
      bad,
      JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        version: 1,
        vulnerabilities: [
          { id: 'CVE-1', analysis: { state: 'not_affected', justification: 'nope' } },
        ],
      }),
    );
    const r = await cli(['vex', 'convert', bad, '--to', 'openvex']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /VEX_JUSTIFICATION_INVALID/);
    assert.equal((await cli(['vex', 'convert', EXAMPLE, '--to', 'spdx'])).code, 2);
  });
});
