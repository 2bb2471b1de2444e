#!/usr/bin/env node
// Precompile the official SBOM and VEX JSON schemas in schemas/ into standalone validator modules
// (src/formats/validators/*.generated.ts) with ajv's standalone code generator.
//
//   node --import tsx scripts/gen-validators.mjs          write the modules
//   node --import tsx scripts/gen-validators.mjs --check  exit 1 when a module is out of date
//
// Why: compiling the CycloneDX 1.6 schema with ajv takes ~600 ms, on every CLI run; loading
// the precompiled module takes a few ms. The schemas themselves stay untouched in schemas/; the
// in-memory copy compiled here differs only in ways that do not change which documents are valid:
// annotations (description, title, examples, …) are dropped, and `uniqueItems: true` is checked
// by a linear-time keyword instead of ajv's pairwise comparison (see runtime.ts findDuplicate).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { _, str } from 'ajv';
import Ajv2019 from 'ajv/dist/2019.js';
import Ajv2020 from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { PATTERN_REWRITES } from '../src/formats/validators/pattern-rewrites.ts';
import * as runtime from '../src/formats/validators/runtime.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, 'src/formats/validators');
const CDX = 'http://cyclonedx.org/schema/';

/** name → root schema file, draft, and sub-schemas registered under the URIs the root refers to. */
const TARGETS = [
  cdx('cyclonedx-1.2', 'bom-1.2-strict.SNAPSHOT.schema.json', true),
  cdx('cyclonedx-1.3', 'bom-1.3-strict.SNAPSHOT.schema.json', true),
  cdx('cyclonedx-1.4', 'bom-1.4.SNAPSHOT.schema.json', true),
  cdx('cyclonedx-1.5', 'bom-1.5.schema.json', false),
  cdx('cyclonedx-1.6', 'bom-1.6.schema.json', false),
  cdx('cyclonedx-1.7', 'bom-1.7.schema.json', false),
  { name: 'spdx-2.2', root: 'spdx/spdx-2.2.schema.json', draft: '07', subs: {} },
  { name: 'spdx-2.3', root: 'spdx/spdx-2.3.schema.json', draft: '2019-09', subs: {} },
  // VEX: OpenVEX 0.2 and CSAF 2.0 (draft 2020-12). CSAF refers to FIRST's CVSS schemas by URL;
  // the copies in schemas/csaf answer those URLs (CVSS 2.0/3.0 are draft-04, whose `id` and
  // `$schema` are dropped: their keywords mean the same under 2020-12).
  { name: 'openvex-0.2', root: 'openvex/openvex_json_schema.json', draft: '2020-12', subs: {} },
  {
    name: 'csaf-2.0',
    root: 'csaf/csaf_json_schema.json',
    draft: '2020-12',
    subs: {
      'https://www.first.org/cvss/cvss-v2.0.json': 'csaf/cvss-v2.0.json',
      'https://www.first.org/cvss/cvss-v3.0.json': 'csaf/cvss-v3.0.json',
      'https://www.first.org/cvss/cvss-v3.1.json': 'csaf/cvss-v3.1.json',
    },
    subsWithoutIds: true,
  },
];

// CycloneDX schemas from the library refer to `*.SNAPSHOT.schema.json`; the spec's own to
// `*.schema.json`. Either way the same three sub-schema files answer.
function cdx(name, file, snapshot) {
  const s = snapshot ? '.SNAPSHOT' : '';
  return {
    name,
    root: `cyclonedx/${file}`,
    draft: '07',
    subs: {
      [`${CDX}spdx${s}.schema.json`]: 'cyclonedx/spdx.SNAPSHOT.schema.json',
      [`${CDX}jsf-0.82${s}.schema.json`]: 'cyclonedx/jsf-0.82.schema.json',
      [`${CDX}cryptography-defs${s}.schema.json`]: 'cyclonedx/cryptography-defs.schema.json',
    },
  };
}

const ANNOTATIONS = new Set([
  'description',
  'title',
  'examples',
  '$comment',
  'meta:enum',
  'default',
  'deprecated',
]);
const SCHEMA_MAPS = new Set([
  'properties',
  'patternProperties',
  'definitions',
  '$defs',
  'dependentSchemas',
]);
const SCHEMA_ONE = new Set([
  'additionalProperties',
  'additionalItems',
  'contains',
  'not',
  'if',
  'then',
  'else',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
]);
const SCHEMA_LIST = new Set(['allOf', 'anyOf', 'oneOf']);

