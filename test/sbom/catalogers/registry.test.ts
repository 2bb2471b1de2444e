import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATALOGERS, loadCatalogers } from '../../../src/sbom/catalogers/index.js';

describe('cataloger registry', () => {
  it('the lazy families load exactly the catalogers of the eager list', async () => {
    const lazy = (await loadCatalogers()).map((c) => c.name).sort();
    assert.deepEqual(lazy, CATALOGERS.map((c) => c.name).sort());
  });

  it('every cataloger is loaded for the file names it matches', async () => {
    const samples = [
      'package-lock.json',
      'npm-shrinkwrap.json',
      'yarn.lock',
      'pnpm-lock.yaml',
      'var/lib/dpkg/status',
      'var/lib/dpkg/status.d/base',
      'lib/apk/db/installed',
      'var/lib/rpm/rpmdb.sqlite',
      'requirements.txt',
      'poetry.lock',
      'Pipfile.lock',
      'uv.lock',
      'pdm.lock',
      'go.mod',
      'Cargo.lock',
      'Gemfile.lock',
      'composer.lock',
      'packages.lock.json',
      'pom.xml',
      'gradle.lockfile',
    ];
    for (const path of samples) {
      const eager = CATALOGERS.find((c) => c.matches(path));
      assert.ok(eager, `${path}: no cataloger matches`);
      const lazy = await loadCatalogers([path]);
      assert.ok(
        lazy.some((c) => c.name === eager.name),
        `${path}: family hint misses ${eager.name}`,
      );
    }
  });
});
