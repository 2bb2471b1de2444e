import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isCustodyError } from '../../../src/core/errors.js';
import { applyLayer } from '../../../src/sbom/image/apply-layer.js';
import { MemoryFileTree } from '../../../src/sbom/image/index.js';
import type { TarEntry } from '../../../src/sbom/image/tar.js';

const file = (name: string, text: string): TarEntry => ({
  name,
  type: 'file',
  data: Buffer.from(text),
});
const link = (name: string, target: string): TarEntry => ({
  name,
  type: 'symlink',
  linkname: target,
  data: new Uint8Array(),
});
const text = (t: MemoryFileTree, p: string) => {
  const b = t.read(p);
  return b ? Buffer.from(b).toString() : undefined;
};

describe('MemoryFileTree', () => {
  const tree = new MemoryFileTree();
  applyLayer(
    tree,
    [
      file('usr/lib/os-release', 'ID=debian'),
      link('etc/os-release', '../usr/lib/os-release'),
      link('etc/abs', '/usr/lib/os-release'),
      link('lib', 'usr/lib'),
      link('loop-a', 'loop-b'),
      link('loop-b', 'loop-a'),
      link('dangling', 'nowhere/at/all'),
      link('rootlink', '/'),
    ],
    'layer',
  );

  it('reads through relative, absolute and directory symlinks', () => {
    assert.equal(text(tree, 'etc/os-release'), 'ID=debian');
    assert.equal(text(tree, 'etc/abs'), 'ID=debian');
    assert.equal(text(tree, 'lib/os-release'), 'ID=debian');
    assert.equal(text(tree, '/lib/os-release'), 'ID=debian');
    assert.equal(text(tree, './etc/../lib/./os-release'), 'ID=debian');
    assert.equal(text(tree, 'rootlink/usr/lib/os-release'), 'ID=debian');
  });

  it('never climbs above the root when reading', () => {
    assert.equal(text(tree, '../../usr/lib/os-release'), 'ID=debian');
  });

  it('returns undefined for loops, dangling links, directories and missing files', () => {
    assert.equal(tree.read('loop-a'), undefined);
    assert.equal(tree.read('dangling'), undefined);
    assert.equal(tree.read('usr/lib'), undefined);
    assert.equal(tree.read('nope/x'), undefined);
    assert.equal(tree.read(''), undefined);
  });

  it('lists regular files only, by physical path, sorted', () => {
    assert.deepEqual([...tree.list()], ['usr/lib/os-release']);
    assert.equal(tree.readlink('etc/os-release'), '../usr/lib/os-release');
  });

  it('never throws on arbitrary paths (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            '..',
            '.',
            '',
            'etc',
            'lib',
            'os-release',
            'loop-a',
            'rootlink',
            'usr',
            '/',
          ),
          { maxLength: 12 },
        ),
        (parts) => {
          tree.read(parts.join('/'));
        },
      ),
    );
  });
});

describe('applyLayer (property)', () => {
  it('applies arbitrary entries or throws a CustodyError', () => {
    const seg = fc.constantFrom('a', 'b', '..', '.', '', '.wh.a', '.wh..wh..opq', 'c');
    const name = fc.array(seg, { minLength: 1, maxLength: 5 }).map((s) => s.join('/'));
    const entry = fc.record({
      name: fc.oneof(
        name,
        name.map((n) => `/${n}`),
      ),
      type: fc.constantFrom('file', 'directory', 'symlink', 'link', 'other') as fc.Arbitrary<
        TarEntry['type']
      >,
      linkname: fc.oneof(
        name,
        name.map((n) => `/${n}`),
      ),
    });
    fc.assert(
      fc.property(fc.array(fc.array(entry, { maxLength: 8 }), { maxLength: 4 }), (layers) => {
        const tree = new MemoryFileTree();
        try {
          for (const [i, l] of layers.entries()) {
            applyLayer(
              tree,
              l.map((e) => ({ ...e, data: Buffer.from(e.name) })),
              `layer ${i}`,
            );
          }
          for (const p of tree.list()) assert.ok(tree.read(p));
        } catch (e) {
          assert.ok(isCustodyError(e, 'IMAGE_PATH_ESCAPE', 'IMAGE_INVALID'), String(e));
        }
      }),
      { numRuns: 300 },
    );
  });
});
