import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  gradleLockfileCataloger,
  mavenPomCataloger,
} from '../../../../src/sbom/catalogers/java/index.js';
import { SbomError } from '../../../../src/sbom/errors.js';
import type { CatalogResult } from '../../../../src/sbom/model.js';
import {
  conformancePath,
  listConformance,
  REPO_ROOT,
  readConformance,
} from '../../../helpers/conformance.js';
import { expectCustodyError } from '../../../helpers/expect-error.js';
import { assertCatalogsOrSbomError, memoryTree } from '../python/memory-tree.js';

const DIR = ['lockfiles', 'maven'] as const;

/** Every pom.xml under the conformance maven folder, at its path relative to that folder. */
function allPoms(): string[] {
  const out: string[] = [];
  const walk = (rel: string[]) => {
    for (const name of listConformance(...DIR, ...rel)) {
      if (name.endsWith('.xml')) out.push([...rel, name].join('/'));
      else if (!name.includes('.')) walk([...rel, name]);
    }
  };
  walk([]);
  return out.sort();
}

/** The conformance maven folder as one FileTree, paths as they are on disk. */
function mavenTree() {
  const files: Record<string, Uint8Array> = {};
  for (const p of allPoms()) files[p] = readFileSync(conformancePath(...DIR, p));
  return memoryTree(files);
}

function own(r: CatalogResult, purl: string) {
  const c = r.components.find((x) => x.purl === purl);
  assert.ok(c, `${purl} is cataloged`);
  return c;
}

