import type { FastifyInstance } from 'fastify';
import type { CaService } from '../../app/ca/index.js';

export interface FulcioRouteDeps {
  ca: CaService;
}

/**
 * Fulcio's v2 REST API (the JSON mapping of fulcio.proto's CA service), so Sigstore clients —
 * @sigstore/sign's FulcioSigner, cosign with `--fulcio-url` — get certificates from Custody's CA.
 * Public like Fulcio's: the credential is the OIDC ID token in the request.
 */
export function registerFulcioRoutes(app: FastifyInstance, d: FulcioRouteDeps): void {
  app.post(
    '/api/v2/signingCert',
    {
      config: { public: true },
      schema: {
        summary:
          'A 10-minute code-signing certificate for an OIDC identity (Fulcio v2 signingCert: publicKeyRequest or certificateSigningRequest)',
        tags: ['ca'],
        body: { type: 'object' },
      },
    },
    async (req) => {
      const auth = req.headers.authorization;
      const bearer = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : undefined;
      return d.ca.signingCertificate(req.body, bearer);
    },
  );

  app.get(
    '/api/v2/trustBundle',
    {
      config: { public: true },
      schema: { summary: "The CA's certificate chains (Fulcio v2 trustBundle)", tags: ['ca'] },
    },
    async () => d.ca.trustBundle(),
  );

  app.get(
    '/api/v2/configuration',
    {
      config: { public: true },
      schema: {
        summary: 'The OIDC issuers the CA accepts (Fulcio v2 configuration)',
        tags: ['ca'],
      },
    },
    async () => d.ca.configuration(),
  );
}
