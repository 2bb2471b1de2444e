import type { KeyObject } from 'node:crypto';
import { createJwksSource, type JwksSource } from '../../net/jwks-client.js';
import {
  assertSubjectAllowed,
  type CertificateAuthority,
  type CertificateIdentity,
  type IssuedCertificate,
  loadCertificateAuthority,
  peekIssuer,
  SignError,
  type SigningCertResponse,
  type VerifiedIdToken,
  verifyIdToken,
} from '../../sign/index.js';
import type { DevOidcIssuer } from './dev-oidc-issuer.js';

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
  /** Longest ID-token lifetime (exp − iat) accepted; default 600 s (sign/oidc's default). */
  maxTokenLifetimeSeconds?: number;
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
  /**
   * An emergency certificate (Brief 3: the OIDC provider is down and a release must ship): longer
   * lived, issued without a token on an approver's sign-off, and marked as such in the certificate
   * (approver and reason) so verifiers and auditors can single it out.
   * @throws SignError SIGN_CSR_INVALID (key, proof of possession), SIGN_IDENTITY_MISMATCH
   */
  emergencyCertificate(req: EmergencyRequest): Promise<IssuedCertificate & { identity: string }>;
}

export interface EmergencyRequest {
  /** An email address or a URI (e.g. a CI workflow's). */
  identity: string;
  /** The OIDC issuer the identity belongs to (recorded in the certificate's issuer extension). */
  issuer: string;
  /** PEM public key of the signer. */
  publicKey: string;
  /** base64 signature by that key over the identity string (proof of possession). */
  proofOfPossession: string;
  lifetimeSeconds: number;
  approver: string;
  reason: string;
}

/** The longest an emergency certificate may live. */
export const EMERGENCY_MAX_SECONDS = 72 * 3600;

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
      ...(o.maxTokenLifetimeSeconds !== undefined
        ? { maxLifetimeSeconds: o.maxTokenLifetimeSeconds }
        : {}),
    });
    try {
      return { t: await verifyIdToken(token, opts(await entry.keys.get())), cfg: entry.cfg };
    } catch (e) {
      // An unknown kid may be a key the issuer rotated in since the keys were fetched.
      if (
        e instanceof SignError &&
        e.details?.['reason'] === 'kid-unknown' &&
        (await entry.keys.refreshIfStale())
      ) {
        return { t: await verifyIdToken(token, opts(await entry.keys.get())), cfg: entry.cfg };
      }
      throw e;
    }
  };

  return {
    async signingCertificate(body, bearer) {
      const {
        claimExtensions,
        identityFromClaims,
        identityValue,
        parseClientPublicKey,
        parseSigningCertRequest,
        publicKeyFromCsr,
        verifyProofOfPossession,
      } = await loadCertificateAuthority();
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
    async emergencyCertificate(req) {
      const { claimExtensions, identityValue, parseClientPublicKey, verifyProofOfPossession } =
        await loadCertificateAuthority();
      if (!(req.lifetimeSeconds > 0 && req.lifetimeSeconds <= EMERGENCY_MAX_SECONDS))
        throw new SignError(
          'SIGN_CSR_INVALID',
          `An emergency certificate lives at most ${EMERGENCY_MAX_SECONDS / 3600} hours.`,
        );
      if (req.reason.trim() === '')
        throw new SignError('SIGN_CSR_INVALID', 'Say why the emergency certificate is needed.');
      const identity: CertificateIdentity =
        req.identity.includes('@') && !req.identity.includes('://')
          ? { kind: 'email', email: req.identity }
          : /^[a-z][a-z0-9+.-]*:\/\//i.test(req.identity)
            ? { kind: 'uri', uri: req.identity }
            : (() => {
                throw new SignError(
                  'SIGN_IDENTITY_MISMATCH',
                  `An identity is an email address or a URI, not ${JSON.stringify(req.identity)}.`,
                );
              })();
      const publicKey = parseClientPublicKey(req.publicKey);
      verifyProofOfPossession(
        publicKey,
        req.identity,
        Buffer.from(req.proofOfPossession, 'base64'),
      );
      const issued = await o.ca.issue({
        publicKey,
        identity,
        extensions: claimExtensions(req.issuer, {}),
        now: clock(),
        lifetimeSeconds: req.lifetimeSeconds,
        emergency: { approver: req.approver, reason: req.reason },
      });
      o.onIssued?.({
        identity: identityValue(identity),
        issuer: req.issuer,
        serialNumber: issued.serialNumber,
        notBefore: issued.notBefore,
        notAfter: issued.notAfter,
      });
      return { ...issued, identity: identityValue(identity) };
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
