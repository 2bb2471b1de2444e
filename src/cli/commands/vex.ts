import { type Command, Option } from 'commander';
import { CustodyError } from '../../core/index.js';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT, settingsOf } from '../io.js';
import { writeOutput } from '../output.js';
import { clientFor, DEFAULT_URL, type ServiceFlags, withServiceOptions } from '../service.js';

const NAMES = { openvex: 'OpenVEX', cyclonedx: 'CycloneDX', csaf: 'CSAF' } as const;

/** `custody vex validate|convert`: VEX files in OpenVEX 0.2, CycloneDX VEX and CSAF 2.0. */
export function registerVex(program: Command, io: CliIO): void {
  const vex = program
    .command('vex')
    .description('validate and convert VEX documents (OpenVEX, CycloneDX VEX, CSAF VEX)');

  vex
    .command('validate')
    .description(
      'detect the format and validate against its schema, vocabularies and (CSAF) the VEX profile (exit 1 when invalid)',
    )
    .argument('<file>', 'OpenVEX 0.2, CycloneDX 1.4–1.7 or CSAF 2.0 JSON document')
    .option('--json', 'machine-readable result')
    .option(
      '--lenient',
      'repair OpenVEX 0.0.1 shapes and missing document version or timestamp (each a warning)',
    )
    .action(async (file: string, o: { json?: boolean; lenient?: boolean }) => {
      const { validateVexFile } = await import('../../app/vex/index.js');
      const { data: _data, ...r } = await validateVexFile(file, { lenient: o.lenient === true });
      if (o.json) io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else {
        io.stdout.write(
          `${file}: ${NAMES[r.format]} ${r.specVersion}: ${r.valid ? 'valid' : `INVALID, ${r.errors.length} error(s)`}\n`,
        );
        for (const e of r.errors)
          io.stdout.write(`  ${e.pointer || '/'}: ${e.message} [${e.keyword}]\n`);
        for (const w of r.warnings)
          io.stdout.write(`  warning ${w.pointer || '/'}: ${w.message}\n`);
      }
      if (!r.valid) throw new CliExit(EXIT.no);
    });

  vex
    .command('convert')
    .description(
      'convert between OpenVEX, CycloneDX VEX and CSAF VEX; what the target cannot hold is listed on stderr',
    )
    .argument('<file>', 'VEX document')
    .addOption(
      new Option('--to <format>', 'target format')
        .choices(['openvex', 'cyclonedx', 'csaf'])
        .makeOptionMandatory(),
    )
    .addOption(
      new Option('--cyclonedx-version <version>', 'CycloneDX version to write')
        .choices(['1.4', '1.5', '1.6', '1.7'])
        .default('1.6'),
    )
    .option('-o, --output <file>', 'write here instead of stdout')
    .option(
      '--lenient',
      'read OpenVEX 0.0.1 and documents missing a version or timestamp (repairs on stderr)',
    )
    .option(
      '--deterministic',
      'byte-identical output: a time the source lacks is SOURCE_DATE_EPOCH’s, else 1970-01-01',
    )
    .action(
      async (
        file: string,
        o: {
          to: 'openvex' | 'cyclonedx' | 'csaf';
          cyclonedxVersion: '1.4' | '1.5' | '1.6' | '1.7';
          output?: string;
          lenient?: boolean;
          deterministic?: boolean;
        },
      ) => {
        const { convertVexFile } = await import('../../app/vex/index.js');
        const r = await convertVexFile(file, o.to, {
          lenient: o.lenient === true,
          deterministic: o.deterministic === true,
          cyclonedxVersion: o.cyclonedxVersion,
          env: settingsOf(io).environment,
        });
        writeOutput(io, r.text, o.output);
        for (const w of r.warnings) io.stderr.write(`repaired ${w.pointer || '/'}: ${w.message}\n`);
        if (r.lost.length > 0) {
          io.stderr.write(
            `not carried over from ${NAMES[r.from]} to ${NAMES[o.to]} (${r.lost.length}):\n`,
          );
          for (const l of r.lost) io.stderr.write(`  ${l}\n`);
        }
      },
    );

  registerVexService(vex, io);
}

interface StatementAnswer {
  id: number;
  product: string;
  vulnerability: string;
  status: string;
  version: number;
  confidential: boolean;
  draftedBy: string;
  approvedBy: string | null;
  needsApproval: boolean;
}

const many = (v: string, prev: string[] = []) => [...prev, v];

