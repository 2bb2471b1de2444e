import type { FastifyInstance } from 'fastify';
import {
  approveVexStatement,
  completePublication,
  discloseVexStatement,
  draftStatement,
  endOfLifeVexStatement,
  fixVexStatementFromEvidence,
  getPublication,
  getPublishedVex,
  listVexStatements,
  preparePublication,
  publishVexDocument,
  reviseVexStatement,
  transitionVexStatement,
  VEX_PUBLISH_FORMATS,
  type VexPublishFormat,
  vexSigningKey,
  vexStatementHistory,
} from '../../app/vex/index.js';
import type { RouteDeps } from '../app.js';

// Statuses, justifications and responses are plain strings here on purpose: the lifecycle
// refuses values outside the standard's lists with VEX_STATEMENT_INVALID and names the lists.
const text = (maxLength: number, description?: string) =>
  ({ type: 'string', maxLength, ...(description ? { description } : {}) }) as const;
const texts = { type: 'array', maxItems: 100, items: text(500) } as const;
const product = {
  type: 'object',
  required: ['product'],
  properties: { product: text(200) },
} as const;
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,14}$' } },
} as const;
const formatQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { format: { type: 'string', enum: [...VEX_PUBLISH_FORMATS] } },
} as const;
const productEntry = {
  type: 'object',
  additionalProperties: false,
  properties: {
    purl: text(1000),
    versions: {
      type: 'object',
      additionalProperties: false,
      properties: { range: text(2000), list: texts },
    },
    identifiers: { type: 'object', additionalProperties: text(1000), maxProperties: 10 },
    subcomponents: texts,
  },
} as const;
const analysis = {
  status: text(40),
  justification: text(80),
  justificationDetail: text(10_000),
  impactStatement: text(10_000),
  actionStatement: text(10_000),
  responses: { type: 'array', maxItems: 10, items: text(40) },
  statusNotes: text(10_000),
} as const;
const MEDIA: Record<VexPublishFormat, string> = {
  openvex: 'application/json',
  cyclonedx: 'application/vnd.cyclonedx+json',
  csaf: 'application/json',
};

type Id = { Params: { id: string } };
type Publication = { Params: { product: string; id: string } };
const publicationParams = {
  type: 'object',
  required: ['product', 'id'],
  properties: { product: text(200), id: idParams.properties.id },
} as const;

/**
 * VEX in the service: statements per product and their lifecycle, and the published documents.
 * Reads take `inventory:read` in the product's team (confidential statements: its approvers
 * only); writes are checked by the use cases (publishers and approvers draft and publish,
 * approvers approve and disclose).
 */
