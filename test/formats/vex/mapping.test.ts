import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  publishVex,
  readVex,
  type VexDocument,
  VexFormatError,
  validateVex,
  writeVex,
} from '../../../src/formats/index.js';
import { expectCustodyErrorAsync } from '../../helpers/expect-error.js';

const NOW = '2024-05-01T12:00:00Z';

const openvex = (statement: Record<string, unknown>) => ({
  '@context': 'https://openvex.dev/ns/v0.2.0',
  '@id': 'https://example.com/vex/1',
  author: 'Example',
  timestamp: NOW,
  version: 1,
  statements: [
    {
      vulnerability: { name: 'CVE-2024-0001' },
      products: [{ '@id': 'pkg:npm/a@1.0.0' }],
      ...statement,
    },
  ],
});

const cdx = (
  analysis: Record<string, unknown>,
  affects: unknown[] = [{ ref: 'pkg:npm/a@1.0.0' }],
) => ({
  bomFormat: 'CycloneDX',
  specVersion: '1.6',
  version: 1,
  vulnerabilities: [{ id: 'CVE-2024-0001', analysis, affects }],
});

function csaf(vuln: Record<string, unknown>) {
  return {
    document: {
      category: 'csaf_vex',
      csaf_version: '2.0',
      publisher: { category: 'vendor', name: 'Example', namespace: 'https://example.com' },
      title: 'Example',
      tracking: {
        current_release_date: NOW,
        id: 'EX-1',
        initial_release_date: NOW,
        revision_history: [{ date: NOW, number: '1', summary: 'Initial version.' }],
        status: 'final',
        version: '1',
      },
    },
    product_tree: { full_product_names: [{ name: 'A 1.0', product_id: 'P1' }] },
    vulnerabilities: [
      { cve: 'CVE-2024-0001', notes: [{ category: 'description', text: 'x' }], ...vuln },
    ],
  };
}

describe('VEX vocabularies: terms outside the standard lists are refused with pointers', () => {
  const cases: [string, object, string, string][] = [
    [
      'OpenVEX status',
      openvex({ status: 'exploitable' }),
      'VEX_STATUS_INVALID',
      '/statements/0/status',
    ],
    [
      'OpenVEX justification',
      openvex({ status: 'not_affected', justification: 'code_not_reachable' }),
      'VEX_JUSTIFICATION_INVALID',
      '/statements/0/justification',
    ],
    [
      'CycloneDX state',
      cdx({ state: 'affected' }),
      'VEX_STATUS_INVALID',
      '/vulnerabilities/0/analysis/state',
    ],
    [
      'CycloneDX justification',
      cdx({ state: 'not_affected', justification: 'vulnerable_code_not_present' }),
      'VEX_JUSTIFICATION_INVALID',
      '/vulnerabilities/0/analysis/justification',
    ],
    [
      'CycloneDX version status',
      cdx({ state: 'in_triage' }, [{ ref: 'x', versions: [{ version: '1', status: 'fixed' }] }]),
      'VEX_STATUS_INVALID',
      '/vulnerabilities/0/affects/0/versions/0/status',
    ],
    [
      'CSAF product status',
      csaf({ product_status: { not_affected: ['P1'] } }),
      'VEX_STATUS_INVALID',
      '/vulnerabilities/0/product_status/not_affected',
    ],
    [
      'CSAF flag label',
      csaf({
        product_status: { known_not_affected: ['P1'] },
        flags: [{ label: 'code_not_present', product_ids: ['P1'] }],
      }),
      'VEX_JUSTIFICATION_INVALID',
      '/vulnerabilities/0/flags/0/label',
    ],
  ];
  for (const [name, doc, code, pointer] of cases) {
    it(`${name} → ${code} at ${pointer}`, async () => {
      const e = await expectCustodyErrorAsync(
        () => readVex(JSON.stringify(doc)),
        VexFormatError,
        code,
      );
      const errors = e.details?.['errors'] as { pointer: string }[];
      assert.ok(
        errors.some((x) => x.pointer === pointer),
        JSON.stringify(errors),
      );
    });
  }
});