function statementLine(r: StatementAnswer): string {
  return `statement ${r.id}: ${r.vulnerability} on ${r.product}: ${r.status} (version ${r.version}${r.confidential ? ', confidential' : ''}), drafted by ${r.draftedBy}${r.approvedBy ? `, approved by ${r.approvedBy}` : r.needsApproval ? ', waiting for approval' : ''}\n`;
}

/** `custody vex draft|transition|approve|publish|get`: VEX statements and documents in a service. */
function registerVexService(vex: Command, io: CliIO): void {
  const print = (o: { json?: boolean }, body: unknown, line: string) =>
    io.stdout.write(o.json ? `${JSON.stringify(body, null, 2)}\n` : line);

  withServiceOptions(
    vex
      .command('draft <product>')
      .description('draft an under_investigation VEX statement for a product in the service')
      .requiredOption('--vulnerability <id>', 'CVE-…, GHSA-…, or the private report’s id')
      .option('--component <purl>', 'the vulnerable component (repeatable)', many)
      .option(
        '--release <version>',
        'a release it covers (repeatable; default: every version)',
        many,
      )
      .option('--alias <id>', 'another id of the vulnerability (repeatable)', many)
      .option('--description <text>', 'what the vulnerability is')
      .option('--confidential', 'a private disclosure: team approvers only until disclosed')
      .option('--json', 'print the statement as JSON'),
  ).action(
    async (
      product: string,
      o: ServiceFlags & {
        vulnerability: string;
        component?: string[];
        release?: string[];
        alias?: string[];
        description?: string;
        confidential?: boolean;
        json?: boolean;
      },
    ) => {
      const { body } = await clientFor(o, io).request<StatementAnswer>(
        'POST',
        `/api/v1/vex/${encodeURIComponent(product)}/statements`,
        {
          body: {
            vulnerability: o.vulnerability,
            ...(o.component ? { components: o.component } : {}),
            ...(o.release ? { releases: o.release } : {}),
            ...(o.alias ? { aliases: o.alias } : {}),
            ...(o.description !== undefined ? { description: o.description } : {}),
            ...(o.confidential ? { confidential: true } : {}),
          },
        },
      );
      print(o, body, statementLine(body));
    },
  );

  withServiceOptions(
    vex
      .command('transition <id>')
      .description(
        'change a statement’s status (a judgment then waits for another person’s approval)',
      )
      .requiredOption('--status <status>', 'under_investigation, affected, not_affected or fixed')
      .option('--justification <label>', 'not_affected: one of the standard’s five labels')
      .option('--impact <text>', 'not_affected: impact statement')
      .option('--action <text>', 'affected: what customers should do')
      .option(
        '--response <response>',
        'affected: can_not_fix, will_not_fix, update, rollback, workaround_available (repeatable)',
        many,
      )
      .option('--notes <text>', 'status notes')
      .option('--json', 'print the statement as JSON'),
  ).action(
    async (
      id: string,
      o: ServiceFlags & {
        status: string;
        justification?: string;
        impact?: string;
        action?: string;
        response?: string[];
        notes?: string;
        json?: boolean;
      },
    ) => {
      const { body } = await clientFor(o, io).request<StatementAnswer>(
        'POST',
        `/api/v1/vex-statements/${encodeURIComponent(id)}/transition`,
        {
          body: {
            status: o.status,
            ...(o.justification !== undefined ? { justification: o.justification } : {}),
            ...(o.impact !== undefined ? { impactStatement: o.impact } : {}),
            ...(o.action !== undefined ? { actionStatement: o.action } : {}),
            ...(o.response ? { responses: o.response } : {}),
            ...(o.notes !== undefined ? { statusNotes: o.notes } : {}),
          },
        },
      );
      print(o, body, statementLine(body));
    },
  );

  withServiceOptions(
    vex
      .command('approve <id>')
      .description('approve a statement’s current version (an approver who did not draft it)')
      .option('--json', 'print the statement as JSON'),
  ).action(async (id: string, o: ServiceFlags & { json?: boolean }) => {
    const { body } = await clientFor(o, io).request<StatementAnswer>(
      'POST',
      `/api/v1/vex-statements/${encodeURIComponent(id)}/approve`,
    );
    print(o, body, statementLine(body));
  });

  withServiceOptions(
    vex
      .command('publish <product>')
      .description(
        'publish the product’s VEX document: signed with the service’s key, or by you (--keyless), and logged',
      )
      .addOption(
        new Option('--format <format>', 'document format')
          .choices(['openvex', 'cyclonedx', 'csaf'])
          .default('openvex'),
      )
      .option(
        '--keyless',
        'sign it yourself, as custody sign does without --key: an OIDC identity token (SIGSTORE_ID_TOKEN, GitHub Actions, or CUSTODY_DEV_OIDC_SUBJECT with --dev-oidc) gets a 10-minute certificate from the service’s CA; the team must admit the identity',
      )
      .option('--json', 'print the publication as JSON'),
  ).action(
    async (
      product: string,
      o: ServiceFlags & { format: VexFormatName; keyless?: boolean; json?: boolean },
    ) => {
      if (o.keyless) {
        const view = await publishKeyless(product, o, io);
        print(
          o,
          view,
          `published ${product} (${o.format}) version ${view.documentVersion}: ${view.statements} statement(s), ${view.digest}, log index ${view.logIndex}, signed by ${signerLine(view.signer)}\n`,
        );
        return;
      }
      const { body } = await clientFor(o, io).request<{
        documentVersion: string;
        digest: string;
        statements: number;
        logIndex: number | null;
      }>('POST', `/api/v1/vex/${encodeURIComponent(product)}/publish`, {
        query: { format: o.format },
      });
      print(
        o,
        body,
        `published ${product} (${o.format}) version ${body.documentVersion}: ${body.statements} statement(s), ${body.digest}, log index ${body.logIndex}\n`,
      );
    },
  );

  withServiceOptions(
    vex
      .command('get <product>')
      .description('the product’s current published VEX document (or its Sigstore bundle)')
      .addOption(
        new Option('--format <format>', 'document format')
          .choices(['openvex', 'cyclonedx', 'csaf'])
          .default('openvex'),
      )
      .option('--bundle', 'the Sigstore bundle over the document instead')
      .option('-o, --output <file>', 'write here instead of stdout'),
  ).action(
    async (
      product: string,
      o: ServiceFlags & { format: string; bundle?: boolean; output?: string },
    ) => {
      const { body } = await clientFor(o, io).request<unknown>(
        'GET',
        `/api/v1/vex/${encodeURIComponent(product)}${o.bundle ? '/bundle' : ''}`,
        { query: { format: o.format } },
      );
      // The document as written (two-space JSON, which a parse and re-stringify keeps), the bundle
      // compact, as stored.
      const text =
        typeof body === 'string'
          ? body
          : `${o.bundle ? JSON.stringify(body) : JSON.stringify(body, null, 2)}\n`;
      writeOutput(io, text, o.output);
    },
  );
}

