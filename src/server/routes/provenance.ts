import type { FastifyInstance } from 'fastify';
import { assessRelease } from '../../app/provenance/assess-release.js';
import { attachAttestation } from '../../app/provenance/attach-attestation.js';
import { listAttestations } from '../../app/provenance/read-attestations.js';
import { listRebuildChecks, recordRebuildCheck } from '../../app/provenance/rebuild-checks.js';
import { getSlsaSettings, setSlsaSettings } from '../../app/provenance/slsa-settings.js';
import { supplierIntake } from '../../app/provenance/supplier-intake.js';
import { CustodyError } from '../../core/index.js';
import type { RouteDeps } from '../app.js';

const str = (description: string, maxLength = 1000) =>
  ({ type: 'string', maxLength, description }) as const;
const releaseParams = {
  type: 'object',
  required: ['name', 'version'],
  properties: { name: str('Product name', 200), version: str('Release version', 200) },
} as const;
const teamParams = {
  type: 'object',
  required: ['name'],
  properties: { name: str('Team name', 63) },
} as const;
const digest = { type: 'string', pattern: '^sha256:[0-9a-f]{64}$' } as const;

type ReleaseParams = { name: string; version: string };

/**
 * Release evidence: in-toto attestations (SLSA provenance) about a release's artifacts, its SLSA
 * Build level, rebuild checks, supplier intake, and a team's SLSA settings.
 */
export function registerProvenanceRoutes(
  app: FastifyInstance,
  d: RouteDeps,
  o: { trustedRoot?: (() => unknown) | undefined },
): void {
  const s = d.services;
  const root = o.trustedRoot ? { trustedRoot: o.trustedRoot } : {};
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Kept byte for byte (the bundle is stored content-addressed); a provenance statement with
    // its resolved dependencies can be as large as an SBOM.
    scope.addContentTypeParser(
      /^application\/([a-z0-9.+-]+\+)?json$/,
      { parseAs: 'buffer', bodyLimit: Math.ceil((d.maxSbomBytes * 4) / 3) + 1024 * 1024 },
      (_req, body, done) => done(null, body),
    );
    scope.post<{ Params: ReleaseParams; Querystring: { artifact?: string } }>(
      '/api/v1/products/:name/releases/:version/attestations',
      {
        config: { permission: 'inventory:write', requires: 'inventory:write' },
        schema: {
          summary: "Push an attestation (SLSA provenance) about a release's artifacts",
          description:
            "A Sigstore bundle (v0.1–v0.3) holding a DSSE envelope with an in-toto Statement v1, signed by one of the owning team's signing identities (a registered key, or a certificate identity under the service's trusted root). Its subject must name one of the release's artifacts by SHA-256 (ATTESTATION_SUBJECT_MISMATCH otherwise); a SLSA provenance predicate must be well-formed. Custody logs it unless its own entry is in Custody's log and stores it per artifact. The same bundle again answers 200.",
          tags: ['provenance'],
          consumes: ['application/json', 'application/vnd.dev.sigstore.bundle.v0.3+json'],
          params: releaseParams,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { artifact: { ...digest, description: 'Only this artifact' } },
          },
        },
      },
      async (req, reply) => {
        const body = req.body as Buffer | undefined;
        const r = await attachAttestation(s, req.caller, {
          product: req.params.name,
          release: req.params.version,
          bytes: body ?? Buffer.alloc(0),
          ...(req.query.artifact !== undefined ? { artifact: req.query.artifact } : {}),
          ...root,
        });
        return reply.code(r.created ? 201 : 200).send(r);
      },
    );
    scope.post<{
      Body: Buffer;
    }>(
      '/api/v1/supplier-intakes',
      {
        config: { permission: 'inventory:write', requires: 'inventory:write' },
        schema: {
          summary: "Take in a supplier's binary with its SBOM and provenance",
          description:
            "JSON: product, release, artifact (sha256 of the binary), sbom (the document as text), provenance (the Sigstore bundle as text), optional sbomBundle (text), team, vendor, requiredLevel (0–3; default the team's supplierLevel). The provenance must verify under the team's signing identities and name the artifact; below the required SLSA level nothing is stored (SLSA_LEVEL_BELOW_REQUIRED). The SBOM is filed under the artifact (its subject must be that artifact), and the product is marked supplier.",
          tags: ['provenance'],
        },
      },
      async (req, reply) => {
        const body = parseIntakeBody(req.body);
        const r = await supplierIntake(s, req.caller, { ...body, ...root });
        return reply.code(201).send(r);
      },
    );
  });

  app.get<{ Params: ReleaseParams }>(
    '/api/v1/products/:name/releases/:version/attestations',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: "A release's verified attestations",
        tags: ['provenance'],
        params: releaseParams,
      },
    },
    async (req) => ({
      items: await listAttestations(s, req.caller, req.params.name, req.params.version),
    }),
  );

  app.get<{ Params: ReleaseParams }>(
    '/api/v1/products/:name/releases/:version/slsa',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: "A release's SLSA Build level, its evidence and the gaps to the next level",
        description:
          "SLSA v1.0 Build track (L0–L3) from the release's stored provenance and the team's trusted builders (plus the defaults); a separate reproducible verdict from rebuild checks; the pinned ratio of resolved dependencies.",
        tags: ['provenance'],
        params: releaseParams,
      },
    },
    async (req) => assessRelease(s, req.caller, req.params.name, req.params.version),
  );

  app.post<{
    Params: ReleaseParams;
    Body: {
      artifact?: string;
      rebuiltDigest: string;
      command: string;
      sbomDiff?: Record<string, unknown>;
    };
  }>(
    '/api/v1/products/:name/releases/:version/rebuild-checks',
    {
      config: { requires: 'inventory:write', permission: 'inventory:write' },
      schema: {
        summary: "Record a rebuild of a release's artifact",
        description:
          "Whether it matches is decided against the artifact's recorded digest. custody slsa rebuild-check runs the rebuild and sends this.",
        tags: ['provenance'],
        params: releaseParams,
        body: {
          type: 'object',
          required: ['rebuiltDigest', 'command'],
          additionalProperties: false,
          properties: {
            artifact: digest,
            rebuiltDigest: digest,
            command: { type: 'string', minLength: 1, maxLength: 4000 },
            sbomDiff: { type: 'object' },
          },
        },
      },
    },
    async (req, reply) =>
      reply
        .code(201)
        .send(
          await recordRebuildCheck(s, req.caller, req.params.name, req.params.version, req.body),
        ),
  );

  app.get<{ Params: ReleaseParams }>(
    '/api/v1/products/:name/releases/:version/rebuild-checks',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: "A release's rebuild checks",
        tags: ['provenance'],
        params: releaseParams,
      },
    },
    async (req) => ({
      items: await listRebuildChecks(s, req.caller, req.params.name, req.params.version),
    }),
  );

  app.get<{ Params: { name: string } }>(
    '/api/v1/teams/:name/slsa',
    {
      config: { requires: 'inventory:read' },
      schema: {
        summary: "A team's SLSA settings: trusted builders and supplier intake's level",
        tags: ['provenance'],
        params: teamParams,
      },
    },
    async (req) => getSlsaSettings(s, req.caller, req.params.name),
  );

  app.put<{ Params: { name: string }; Body: unknown }>(
    '/api/v1/teams/:name/slsa',
    {
      config: { requires: 'admin', permission: 'admin' },
      schema: {
        summary: "Set a team's SLSA settings (organisation-wide admins only)",
        description:
          'builders: [{builderId, identity?, issuer?, key?, level: 1–3, note?}] (patterns with * for builderId and identity), tried before the defaults; supplierLevel: 0–3.',
        tags: ['provenance'],
        params: teamParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            builders: { type: 'array', maxItems: 100 },
            supplierLevel: { type: 'integer', minimum: 0, maximum: 3 },
          },
        },
      },
    },
    async (req) => setSlsaSettings(s, req.caller, req.params.name, req.body),
  );
}

