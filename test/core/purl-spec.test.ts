// The purl-spec test suite (conformance/purl/tests), read in place: one `it` per case, counted
// from the suite's own files. Test groups map to parser modes: "required" cases are the spec's
// pass/fail conformance tests and run with { strict: true }; "recommended" cases show how a
// lenient parser repairs input and run with the default (lenient) mode.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoreError } from '../../src/core/errors.js';
import { parseJson } from '../../src/core/json.js';
import { formatPurl, normalizePurl, type PurlParts, parsePurl } from '../../src/core/purl/index.js';
import { listConformance, readConformance } from '../helpers/conformance.js';
import { expectCustodyError } from '../helpers/expect-error.js';

interface SpecComponents {
  type?: string | null;
  namespace?: string | null;
  name?: string | null;
  version?: string | null;
  qualifiers?: Record<string, string> | null;
  subpath?: string | null;
}

interface SpecCase {
  description: string;
  test_group: 'required' | 'recommended';
  test_type: 'parse' | 'build' | 'validate';
  input: string | SpecComponents;
  expected_output?: string | SpecComponents | null;
  expected_failure?: boolean;
}

const FILES = [
  ['spec', 'specification-test.json'],
  ...listConformance('purl', 'tests', 'types').map((f) => ['types', f]),
] as const;

describe('purl-spec test suite', () => {
  for (const [dir, file] of FILES) {
    const suite = parseJson(readConformance('purl', 'tests', dir, file), file) as {
      tests: SpecCase[];
    };
    describe(`${dir}/${file}`, () => {
      for (const t of suite.tests) {
        it(`${t.test_type} (${t.test_group}): ${t.description}`, () => run(t));
      }
    });
  }
});

function run(t: SpecCase): void {
  const strict = t.test_group === 'required';
  const act = (): unknown => {
    switch (t.test_type) {
      case 'parse':
        return parsePurl(t.input as string, { strict });
      case 'validate':
        return normalizePurl(t.input as string, { strict });
      case 'build':
        return formatPurl(partsFrom(t.input as SpecComponents));
      default: {
        const never: never = t.test_type;
        throw new Error(`unknown test_type ${String(never)}`);
      }
    }
  };
  if (t.expected_failure === true) {
    expectCustodyError(act, CoreError, 'PURL_INVALID');
    return;
  }
  const got = act();
  if (t.test_type === 'parse') {
    assert.deepEqual(got, partsFrom(t.expected_output as SpecComponents));
  } else {
    assert.equal(got, t.expected_output);
  }
}

// The suite writes absent components as null; PurlParts leaves them out.
function partsFrom(c: SpecComponents): PurlParts {
  const parts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) {
    if (v !== null && v !== undefined) parts[k] = v;
  }
  return parts as unknown as PurlParts;
}
