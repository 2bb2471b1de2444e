import type { KeyObject } from 'node:crypto';
import {
  type CertificateAuthority,
  claimExtensions,
  type IssuedCertificate,
  identityFromClaims,
  identityValue,
  parseClientPublicKey,
  parseSigningCertRequest,
  publicKeyFromCsr,
  type SigningCertResponse,
  verifyProofOfPossession,
} from '../../sign/ca/index.js';
import { SignError } from '../../sign/errors.js';
import {
  assertSubjectAllowed,
  peekIssuer,
  type VerifiedIdToken,
  verifyIdToken,
} from '../../sign/oidc/index.js';
import type { DevOidcIssuer } from './dev-oidc.js';
import { createJwksSource, type JwksSource } from './jwks-source.js';

/** One trusted OIDC issuer, from configuration. */
export interface OidcIssuerConfig {
  /** Exact `iss`. */
  issuer: string;
  jwksUrl?: string;
  jwksFile?: string;
  /** Default `sigstore`, what @sigstore/sign and cosign ask tokens for. */
  audience?: string | string[];
  /** Whole-identity regular expressions; none: any identity of this issuer. */
  subjects?: string[];
}

export interface CaServiceOptions {
  ca: CertificateAuthority;
  issuers: readonly OidcIssuerConfig[];
  /** Trusted in process (no HTTP round trip to its own JWKS). */
  devOidc?: DevOidcIssuer;
  clock?: () => Date;
  fetch?: typeof fetch;
  skewSeconds?: number;
  /** Told of every certificate issued (for the audit log). */
  onIssued?: (e: IssuedEvent) => void;
}

export interface IssuedEvent {
  identity: string;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
}

/** Fulcio's v2 API over Custody's CA (what the /api/v2 routes call). */
export interface CaService {
  /** @throws SignError SIGN_TOKEN_INVALID, SIGN_CSR_INVALID, SIGN_SERVICE_FAILED */
  signingCertificate(body: unknown, bearer?: string): Promise<SigningCertResponse>;
  trustBundle(): { chains: { certificates: string[] }[] };
  configuration(): {
    issuers: { issuerUrl: string; audience: string; challengeClaim: string }[];
  };
}

export function createCaService(o: CaServiceOptions): CaService {
  const clock = o.clock ?? (() => new Date());
  const issuers = new Map<string, { cfg: OidcIssuerConfig; keys: JwksSource }>();
  for (const cfg of o.issuers) {
    issuers.set(cfg.issuer, {
      cfg,
      keys: createJwksSource({
        issuer: cfg.issuer,
        ...(cfg.jwksUrl !== undefined ? { jwksUrl: cfg.jwksUrl } : {}),
        ...(cfg.jwksFile !== undefined ? { jwksFile: cfg.jwksFile } : {}),
        ...(o.fetch !== undefined ? { fetch: o.fetch } : {}),
        clock,
      }),
    });
  }
  if (o.devOidc) {
    const dev = o.devOidc;
    issuers.set(dev.issuer, {
      cfg: { issuer: dev.issuer },
      keys: { get: async () => dev.jwks(), refreshIfStale: async () => false },
    });
  }

  const verifyToken = async (
    token: string,
  ): Promise<{ t: VerifiedIdToken; cfg: OidcIssuerConfig }> => {
    const iss = peekIssuer(token);
    const entry = issuers.get(iss);
    if (entry === undefined) {
      throw new SignError(
        'SIGN_TOKEN_INVALID',
        `The ID token's issuer ${iss} is not trusted by this CA.`,
        {
          details: { reason: 'issuer-unknown', issuer: iss },
        },
      );
    }
    const opts = (jwks: Awaited<ReturnType<JwksSource['get']>>) => ({
      jwks,
      issuers: [iss],
      audience: entry.cfg.audience ?? 'sigstore',
      now: clock(),
      ...(o.skewSeconds !== undefined ? { skewSeconds: o.skewSeconds } : {}),
    });
    try {
      return { t: verifyIdToken(token, opts(await entry.keys.get())), cfg: entry.cfg };
    } catch (e) {
      // An unknown kid may be a key the issuer rotated in since the keys were fetched.
      if (
        e instanceof SignError &&
        e.details?.['reason'] === 'kid-unknown' &&
        (await entry.keys.refreshIfStale())
      ) {
        return { t: verifyIdToken(token, opts(await entry.keys.get())), cfg: entry.cfg };
      }
      throw e;
    }
  };

  return {
    async signingCertificate(body, bearer) {
      const req = parseSigningCertRequest(body, bearer);
      const { t, cfg } = await verifyToken(req.token);
      const { identity, challenge } = identityFromClaims(t.claims);
      assertSubjectAllowed(identityValue(identity), cfg.subjects);
      let publicKey: KeyObject;
      if (req.kind === 'csr') {
        publicKey = await publicKeyFromCsr(req.csr);
      } else {
        publicKey = parseClientPublicKey(req.publicKey);
        verifyProofOfPossession(publicKey, challenge, req.proofOfPossession);
      }
      const issued: IssuedCertificate = await o.ca.issue({
        publicKey,
        identity,
        extensions: claimExtensions(t.issuer, t.claims),
        now: clock(),
      });
      o.onIssued?.({
        identity: identityValue(identity),
        issuer: t.issuer,
        serialNumber: issued.serialNumber,
        notBefore: issued.notBefore,
        notAfter: issued.notAfter,
      });
      return { signedCertificateEmbeddedSct: { chain: { certificates: issued.chainPem } } };
    },
    trustBundle() {
      return { chains: [{ certificates: [...o.ca.chainPem] }] };
    },
    configuration() {
      return {
        issuers: [...issuers.values()].map(({ cfg }) => ({
          issuerUrl: cfg.issuer,
          audience: Array.isArray(cfg.audience)
            ? (cfg.audience[0] ?? 'sigstore')
            : (cfg.audience ?? 'sigstore'),
          challengeClaim: 'email or sub',
        })),
      };
    },
  };
}