interface IntakeBody {
  product: string;
  release: string;
  artifact: string;
  sbom: Uint8Array;
  provenance: Uint8Array;
  sbomBundle?: Uint8Array;
  team?: string;
  vendor?: string;
  requiredLevel?: 0 | 1 | 2 | 3;
}

/** The intake's JSON body (bytes, so the documents inside keep their exact text). */
function parseIntakeBody(raw: Buffer | undefined): IntakeBody {
  let v: unknown;
  try {
    v = JSON.parse((raw ?? Buffer.alloc(0)).toString('utf8'));
  } catch {
    throw usage('The body is not JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw usage('The body is not an object');
  const o = v as Record<string, unknown>;
  const text = (k: string, max: number, required: boolean): string | undefined => {
    const x = o[k];
    if (x === undefined && !required) return undefined;
    if (typeof x !== 'string' || x.length === 0 || x.length > max) {
      throw usage(`${k} must be a string of 1–${max} characters`);
    }
    return x;
  };
  const doc = (k: string, required: boolean) => {
    const t = text(k, 512 * 1024 * 1024, required);
    return t === undefined ? undefined : new TextEncoder().encode(t);
  };
  const level = o['requiredLevel'];
  if (level !== undefined && level !== 0 && level !== 1 && level !== 2 && level !== 3) {
    throw usage('requiredLevel must be 0, 1, 2 or 3');
  }
  const sbomBundle = doc('sbomBundle', false);
  const team = text('team', 63, false);
  const vendor = text('vendor', 200, false);
  return {
    product: text('product', 200, true) as string,
    release: text('release', 200, true) as string,
    artifact: text('artifact', 80, true) as string,
    sbom: doc('sbom', true) as Uint8Array,
    provenance: doc('provenance', true) as Uint8Array,
    ...(sbomBundle ? { sbomBundle } : {}),
    ...(team ? { team } : {}),
    ...(vendor ? { vendor } : {}),
    ...(level !== undefined ? { requiredLevel: level } : {}),
  };
}

function usage(message: string): CustodyError {
  return new CustodyError('REQUEST_INVALID', `${message}; see /openapi.json`);
}