describe('CSAF VEX profile', () => {
  it('a known_not_affected product without a flag or impact threat → VEX_PROFILE_INVALID (6.1.27.9)', async () => {
    const e = await expectCustodyErrorAsync(
      () => readVex(JSON.stringify(csaf({ product_status: { known_not_affected: ['P1'] } }))),
      VexFormatError,
      'VEX_PROFILE_INVALID',
    );
    assert.deepEqual(
      ((e.details?.['errors'] ?? []) as { pointer: string }[]).map((x) => x.pointer),
      ['/vulnerabilities/0/product_status/known_not_affected/0'],
    );
  });
  it('a known_affected product without a remediation → VEX_PROFILE_INVALID (6.1.27.10)', async () => {
    await expectCustodyErrorAsync(
      () => readVex(JSON.stringify(csaf({ product_status: { known_affected: ['P1'] } }))),
      VexFormatError,
      'VEX_PROFILE_INVALID',
    );
  });
  it('an undefined product id → VEX_PROFILE_INVALID (6.1.1); a flag or remediation makes it valid', async () => {
    await expectCustodyErrorAsync(
      () => readVex(JSON.stringify(csaf({ product_status: { fixed: ['P9'] } }))),
      VexFormatError,
      'VEX_PROFILE_INVALID',
    );
    const ok = await readVex(
      JSON.stringify(
        csaf({
          product_status: { known_not_affected: ['P1'] },
          flags: [{ label: 'component_not_present', product_ids: ['P1'] }],
        }),
      ),
    );
    assert.equal(ok.document.statements[0]?.justification, 'component_not_present');
  });
  it('a schema violation → VEX_SCHEMA_INVALID', async () => {
    const bad = csaf({ product_status: { fixed: ['P1'] } });
    (bad.document.tracking as { status: string }).status = 'done';
    const e = await expectCustodyErrorAsync(
      () => readVex(JSON.stringify(bad)),
      VexFormatError,
      'VEX_SCHEMA_INVALID',
    );
    assert.ok(
      ((e.details?.['errors'] ?? []) as { pointer: string }[]).some(
        (x) => x.pointer === '/document/tracking/status',
      ),
    );
  });
});