describe('Maven pom.xml over the conformance poms', () => {
  const tree = mavenTree();
  for (const pom of allPoms()) {
    it(`${pom} is cataloged; declared dependencies counted independently`, () => {
      const src = new TextDecoder().decode(tree.read(pom));
      assert.ok(mavenPomCataloger.sniff(pom, src.slice(0, 4096)));
      const r = mavenPomCataloger.catalog(pom, tree);
      // Independent count: <dependency> elements directly under <project><dependencies>, outside
      // <dependencyManagement>, <build> and <profiles> (naive text slicing, not the XML parser).
      const stripped = src
        .replace(/<!--[\s\S]*?-->/g, '')
        .replace(/<dependencyManagement>[\s\S]*?<\/dependencyManagement>/g, '')
        .replace(/<build>[\s\S]*?<\/build>/g, '')
        .replace(/<profiles>[\s\S]*?<\/profiles>/g, '');
      const block = /<dependencies>([\s\S]*?)<\/dependencies>/.exec(stripped)?.[1] ?? '';
      const declared = [...block.matchAll(/<dependency>/g)].length;
      assert.equal(r.components.length, declared);
      assert.equal(r.rootDependsOn.length, declared);
      assert.ok(r.root?.purl?.startsWith('pkg:maven/'));
      for (const c of r.components) {
        assert.equal(c.ecosystem, 'maven');
        assert.ok(c.version, `${c.ref} has a resolved version`);
        assert.ok(!c.version.includes('${'));
      }
    });
  }

  it('cdxgen test pom: scopes map provided → optional, test → dev, compile → required', () => {
    const r = mavenPomCataloger.catalog('cdxgen__test.pom.xml', mavenTree());
    assert.equal(r.root?.purl, 'pkg:maven/com.shiftleft.io/tarpit-java@1');
    assert.equal(own(r, 'pkg:maven/javax.servlet/javax.servlet-api@3.1.0').scope, 'optional');
    assert.equal(own(r, 'pkg:maven/org.apache.logging.log4j/log4j-core@2.10.0').scope, 'required');
    assert.equal(own(r, 'pkg:maven/org.junit.jupiter/junit-jupiter-api@5.4.0').scope, 'dev');
  });

  it('zeppelin-server: project.version and parent properties through relativePath', () => {
    const r = mavenPomCataloger.catalog('osv-scalibr__zeppelin-server/pom.xml', mavenTree());
    assert.equal(r.root?.purl, 'pkg:maven/org.apache.zeppelin/zeppelin-server@0.11.1');
    own(r, 'pkg:maven/org.apache.zeppelin/zeppelin-zengine@0.11.1'); // ${project.groupId}, ${project.version}
    own(r, 'pkg:maven/org.glassfish.jersey.core/jersey-server@2.30'); // ${jersey.version} from the parent
    own(r, 'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.12.6.1'); // child's own property
    assert.equal(
      own(r, 'pkg:maven/org.apache.zeppelin/zeppelin-zengine@0.11.1?classifier=tests').scope,
      'dev',
    );
  });

  it('versions from dependencyManagement, inherited dependencies, optional and unresolved', () => {
    const tree = memoryTree({
      'pom.xml': `<project><modelVersion>4.0.0</modelVersion>
        <groupId>g</groupId><artifactId>parent</artifactId><version>7</version>
        <properties><lib.version>2.0</lib.version></properties>
        <dependencyManagement><dependencies>
          <dependency><groupId>org.x</groupId><artifactId>lib</artifactId><version>\${lib.version}</version></dependency>
          <dependency><groupId>org.x</groupId><artifactId>bom</artifactId><version>1</version><type>pom</type><scope>import</scope></dependency>
        </dependencies></dependencyManagement>
        <dependencies><dependency><groupId>org.x</groupId><artifactId>inherited</artifactId><version>\${project.version}</version></dependency></dependencies>
      </project>`,
      'child/pom.xml': `<project><modelVersion>4.0.0</modelVersion>
        <parent><groupId>g</groupId><artifactId>parent</artifactId><version>7</version></parent>
        <artifactId>child</artifactId>
        <dependencies>
          <dependency><groupId>org.x</groupId><artifactId>lib</artifactId></dependency>
          <dependency><groupId>org.x</groupId><artifactId>opt</artifactId><version>\${project.parent.version}</version><optional>true</optional></dependency>
          <dependency><groupId>org.x</groupId><artifactId>rt</artifactId><version>1</version><scope>runtime</scope><type>war</type></dependency>
          <dependency><groupId>org.x</groupId><artifactId>missing</artifactId><version>\${nowhere}</version></dependency>
        </dependencies></project>`,
    });
    const r = mavenPomCataloger.catalog('child/pom.xml', tree);
    assert.equal(r.root?.purl, 'pkg:maven/g/child@7');
    assert.deepEqual(
      r.components.map((c) => `${c.ref} ${c.scope}`),
      [
        'pkg:maven/org.x/inherited@7 required',
        'pkg:maven/org.x/lib@2.0 required',
        'pkg:maven/org.x/opt@7 optional',
        'pkg:maven/org.x/rt@1?type=war required',
        'pkg:maven/org.x/missing required',
      ],
    );
    assert.equal(r.components[4]?.properties?.['custody:maven:version'], `$${'{'}nowhere}`);
  });

  it('refuses malformed XML and non-POM XML, naming the file', () => {
    for (const bad of ['<project><dependencies>', '<settings/>']) {
      const e = expectCustodyError(
        () => mavenPomCataloger.catalog('a/pom.xml', memoryTree({ 'a/pom.xml': bad })),
        SbomError,
        'SBOM_LOCKFILE_PARSE',
      );
      assert.match(e.message, /^a\/pom\.xml/);
    }
  });

  it('a property cycle or bomb stops expanding', () => {
    const props = Array.from(
      { length: 30 },
      (_, i) => `<p${i}>\${p${i + 1}}\${p${i + 1}}</p${i}>`,
    ).join('');
    const r = mavenPomCataloger.catalog(
      'pom.xml',
      memoryTree({
        'pom.xml': `<project><groupId>g</groupId><artifactId>a</artifactId><version>1</version><properties><a>\${b}</a><b>\${a}</b>${props}</properties>
          <dependencies><dependency><groupId>x</groupId><artifactId>y</artifactId><version>\${a}</version></dependency>
          <dependency><groupId>x</groupId><artifactId>z</artifactId><version>\${p0}</version></dependency></dependencies></project>`,
      }),
    );
    assert.equal(r.components[0]?.version, undefined);
    assert.equal(r.components[1]?.version, undefined);
  });

  it('a result or SbomError on arbitrary and mutated bytes', () => {
    assertCatalogsOrSbomError(
      mavenPomCataloger,
      'pom.xml',
      readConformance(...DIR, 'cdxgen__test.pom.xml'),
    );
  });
});