export function registerVexRoutes(
  app: FastifyInstance,
  d: RouteDeps,
  o: { trustedRoot?: (() => unknown) | undefined } = {},
): void {
  const s = d.services;
  const tags = ['vex'];

  app.get<{ Params: { product: string }; Querystring: { format?: VexPublishFormat } }>(
    '/api/v1/vex/:product',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: "A product's current published VEX document, in the format asked for",
        description:
          'The document as published (signed and logged): OpenVEX 0.2 (default), CycloneDX VEX 1.6 or CSAF 2.0. Same token rules as the inventory reads; it holds only approved, non-confidential statements.',
        tags,
        params: product,
        querystring: formatQuery,
      },
    },
    async (req, reply) => {
      const format = req.query.format ?? 'openvex';
      const r = await getPublishedVex(s, req.caller, req.params.product, format);
      reply.header('content-type', MEDIA[format]);
      reply.header('etag', `"${r.view.digest}"`);
      reply.header('x-vex-document-version', r.view.documentVersion);
      return reply.send(Buffer.from(r.document));
    },
  );

  app.get<{ Params: { product: string }; Querystring: { format?: VexPublishFormat } }>(
    '/api/v1/vex/:product/bundle',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'The Sigstore bundle over the current published VEX document',
        tags,
        params: product,
        querystring: formatQuery,
      },
    },
    async (req, reply) => {
      const r = await getPublishedVex(
        s,
        req.caller,
        req.params.product,
        req.query.format ?? 'openvex',
      );
      reply.header('content-type', 'application/vnd.dev.sigstore.bundle.v0.3+json');
      return reply.send(Buffer.from(r.bundle));
    },
  );

  app.post<{ Params: { product: string }; Querystring: { format?: VexPublishFormat } }>(
    '/api/v1/vex/:product/publish',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'Publish the product’s VEX document: signed, logged and stored',
        description:
          "Builds the document from the product's approved, non-confidential statements, moves its document version, validates it against the format's schema, signs it with the service's VEX-signing key (a Sigstore bundle whose signature is in Custody's log) and records it as a `vex` log entry. Publishers and approvers of the team.",
        tags,
        params: product,
        querystring: formatQuery,
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(
          await publishVexDocument(
            s,
            req.caller,
            req.params.product,
            req.query.format ?? 'openvex',
          ),
        ),
  );

  app.get<{ Params: { product: string }; Querystring: { format?: VexPublishFormat } }>(
    '/api/v1/vex/:product/published',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'How the current published VEX document was signed, and where it is logged',
        description:
          "The publication's view: document version, digest, statements, who published it and when, its log indexes, and its signer: the service's VEX-signing key (`signer.kind: key`, verify with `--key`) or a person's certificate identity (`signer.kind: identity`, verify with `--certificate-identity` and `--certificate-oidc-issuer`). Same token rules as the document.",
        tags,
        params: product,
        querystring: formatQuery,
      },
    },
    async (req) =>
      (await getPublishedVex(s, req.caller, req.params.product, req.query.format ?? 'openvex'))
        .view,
  );

  app.post<{
    Params: { product: string };
    Body: { format?: VexPublishFormat; signing: 'keyless' };
  }>(
    '/api/v1/vex/:product/publications',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'Prepare a VEX publication that you sign yourself (keyless)',
        description:
          "Renders the document exactly as publishing would (approved, non-confidential statements, the next document version, schema-valid) and keeps it pending for 15 minutes. Sign the UTF-8 bytes of `document` (its sha256 is `digest`) keylessly, with a certificate from the service's CA, and send the bundle to `…/publications/{id}/bundle`. The document version moves only then. Publishers and approvers of the team; `POST …/publish` publishes signed with the service's key instead.",
        tags,
        params: product,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['signing'],
          properties: {
            format: { type: 'string', enum: [...VEX_PUBLISH_FORMATS] },
            signing: { type: 'string', enum: ['keyless'] },
          },
        },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(
          await preparePublication(s, req.caller, req.params.product, req.body.format ?? 'openvex'),
        ),
  );

  app.get<Publication>(
    '/api/v1/vex/:product/publications/:id',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'A prepared VEX publication: pending (with its document), expired or published',
        tags,
        params: publicationParams,
      },
    },
    async (req) => getPublication(s, req.caller, req.params.product, Number(req.params.id)),
  );

  app.register(async (scope) => {
    // The bundle is kept byte for byte (it is stored and served as received).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      /^application\/([a-z0-9.+-]+\+)?json$/,
      { parseAs: 'buffer' },
      (_req, body, done) => done(null, body),
    );
    scope.post<Publication>(
      '/api/v1/vex/:product/publications/:id/bundle',
      {
        config: { requires: 'inventory:read' },
        schema: {
          summary:
            'Complete a prepared VEX publication with your Sigstore bundle over its document',
          description:
            "A bundle (v0.1–v0.3) with a message signature over the document's exact bytes, whose certificate chains to the service's trusted root and names one of the owning team's signing identities (and you, where both are email addresses). The one who prepared it completes it. Then it is logged (a `vex` entry), stored, published and audited in one step; refusals store nothing. The same bundle again answers 200.",
          tags,
          consumes: ['application/json', 'application/vnd.dev.sigstore.bundle.v0.3+json'],
          params: publicationParams,
        },
      },
      async (req, reply) => {
        const body = req.body as Buffer | undefined;
        const r = await completePublication(
          s,
          req.caller,
          req.params.product,
          Number(req.params.id),
          {
            bytes: body ?? Buffer.alloc(0),
            ...(o.trustedRoot ? { trustedRoot: o.trustedRoot } : {}),
          },
        );
        return reply.code(r.created ? 201 : 200).send(r.publication);
      },
    );
  });

  app.get(
    '/api/v1/vex-signing-key',
    {
      config: { public: true },
      schema: {
        summary: "The service's VEX-signing public key (PEM): verify published VEX bundles with it",
        tags,
      },
    },
    async (_req, reply) => {
      const pem = vexSigningKey(s);
      if (pem === undefined)
        return reply.code(404).send({
          error: { code: 'NOT_FOUND', message: 'This service signs no VEX (its log is off)' },
        });
      reply.header('content-type', 'application/x-pem-file');
      return reply.send(pem);
    },
  );

  app.get<{ Params: { product: string } }>(
    '/api/v1/vex/:product/statements',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: "A product's VEX statements (confidential ones for its team's approvers only)",
        tags,
        params: product,
      },
    },
    async (req) => ({ items: await listVexStatements(s, req.caller, req.params.product) }),
  );

  app.post<{
    Params: { product: string };
    Body: {
      vulnerability: string;
      aliases?: string[];
      description?: string;
      releases?: string[];
      components?: string[];
      confidential?: boolean;
    };
  }>(
    '/api/v1/vex/:product/statements',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'Draft a VEX statement (under_investigation)',
        description:
          'Publishers and approvers of the team. `confidential` (a private disclosure): approvers only; visible to the team’s approvers only until disclosed.',
        tags,
        params: product,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['vulnerability'],
          properties: {
            vulnerability: text(200),
            aliases: texts,
            description: text(10_000),
            releases: texts,
            components: texts,
            confidential: { type: 'boolean' },
          },
        },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(await draftStatement(s, req.caller, { product: req.params.product, ...req.body })),
  );

  app.get<Id>(
    '/api/v1/vex-statements/:id',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'A VEX statement with every version and its change trail',
        tags,
        params: idParams,
      },
    },
    async (req) => vexStatementHistory(s, req.caller, Number(req.params.id)),
  );

  app.post<
    Id & {
      Body: { edit: Record<string, unknown>; correction?: 'typo' | 'formatting' | 'metadata' };
    }
  >(
    '/api/v1/vex-statements/:id/revise',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary:
          'Revise a statement: substantive fields make a new version, corrections edit in place',
        tags,
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['edit'],
          properties: {
            edit: {
              type: 'object',
              additionalProperties: false,
              properties: {
                ...analysis,
                aliases: texts,
                description: text(10_000),
                statusDetail: text(80),
                products: { type: 'array', minItems: 1, maxItems: 100, items: productEntry },
                intel: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    epss: { type: 'number' },
                    kev: { type: 'boolean' },
                    severity: text(200),
                    exploit: {
                      type: 'object',
                      additionalProperties: false,
                      required: ['publishedAt'],
                      properties: { reference: text(2000), publishedAt: text(40) },
                    },
                  },
                },
              },
            },
            correction: { type: 'string', enum: ['typo', 'formatting', 'metadata'] },
          },
        },
      },
    },
    async (req) =>
      reviseVexStatement(s, req.caller, Number(req.params.id), {
        // biome-ignore lint/suspicious/noExplicitAny: shape checked by the schema above and the lifecycle
        edit: req.body.edit as any,
        ...(req.body.correction !== undefined ? { correction: req.body.correction } : {}),
      }),
  );

  app.post<Id & { Body: Record<string, unknown> }>(
    '/api/v1/vex-statements/:id/transition',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'Change a statement’s status along the lifecycle’s transitions',
        description:
          'affected needs actionStatement; not_affected a justification from the standard’s list or an impactStatement. A judgment then waits for another person’s approval.',
        tags,
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['status'],
          properties: analysis,
        },
      },
    },
    async (req) =>
      // biome-ignore lint/suspicious/noExplicitAny: checked by transitionVexStatement and the lifecycle
      transitionVexStatement(s, req.caller, Number(req.params.id), req.body as any),
  );

  app.post<Id>(
    '/api/v1/vex-statements/:id/approve',
    {
      config: { requires: 'decision:write' },
      schema: {
        summary: 'Approve the statement’s current version (an approver who did not draft it)',
        tags,
        params: idParams,
      },
    },
    async (req) => approveVexStatement(s, req.caller, Number(req.params.id)),
  );

  app.post<Id>(
    '/api/v1/vex-statements/:id/disclose',
    {
      config: { requires: 'decision:write' },
      schema: {
        summary: 'Disclose a confidential statement (it becomes public)',
        tags,
        params: idParams,
      },
    },
    async (req) => discloseVexStatement(s, req.caller, Number(req.params.id)),
  );

  app.post<Id & { Body: { actionStatement: string } }>(
    '/api/v1/vex-statements/:id/eol',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'End of life: affected, will_not_fix, with what customers should do instead',
        tags,
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['actionStatement'],
          properties: { actionStatement: text(10_000) },
        },
      },
    },
    async (req) =>
      endOfLifeVexStatement(s, req.caller, Number(req.params.id), req.body.actionStatement),
  );

  app.post<Id & { Body: { fixedVersion: string; statusNotes?: string } }>(
    '/api/v1/vex-statements/:id/fixed',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: 'fixed from evidence, without approval: the releases’ current SBOMs hold the fix',
        description:
          'Every release the statement names must have a current SBOM that holds the vulnerable component at or above fixedVersion; otherwise VEX_EVIDENCE_MISMATCH.',
        tags,
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['fixedVersion'],
          properties: { fixedVersion: text(200), statusNotes: text(10_000) },
        },
      },
    },
    async (req) =>
      fixVexStatementFromEvidence(s, req.caller, Number(req.params.id), {
        fixedVersion: req.body.fixedVersion,
        ...(req.body.statusNotes !== undefined ? { statusNotes: req.body.statusNotes } : {}),
      }),
  );
}