/** A copy of `schema` fit for compiling: annotations dropped, uniqueItems → the fast keyword. */
function prepare(schema) {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const out = {};
  for (const [k, v] of Object.entries(schema)) {
    if (ANNOTATIONS.has(k)) continue;
    if (k === 'pattern' && typeof v === 'string' && PATTERN_REWRITES[v]) {
      out[k] = PATTERN_REWRITES[v];
      continue;
    }
    if (k === 'uniqueItems') {
      if (v === true) out['x-custody-unique-items'] = true;
      continue;
    }
    if (SCHEMA_MAPS.has(k) && v && typeof v === 'object') {
      out[k] = Object.fromEntries(Object.entries(v).map(([p, s]) => [p, prepare(s)]));
    } else if (k === 'dependencies' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(
        Object.entries(v).map(([p, s]) => [p, Array.isArray(s) ? s : prepare(s)]),
      );
    } else if (k === 'items') {
      out[k] = Array.isArray(v) ? v.map(prepare) : prepare(v);
    } else if (SCHEMA_ONE.has(k)) {
      out[k] = prepare(v);
    } else if (SCHEMA_LIST.has(k) && Array.isArray(v)) {
      out[k] = v.map(prepare);
    } else {
      out[k] = v;
    }
  }
  return out;
}

function makeAjv(draft) {
  const opts = {
    strict: false,
    allErrors: true,
    addUsedSchema: false,
    code: { source: true, esm: true, lines: false, optimize: true, formats: _`rt.formats` },
  };
  const ajv =
    draft === '2019-09'
      ? new Ajv2019.default(opts)
      : draft === '2020-12'
        ? new Ajv2020.default(opts)
        : new Ajv.default(opts);
  for (const [name, fmt] of Object.entries(runtime.formats)) ajv.addFormat(name, fmt);
  ajv.addKeyword({
    keyword: 'x-custody-unique-items',
    type: 'array',
    schemaType: 'boolean',
    error: {
      message: ({ params }) =>
        str`must NOT have duplicate items (items ## ${params.j} and ${params.i} are identical)`,
      params: ({ params }) => _`{i: ${params.i}, j: ${params.j}}`,
    },
    code(cxt) {
      if (!cxt.schema) return;
      const { gen, data } = cxt;
      const find = gen.scopeValue('func', {
        ref: runtime.findDuplicate,
        code: _`rt.findDuplicate`,
      });
      const dup = gen.const('dup', _`${find}(${data})`);
      cxt.setParams({ i: _`${dup}[1]`, j: _`${dup}[0]` });
      cxt.fail(_`${dup} !== undefined`);
    },
  });
  return ajv;
}

const RUNTIME_REFS = [
  ['require("ajv/dist/runtime/equal").default', 'rt.equal'],
  ['require("ajv/dist/runtime/ucs2length").default', 'rt.ucs2length'],
];

function generate(target) {
  const read = (f) => JSON.parse(readFileSync(join(ROOT, 'schemas', f), 'utf8'));
  const ajv = makeAjv(target.draft);
  for (const [uri, file] of Object.entries(target.subs)) {
    const sub = prepare(read(file));
    if (target.subsWithoutIds) {
      delete sub.$schema;
      delete sub.$id;
      delete sub.id;
    }
    ajv.addSchema(sub, uri);
  }
  const validate = ajv.compile(prepare(read(target.root)));
  let code = standaloneCode.default(ajv, validate);
  for (const [from, to] of RUNTIME_REFS) code = code.split(from).join(to);
  if (code.includes('require(')) {
    throw new Error(`${target.name}: generated code still calls require(): extend RUNTIME_REFS`);
  }
  // Wrap everything in a function run on first use: importing the module then costs only V8's
  // pre-parse, and a CLI run pays for the one schema version it validates.
  const head = /^"use strict";export const validate = (\w+);export default \w+;/.exec(code);
  if (!head) throw new Error(`${target.name}: unexpected standalone code prologue`);
  return [
    `// biome-ignore-all lint: generated by scripts/gen-validators.mjs from schemas/${target.root}`,
    '// biome-ignore-all format: generated code',
    '// @ts-nocheck',
    "import * as rt from './runtime.js';",
    '',
    'let compiled;',
    '/** The validator for this schema (an ajv standalone ValidateFunction). */',
    'export function loadValidator() {',
    '  if (compiled === undefined) compiled = (function () {',
    code.slice(head[0].length),
    `return ${head[1]};`,
    '  })();',
    '  return compiled;',
    '}',
    '',
  ].join('\n');
}

const check = process.argv.includes('--check');
let stale = 0;
for (const target of TARGETS) {
  const file = join(OUT, `${target.name}.generated.ts`);
  const code = generate(target);
  if (check) {
    let old = '';
    try {
      old = readFileSync(file, 'utf8');
    } catch {}
    if (old !== code) {
      stale++;
      console.error(`out of date: ${file}`);
    }
  } else {
    writeFileSync(file, code);
    console.log(`${target.name}: ${(code.length / 1024).toFixed(0)} KiB`);
  }
}
process.exit(stale > 0 ? 1 : 0);