describe('Gradle lock files (fixtures from Gradle documentation)', () => {
  const FIX = join(REPO_ROOT, 'test/fixtures/sbom/gradle');
  const lockfile = readFileSync(join(FIX, 'gradle.lockfile'));
  const legacyPath = 'legacy/gradle/dependency-locks/testRuntimeClasspath.lockfile';
  const legacy = readFileSync(join(FIX, legacyPath));

  it('matches and sniffs the lock file names and header', () => {
    assert.ok(gradleLockfileCataloger.matches('app/gradle.lockfile'));
    assert.ok(gradleLockfileCataloger.matches('buildscript-gradle.lockfile'));
    assert.ok(gradleLockfileCataloger.matches(legacyPath));
    assert.ok(!gradleLockfileCataloger.matches('app/build.gradle'));
    assert.ok(gradleLockfileCataloger.sniff('x', new TextDecoder().decode(lockfile)));
  });

  it('one component per module line; test-only configurations are dev (independent count)', () => {
    const src = new TextDecoder().decode(lockfile);
    const lines = src.split('\n').filter((l) => /^[^#=\s]+:[^:=]+:[^:=]+=/.test(l));
    const testOnly = lines.filter((l) =>
      (l.split('=')[1] ?? '').split(',').every((c) => c.startsWith('test')),
    );
    const r = gradleLockfileCataloger.catalog(
      'gradle.lockfile',
      memoryTree({ 'gradle.lockfile': lockfile }),
    );
    assert.equal(r.components.length, lines.length);
    assert.equal(r.components.filter((c) => c.scope === 'dev').length, testOnly.length);
    assert.equal(r.components.length, 14);
    assert.equal(testOnly.length, 6);
    const guava = r.components.find((c) => c.name === 'guava');
    assert.equal(guava?.purl, 'pkg:maven/com.google.guava/guava@33.2.1-jre');
    assert.equal(guava?.scope, 'required');
    assert.equal(
      r.components.find((c) => c.name === 'lombok')?.properties?.['custody:gradle:configurations'],
      'annotationProcessor,compileClasspath',
    );
    assert.deepEqual(r.rootDependsOn, []);
  });

  it('reads the legacy one-file-per-configuration layout', () => {
    const r = gradleLockfileCataloger.catalog(legacyPath, memoryTree({ [legacyPath]: legacy }));
    assert.deepEqual(
      r.components.map((c) => `${c.ref} ${c.scope}`),
      ['pkg:maven/junit/junit@4.13.2 dev', 'pkg:maven/org.hamcrest/hamcrest-core@1.3 dev'],
    );
  });

  it('refuses a line that is not group:name:version, naming the file', () => {
    const e = expectCustodyError(
      () =>
        gradleLockfileCataloger.catalog(
          'gradle.lockfile',
          memoryTree({ 'gradle.lockfile': 'a:b:1=x\nnot a module\n' }),
        ),
      SbomError,
      'SBOM_LOCKFILE_PARSE',
    );
    assert.match(e.message, /^gradle\.lockfile: line 2/);
  });

  it('a result or SbomError on arbitrary and mutated bytes', () => {
    assertCatalogsOrSbomError(gradleLockfileCataloger, 'gradle.lockfile', lockfile);
  });
});
