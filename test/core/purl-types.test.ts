import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isRegisteredType, PURL_TYPE_DEFINITIONS } from '../../src/core/purl/index.js';
import { listConformance, REPO_ROOT } from '../helpers/conformance.js';

describe('purl type definitions', () => {
  it('types.generated.ts is up to date with conformance/purl/types', () => {
    const r = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'scripts/gen-purl-types.mjs'), '--check'],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, `${r.stderr}${r.stdout}`);
  });

  it('registers every type that has a definition or a test file', () => {
    const defined = listConformance('purl', 'types')
      .filter((f) => f.endsWith('-definition.json'))
      .map((f) => f.slice(0, -'-definition.json'.length));
    const tested = listConformance('purl', 'tests', 'types').map((f) =>
      f.slice(0, -'-test.json'.length),
    );
    for (const type of [...defined, ...tested]) {
      assert.ok(isRegisteredType(type), `${type} is not in the generated table`);
      assert.ok(Object.hasOwn(PURL_TYPE_DEFINITIONS, type));
    }
    assert.equal(isRegisteredType('x-not-registered'), false);
  });
});
