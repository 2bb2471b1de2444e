import { createHash } from 'node:crypto';

/**
 * A synthetic but valid npm v3 lockfile with `count` packages: every package lives at top level,
 * depends on up to three later packages with exact versions, and carries integrity and licence,
 * so npm's own tools accept the tree (peer tools stop on trees npm calls invalid).
 */
export function generatePackageLock(count: number): { lock: string; pkg: string } {
  const names = Array.from({ length: count }, (_, i) =>
    i % 7 === 0 ? `@scope${i % 13}/pkg-${i}` : `pkg-${i}`,
  );
  const version = (i: number) => `${1 + (i % 5)}.${i % 17}.${i % 3}`;
  const licenses = ['MIT', 'ISC', 'Apache-2.0', 'BSD-3-Clause', 'MIT OR Apache-2.0'];
  const directCount = Math.min(200, count);
  const rootDeps: Record<string, string> = {};
  for (let i = 0; i < directCount; i++) rootDeps[names[i] as string] = version(i);
  const packages: Record<string, unknown> = {
    '': { name: 'bench-app', version: '1.0.0', license: 'MIT', dependencies: rootDeps },
  };
  for (let i = 0; i < count; i++) {
    const deps: Record<string, string> = {};
    for (const j of [i * 2 + 1, i * 3 + 7, i + 11]) {
      if (j < count && j > i) deps[names[j] as string] = version(j);
    }
    const integrity = `sha512-${createHash('sha512').update(String(i)).digest('base64')}`;
    packages[`node_modules/${names[i]}`] = {
      version: version(i),
      integrity,
      license: licenses[i % licenses.length],
      ...(Object.keys(deps).length > 0 ? { dependencies: deps } : {}),
    };
  }
  const lock = {
    name: 'bench-app',
    version: '1.0.0',
    lockfileVersion: 3,
    requires: true,
    packages,
  };
  const pkg = { name: 'bench-app', version: '1.0.0', license: 'MIT', dependencies: rootDeps };
  return { lock: JSON.stringify(lock, null, 2), pkg: JSON.stringify(pkg, null, 2) };
}