describe('mapping to and from the model', () => {
  it('CycloneDX states map to the four statuses and back, the finer term kept', async () => {
    const table: [string, string][] = [
      ['resolved', 'fixed'],
      ['resolved_with_pedigree', 'fixed'],
      ['exploitable', 'affected'],
      ['in_triage', 'under_investigation'],
      ['false_positive', 'not_affected'],
      ['not_affected', 'not_affected'],
    ];
    for (const [state, status] of table) {
      const r = await readVex(JSON.stringify(cdx({ state })));
      assert.equal(r.document.statements[0]?.status, status, state);
      const back = writeVex(r.document, 'cyclonedx').data as {
        vulnerabilities: { analysis: { state: string } }[];
      };
      assert.equal(back.vulnerabilities[0]?.analysis.state, state);
    }
  });

  it("CycloneDX's nine justifications map onto the five, the original kept as detail", async () => {
    const table: Record<string, string> = {
      code_not_present: 'vulnerable_code_not_present',
      code_not_reachable: 'vulnerable_code_not_in_execute_path',
      requires_configuration: 'vulnerable_code_cannot_be_controlled_by_adversary',
      requires_dependency: 'component_not_present',
      requires_environment: 'vulnerable_code_cannot_be_controlled_by_adversary',
      protected_by_compiler: 'inline_mitigations_already_exist',
      protected_at_runtime: 'inline_mitigations_already_exist',
      protected_at_perimeter: 'inline_mitigations_already_exist',
      protected_by_mitigating_control: 'inline_mitigations_already_exist',
    };
    for (const [cdxJ, j] of Object.entries(table)) {
      const s = (await readVex(JSON.stringify(cdx({ state: 'not_affected', justification: cdxJ }))))
        .document.statements[0];
      assert.equal(s?.justification, j);
      assert.equal(s?.justificationDetail, cdxJ);
      const csafFlag = (
        writeVex(
          (await readVex(JSON.stringify(cdx({ state: 'not_affected', justification: cdxJ }))))
            .document,
          'csaf',
          { now: NOW },
        ).data as { vulnerabilities: { flags: { label: string }[] }[] }
      ).vulnerabilities[0]?.flags[0]?.label;
      assert.equal(csafFlag, j);
    }
  });

  it('EOL: CycloneDX will_not_fix ⇄ CSAF no_fix_planned ⇄ an OpenVEX action statement', async () => {
    const doc = (
      await readVex(
        JSON.stringify(
          cdx({
            state: 'exploitable',
            response: ['will_not_fix'],
            detail: 'End of life; upgrade to 2.x.',
          }),
        ),
      )
    ).document;
    const c = writeVex(doc, 'csaf', { now: NOW }).data as {
      vulnerabilities: { remediations: { category: string; details: string }[] }[];
    };
    assert.deepEqual(
      c.vulnerabilities[0]?.remediations.map((r) => r.category),
      ['no_fix_planned'],
    );
    const o = writeVex(doc, 'openvex', { now: NOW }).data as {
      statements: { action_statement: string }[];
    };
    assert.equal(
      o.statements[0]?.action_statement,
      'End of life; upgrade to 2.x.\nResponses: will_not_fix.',
    );
    for (const text of [
      writeVex(doc, 'csaf', { now: NOW }).text,
      writeVex(doc, 'openvex', { now: NOW }).text,
    ]) {
      const again = await readVex(text);
      assert.deepEqual(again.document.statements[0]?.responses, ['will_not_fix']);
      assert.equal(again.document.statements[0]?.actionStatement, 'End of life; upgrade to 2.x.');
    }
  });

  it('edge case 2: affected and unaffected versions of one product stay apart in every format', async () => {
    const doc = (
      await readVex(
        JSON.stringify(
          cdx({ state: 'resolved' }, [
            {
              ref: 'pkg:npm/a',
              versions: [
                { range: 'vers:npm/<1.4.2', status: 'affected' },
                { version: '1.4.2', status: 'unaffected' },
              ],
            },
          ]),
        ),
      )
    ).document;
    assert.deepEqual(
      doc.statements.map((s) => [s.status, s.products[0]?.versions]),
      [
        ['affected', { range: 'vers:npm/<1.4.2' }],
        ['fixed', { list: ['1.4.2'] }],
      ],
    );
    const o = writeVex(doc, 'openvex', { now: NOW }).data as {
      statements: { status: string; products: { '@id': string }[] }[];
    };
    assert.deepEqual(
      o.statements.map((s) => [s.status, s.products.map((p) => p['@id'])]),
      [
        ['affected', ['pkg:npm/a?vers=vers%3Anpm%2F%3C1.4.2']],
        ['fixed', ['pkg:npm/a@1.4.2']],
      ],
    );
    const c = writeVex(doc, 'csaf', { now: NOW }).data as {
      product_tree: {
        branches: {
          branches: { category: string; name: string; product: { product_id: string } }[];
        }[];
      };
      vulnerabilities: { product_status: Record<string, string[]> }[];
    };
    const leaves = c.product_tree.branches[0]?.branches ?? [];
    assert.deepEqual(
      leaves.map((b) => [b.category, b.name]),
      [
        ['product_version_range', 'vers:npm/<1.4.2'],
        ['product_version', '1.4.2'],
      ],
    );
    assert.deepEqual(c.vulnerabilities[0]?.product_status, {
      known_affected: [leaves[0]?.product.product_id],
      fixed: [leaves[1]?.product.product_id],
    });
    for (const f of ['openvex', 'cyclonedx', 'csaf'] as const) {
      const again = (await readVex(writeVex(doc, f, { now: NOW }).text)).document;
      // OpenVEX names the fixed version by its purl: pkg:npm/a@1.4.2.
      const versionsOf = (p: VexDocument['statements'][number]['products'][number] | undefined) =>
        p?.versions ?? (p?.purl === 'pkg:npm/a@1.4.2' ? { list: ['1.4.2'] } : undefined);
      assert.deepEqual(
        again.statements.map((s) => [s.status, versionsOf(s.products[0])]),
        [
          ['affected', { range: 'vers:npm/<1.4.2' }],
          ['fixed', { list: ['1.4.2'] }],
        ],
        f,
      );
    }
  });

  it('versions enumerated: one OpenVEX product per version, one CycloneDX affects with each version', async () => {
    const doc: VexDocument = {
      id: 'urn:uuid:1b671687-395b-41f5-a30f-a58921a69b79',
      statements: [
        {
          vulnerability: 'CVE-2024-1',
          status: 'fixed',
          products: [{ purl: 'pkg:npm/a', versions: { list: ['1.0.1', '1.1.0'] } }],
        },
      ],
    };
    const o = writeVex(doc, 'openvex', { now: NOW }).data as {
      statements: { products: { '@id': string }[] }[];
    };
    assert.deepEqual(
      o.statements[0]?.products.map((p) => p['@id']),
      ['pkg:npm/a@1.0.1', 'pkg:npm/a@1.1.0'],
    );
    const c = writeVex(doc, 'cyclonedx').data as { vulnerabilities: { affects: unknown[] }[] };
    assert.deepEqual(c.vulnerabilities[0]?.affects, [
      {
        ref: 'pkg:npm/a',
        versions: [
          { version: '1.0.1', status: 'unaffected' },
          { version: '1.1.0', status: 'unaffected' },
        ],
      },
    ]);
  });
});

