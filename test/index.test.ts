import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as custody from '../src/index.js';
import { REPO_ROOT } from './helpers/conformance.js';

describe('the package entry point', () => {
  it('exposes the SBOM engine as a library: generate, parse, validate, score, diff, convert', async () => {
    const { text } = await custody.generateSbom(join(REPO_ROOT, 'examples/demo-app'), {
      deterministic: true,
    });
    const doc = custody.parseSbom(text, 'demo.cdx.json');
    assert.equal((await custody.validateSbom(text)).valid, true);
    const report = custody.scoreSbom(doc, { now: new Date() });
    assert.ok(report.score > 0);
    assert.equal(custody.diffSboms(doc, doc).summary.added, 0);
    assert.match(custody.convertSbom(doc, 'spdx-json').text, /SPDX-2\.3/);
    assert.equal(
      custody.formatPurl({ type: 'npm', namespace: '@babel', name: 'core' }),
      'pkg:npm/%40babel/core',
    );
  });
});
