import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { diffSboms, formatDiffText, type SbomDiff } from '../../../src/sbom/diff/index.js';
import type { Component, SbomDocument } from '../../../src/sbom/model.js';
import { sample } from '../quality/samples.js';
import { comp, doc } from '../quality/sbom-builder.js';

const EMPTY: SbomDiff['summary'] = {
  added: 0,
  removed: 0,
  upgraded: 0,
  downgraded: 0,
  licenseChanged: 0,
  hashChanged: 0,
  edgesAdded: 0,
  edgesRemoved: 0,
};

describe('diffSboms', () => {
  it('finds nothing between a document and itself', () => {
    const d = doc([comp('a', '1.0.0', { dependsOn: ['pkg:npm/b@1.0.0'] }), comp('b', '1.0.0')]);
    assert.deepEqual(diffSboms(d, d).summary, EMPTY);
    assert.equal(formatDiffText(diffSboms(d, d)), 'SBOM diff: no differences\n');
  });

  it('finds added, removed, upgraded and downgraded packages', () => {
    const before = doc([
      comp('keep', '1.0.0'),
      comp('gone', '1.0.0'),
      comp('up', '1.9.0'),
      comp('down', '2.0.0'),
    ]);
    const after = doc([
      comp('keep', '1.0.0'),
      comp('new', '0.1.0'),
      comp('up', '1.10.0'),
      comp('down', '2.0.0-rc.1'),
    ]);
    const d = diffSboms(before, after);
    assert.deepEqual(d.added, [
      { identity: 'npm/new', version: '0.1.0', purl: 'pkg:npm/new@0.1.0' },
    ]);
    assert.deepEqual(d.removed, [
      { identity: 'npm/gone', version: '1.0.0', purl: 'pkg:npm/gone@1.0.0' },
    ]);
    assert.deepEqual(d.upgraded, [{ identity: 'npm/up', from: '1.9.0', to: '1.10.0' }]);
    assert.deepEqual(d.downgraded, [{ identity: 'npm/down', from: '2.0.0', to: '2.0.0-rc.1' }]);
    const text = formatDiffText(d);
    assert.match(text, /^SBOM diff: 1 added, 1 removed, 1 upgraded, 1 downgraded, /);
    assert.match(text, /\+ npm\/new@0\.1\.0/);
    assert.match(text, /- npm\/gone@1\.0\.0/);
    assert.match(text, /↑ npm\/up 1\.9\.0 → 1\.10\.0/);
    assert.match(text, /↓ npm\/down 2\.0\.0 → 2\.0\.0-rc\.1/);
  });

  it('flags a hash that changed while the version did not', () => {
    const before = doc([comp('a', '1.0.0')]);
    const after = doc([
      comp('a', '1.0.0', { hashes: [{ alg: 'SHA-512', content: 'cd'.repeat(64) }] }),
    ]);
    const d = diffSboms(before, after);
    assert.deepEqual(d.hashChanged, [
      {
        identity: 'npm/a',
        version: '1.0.0',
        alg: 'SHA512',
        from: ['ab'.repeat(64)],
        to: ['cd'.repeat(64)],
      },
    ]);
    const text = formatDiffText(d);
    assert.match(text, /1 hash changed at the same version/);
    assert.match(
      text,
      /HASH CHANGED AT THE SAME VERSION[^\n]*\n +! npm\/a@1\.0\.0 SHA512: abababababababab… → cdcdcdcdcdcdcdcd…/,
    );
  });

  it('does not call a new algorithm or an upgrade a hash change', () => {
    const before = doc([comp('a', '1.0.0'), comp('b', '1.0.0')]);
    const after = doc([
      comp('a', '1.0.0', { hashes: [{ alg: 'SHA-256', content: '00'.repeat(32) }] }),
      comp('b', '1.0.1', { hashes: [{ alg: 'SHA-512', content: 'cd'.repeat(64) }] }),
    ]);
    assert.deepEqual(diffSboms(before, after).hashChanged, []);
  });

  it('reports licence changes after normalisation', () => {
    const before = doc([
      comp('a', '1.0.0', { licenses: ['mit'] }),
      comp('b', '1.0.0', { licenses: ['MIT'] }),
    ]);
    const after = doc([
      comp('a', '1.0.0', { licenses: ['MIT'] }),
      comp('b', '2.0.0', { licenses: ['GPL-3.0-only'] }),
    ]);
    const d = diffSboms(before, after);
    assert.deepEqual(d.licenseChanged, [
      {
        identity: 'npm/b',
        fromVersion: '1.0.0',
        toVersion: '2.0.0',
        from: ['MIT'],
        to: ['GPL-3.0-only'],
      },
    ]);
    assert.match(formatDiffText(d), /! npm\/b@2\.0\.0: MIT → GPL-3\.0-only/);
  });

  it('compares dependency edges by identity, whatever the refs', () => {
    const a1 = comp('a', '1.0.0', { ref: 'gen1-a', dependsOn: ['gen1-b'] });
    const b1 = comp('b', '1.0.0', { ref: 'gen1-b' });
    const a2 = comp('a', '1.0.0', { ref: 'A', dependsOn: ['B', 'C'] });
    const b2 = comp('b', '1.0.0', { ref: 'B' });
    const c2 = comp('c', '1.0.0', { ref: 'C', dependsOn: ['B'] });
    const d = diffSboms(doc([a1, b1]), doc([a2, b2, c2]));
    assert.deepEqual(d.edgesAdded, [
      { from: 'npm/a', to: 'npm/c' },
      { from: 'npm/c', to: 'npm/b' },
    ]);
    assert.deepEqual(d.edgesRemoved, []);
    const back = diffSboms(doc([a2, b2, c2]), doc([a1, b1]));
    assert.deepEqual(back.edgesRemoved, d.edgesAdded);
    assert.match(formatDiffText(back), /Dependency edges removed \(2\):\n {2}- npm\/a → npm\/c/);
  });

  it('pairs a package present at several versions, exact matches first', () => {
    const before = doc([comp('a', '1.0.0'), comp('a', '2.0.0', { ref: 'a2' })]);
    const after = doc([
      comp('a', '2.0.0'),
      comp('a', '1.2.0', { ref: 'a12' }),
      comp('a', '3.0.0', { ref: 'a3' }),
    ]);
    const d = diffSboms(before, after);
    assert.deepEqual(d.upgraded, [{ identity: 'npm/a', from: '1.0.0', to: '1.2.0' }]);
    assert.deepEqual(
      d.added.map((p) => p.version),
      ['3.0.0'],
    );
    assert.deepEqual(d.removed, []);
  });

  describe('on proton-bridge 1.6.3 → 1.8.0', () => {
    const before = sample('proton-bridge', 'proton-bridge-v1.6.3.bom.json');
    const after = sample('proton-bridge', 'proton-bridge-v1.8.0.bom.json');
    const d = diffSboms(before, after);

    it('finds the seven Go module upgrades and nothing added or removed', () => {
      assert.deepEqual(d.summary, { ...EMPTY, upgraded: 7, edgesAdded: 3, edgesRemoved: 3 });
      assert.ok(
        d.upgraded.some(
          (u) =>
            u.identity === 'golang/github.com/miekg/dns' &&
            u.from === 'v1.1.30' &&
            u.to === 'v1.1.41',
        ),
      );
      // Pseudo-versions order by their timestamp.
      assert.ok(d.upgraded.some((u) => u.identity === 'golang/golang.org/x/net'));
      assert.deepEqual(d.downgraded, []);
    });

    it('mirrors when reversed', () => {
      const r = diffSboms(after, before);
      assert.deepEqual(
        r.downgraded.map((x) => [x.identity, x.to, x.from]),
        d.upgraded.map((x) => [x.identity, x.from, x.to]),
      );
      assert.deepEqual(r.edgesAdded, d.edgesRemoved);
    });

    it('serialises stably', () => {
      assert.equal(JSON.stringify(diffSboms(before, after)), JSON.stringify(d));
    });
  });

  describe('properties', () => {
    const compArb = fc.record({
      name: fc.constantFrom('a', 'b', 'c', 'd'),
      version: fc.constantFrom('1.0.0', '1.1.0', '2.0.0', '2.0.0-rc.1', '0.9'),
      lic: fc.constantFrom('MIT', 'Apache-2.0', 'NOASSERTION'),
      hash: fc.constantFrom('ab', 'cd'),
      deps: fc.array(fc.nat(5), { maxLength: 3 }),
    });
    const docArb = fc.array(compArb, { maxLength: 8 }).map((specs): SbomDocument => {
      const cs: Component[] = specs.map((s, i) =>
        comp(s.name, s.version, {
          ref: `r${i}`,
          licenses: [s.lic],
          hashes: [{ alg: 'SHA-512', content: s.hash.repeat(64) }],
          dependsOn: s.deps.map((d) => `r${d}`),
        }),
      );
      return doc(cs);
    });

    it('diff(a, a) is empty', () => {
      fc.assert(fc.property(docArb, (a) => assert.deepEqual(diffSboms(a, a).summary, EMPTY)));
    });

    it('diff(a, b) added is diff(b, a) removed, and upgrades mirror downgrades', () => {
      fc.assert(
        fc.property(docArb, docArb, (a, b) => {
          const ab = diffSboms(a, b);
          const ba = diffSboms(b, a);
          assert.deepEqual(ab.added, ba.removed);
          assert.deepEqual(ab.removed, ba.added);
          assert.deepEqual(
            ab.upgraded.map((x) => [x.identity, x.from, x.to]).sort(),
            ba.downgraded.map((x) => [x.identity, x.to, x.from]).sort(),
          );
          assert.deepEqual(ab.edgesAdded, ba.edgesRemoved);
        }),
      );
    });
  });
});