describe('writing: deterministic, versioned on publication', () => {
  const model: VexDocument = {
    id: 'https://example.com/vex/a',
    author: 'Example',
    statements: [
      {
        vulnerability: 'CVE-2024-2',
        status: 'under_investigation',
        products: [{ purl: 'pkg:npm/a@1.0.0' }],
      },
    ],
  };

  it('same model and time, same bytes; no time where the format needs one → VEX_WRITE_INVALID', () => {
    for (const f of ['openvex', 'cyclonedx', 'csaf'] as const)
      assert.equal(
        writeVex(model, f, { now: NOW }).text,
        writeVex(structuredClone(model), f, { now: NOW }).text,
      );
    assert.throws(
      () => writeVex(model, 'openvex'),
      (e: unknown) => (e as VexFormatError).code === 'VEX_WRITE_INVALID',
    );
    assert.throws(
      () => writeVex({ ...model, statements: [] }, 'cyclonedx'),
      (e: unknown) => (e as VexFormatError).code === 'VEX_WRITE_INVALID',
    );
  });

  it('every publication moves OpenVEX and CycloneDX version and adds a CSAF revision', async () => {
    const first = publishVex(model, { at: '2024-01-01T00:00:00Z' });
    const second = publishVex(
      {
        ...model,
        statements: [
          {
            ...(model.statements[0] as VexDocument['statements'][number]),
            status: 'affected',
            actionStatement: 'Upgrade',
          },
        ],
      },
      { previous: first, at: '2024-02-01T00:00:00Z', summary: 'Affected.' },
    );
    const third = publishVex(second, {
      previous: (await readVex(writeVex(second, 'csaf').text)).document,
      at: '2024-03-01T00:00:00Z',
    });
    assert.deepEqual([first.version, second.version, third.version], ['1', '2', '3']);
    const o = writeVex(third, 'openvex').data as {
      version: number;
      timestamp: string;
      last_updated: string;
    };
    assert.deepEqual(
      [o.version, o.timestamp, o.last_updated],
      [3, '2024-01-01T00:00:00Z', '2024-03-01T00:00:00Z'],
    );
    assert.equal((writeVex(third, 'cyclonedx').data as { version: number }).version, 3);
    const c = writeVex(third, 'csaf').data as {
      document: { tracking: { version: string; revision_history: unknown[] } };
    };
    assert.equal(c.document.tracking.version, '3');
    assert.deepEqual(c.document.tracking.revision_history, [
      { date: '2024-01-01T00:00:00Z', number: '1', summary: 'Initial version.' },
      { date: '2024-02-01T00:00:00Z', number: '2', summary: 'Affected.' },
      { date: '2024-03-01T00:00:00Z', number: '3', summary: 'Update.' },
    ]);
    assert.equal((await validateVex(writeVex(third, 'csaf').text)).valid, true);
    assert.equal(publishVex(model, { number: 7, at: NOW }).version, '7');
  });
});