type VexFormatName = 'openvex' | 'cyclonedx' | 'csaf';

/** Codes that mean the signature was checked and refused: exit 1, as a failed verification. */
const REFUSED_SIGNATURE = new Set([
  'VEX_BUNDLE_UNVERIFIED',
  'VEX_SIGNER_NOT_ADMITTED',
  'VEX_SIGNER_NOT_CALLER',
  'SIGN_ARTIFACT_MISMATCH',
]);

/** Prepare → sign keylessly → complete; the published view, or exit 1 when the signature is refused. */
async function publishKeyless(
  product: string,
  o: ServiceFlags & { format: VexFormatName },
  io: CliIO,
): Promise<PublishedView> {
  const { publishVexKeylessRemote } = await import('../../app/vex/publish-remote.js');
  const { keyedOptions } = await import('./sign.js');
  const url = o.url ?? settingsOf(io).url ?? DEFAULT_URL;
  try {
    const done = await publishVexKeylessRemote(clientFor(o, io), {
      product,
      format: o.format,
      signing: keyedOptions({ log: true, url }, io),
    });
    if (done.published === undefined) throw new Error('a completed publication without its view');
    return done.published;
  } catch (e) {
    if (e instanceof CustodyError && REFUSED_SIGNATURE.has(e.code)) {
      io.stderr.write(`custody: ${e.code}: ${e.message}\n`);
      throw new CliExit(EXIT.no);
    }
    throw e;
  }
}

interface PublishedView {
  documentVersion: string;
  digest: string;
  statements: number;
  logIndex: number | null;
  signer: { kind: 'key' } | { kind: 'identity'; identity: string; issuer: string };
}

function signerLine(s: PublishedView['signer']): string {
  return s.kind === 'identity' ? `${s.identity} (${s.issuer})` : 'the service’s VEX-signing key';
}
