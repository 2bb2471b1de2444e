import { createHash } from 'node:crypto';

/**
 * A synthetic but realistic CycloneDX 1.6 JSON document with `count` library components: npm purls
 * (some scoped), SHA-512 and SHA-1 hashes, licences as ids, names and expressions, a few dev-only
 * (`excluded`) components, suppliers, properties, and a dependency graph where each component depends on
 * up to three later ones. Deterministic for a given count, and valid against bom-1.6.schema.json.
 */
export function generateCycloneDx(count: number): string {
  const name = (i: number) => (i % 7 === 0 ? `@scope${i % 13}/pkg-${i}` : `pkg-${i}`);
  const version = (i: number) => `${1 + (i % 5)}.${i % 17}.${i % 3}`;
  const purl = (i: number) => {
    const n = name(i);
    const encoded = n.startsWith('@') ? `%40${n.slice(1)}` : n;
    return `pkg:npm/${encoded}@${version(i)}`;
  };
  const components: unknown[] = [];
  const dependencies: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const ref = purl(i);
    components.push({
      type: 'library',
      'bom-ref': ref,
      ...(i % 11 === 0 ? { supplier: { name: `Vendor ${i % 37}` } } : {}),
      name: name(i),
      version: version(i),
      description: `Synthetic package number ${i}`,
      ...(i % 9 === 0 ? { scope: 'excluded' } : { scope: 'required' }),
      hashes: [
        { alg: 'SHA-512', content: createHash('sha512').update(String(i)).digest('hex') },
        { alg: 'SHA-1', content: createHash('sha1').update(String(i)).digest('hex') },
      ],
      licenses: licence(i),
      purl: ref,
      externalReferences: [{ type: 'website', url: `https://example.com/${name(i)}` }],
      properties: [{ name: 'cdx:npm:package:path', value: `node_modules/${name(i)}` }],
    });
    const deps = [i * 2 + 1, i * 3 + 7, i + 11].filter((j) => j < count && j > i).map(purl);
    dependencies.push({ ref, dependsOn: [...new Set(deps)] });
  }
  const rootRef = 'pkg:npm/bench-app@1.0.0';
  dependencies.unshift({
    ref: rootRef,
    dependsOn: Array.from({ length: Math.min(200, count) }, (_, i) => purl(i)),
  });
  const bom = {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    version: 1,
    metadata: {
      timestamp: '2025-01-01T00:00:00Z',
      tools: { components: [{ type: 'application', name: 'bench-generator', version: '1.0.0' }] },
      component: { type: 'application', 'bom-ref': rootRef, name: 'bench-app', version: '1.0.0' },
    },
    components,
    dependencies,
  };
  return JSON.stringify(bom, null, 2);
}

// Licences in the three shapes CycloneDX allows, as real SBOMs mix them.
function licence(i: number): unknown[] {
  switch (i % 5) {
    case 0:
      return [{ license: { id: 'MIT' } }];
    case 1:
      return [{ license: { id: 'Apache-2.0' } }];
    case 2:
      return [{ expression: 'MIT OR Apache-2.0' }];
    case 3:
      return [{ license: { name: 'Custom licence' } }];
    default:
      return [{ license: { id: 'ISC' } }];
  }
}
