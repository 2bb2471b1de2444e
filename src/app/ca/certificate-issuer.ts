import type { KeyObject } from 'node:crypto';
import { createJwksSource, type JwksSource } from '../../net/jwks-client.js';
import {
  assertSubjectAllowed,
  type CertificateAuthority,
  type CertificateIdentity,
  type EmergencyMark,
  type IssuedCertificate,
  loadCertificateAuthority,
  parseEmergencyIdentity,
  peekIssuer,
  SignError,
  type SigningCertResponse,
  type VerifiedIdToken,
  verifyIdToken,
} from '../../sign/index.js';
import { type CaFailure, caFailure } from './ca-failures.js';
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
  /**
   * The issuer URL written into emergency certificates (`<service URL>/emergency`): fixed by the
   * service, never chosen by a request. Absent: no emergency certificates.
   */
  emergencyIssuer?: string;
  /** Told of every failed certificate request, by stage and kind (for /metrics). */
  onFailure?: (f: CaFailure) => void;
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
  /** The issuer URL of emergency certificates (`<service URL>/emergency`); undefined: none. */
  readonly emergencyIssuer: string | undefined;
  /**
   * Check an emergency request's key before it is stored: a certifiable public key, and a proof
   * of possession (its signature over the identity). Returns the key as PEM.
   * @throws SignError SIGN_CSR_INVALID
   */
  checkEmergencyKey(
    publicKey: string,
    identity: string,
    proofOfPossession: string,
  ): Promise<string>;
  /**
   * An emergency certificate (Brief 3: the OIDC provider is down and a release must ship) for an
   * approved request: longer lived, issued by Custody's emergency issuer, and marked as such in
   * the certificate (approver, requester, reason) so verifiers and auditors can single it out.
   * The caller has checked the approval; this only makes the certificate.
   * @throws SignError SIGN_CSR_INVALID (lifetime, reason, key), SIGN_IDENTITY_INVALID,
   *   SIGN_SERVICE_FAILED (no emergency issuer, CA expired)
   */
  emergencyCertificate(
    req: EmergencyIssue,
  ): Promise<IssuedCertificate & { identity: string; issuer: string }>;
}

/** What an approved emergency request asks the CA for. */
export interface EmergencyIssue {
  /** An email address or a URI (e.g. a CI workflow's). */
  identity: string;
  /** PEM public key of the requester, whose possession was checked at request time. */
  publicKey: string;
  lifetimeSeconds: number;
  mark: EmergencyMark;
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
      // Counted by stage: a request that cannot be read, or a token that does not verify, is the
      // verify stage's; everything after it the issue stage's.
      let stage: CaFailure['stage'] = 'verify';
      try {
        const req = parseSigningCertRequest(body, bearer);
        const { t, cfg } = await verifyToken(req.token);
        stage = 'issue';
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
      } catch (e) {
        o.onFailure?.(caFailure(stage, e));
        throw e;
      }
    },
    trustBundle() {
      return { chains: [{ certificates: [...o.ca.chainPem] }] };
    },
    emergencyIssuer: o.emergencyIssuer,
    async checkEmergencyKey(publicKey, identity, proofOfPossession) {
      const { parseClientPublicKey, verifyProofOfPossession } = await loadCertificateAuthority();
      const key = parseClientPublicKey(publicKey);
      verifyProofOfPossession(key, identity, Buffer.from(proofOfPossession, 'base64'));
      return key.export({ format: 'pem', type: 'spki' }).toString();
    },
    async emergencyCertificate(req) {
      try {
        const { claimExtensions, identityValue, parseClientPublicKey } =
          await loadCertificateAuthority();
        const issuer = o.emergencyIssuer;
        if (issuer === undefined)
          throw new SignError(
            'SIGN_SERVICE_FAILED',
            'This certificate authority has no emergency issuer configured.',
            { details: { service: 'ca', reason: 'no-emergency-issuer' } },
          );
        if (!(req.lifetimeSeconds > 0 && req.lifetimeSeconds <= EMERGENCY_MAX_SECONDS))
          throw new SignError(
            'SIGN_CSR_INVALID',
            `An emergency certificate lives at most ${EMERGENCY_MAX_SECONDS / 3600} hours.`,
          );
        if (req.mark.reason.trim() === '')
          throw new SignError('SIGN_CSR_INVALID', 'Say why the emergency certificate is needed.');
        const identity: CertificateIdentity = parseEmergencyIdentity(req.identity);
        const issued = await o.ca.issue({
          publicKey: parseClientPublicKey(req.publicKey),
          identity,
          extensions: claimExtensions(issuer, {}),
          now: clock(),
          lifetimeSeconds: req.lifetimeSeconds,
          emergency: req.mark,
        });
        o.onIssued?.({
          identity: identityValue(identity),
          issuer,
          serialNumber: issued.serialNumber,
          notBefore: issued.notBefore,
          notAfter: issued.notAfter,
        });
        return { ...issued, identity: identityValue(identity), issuer };
      } catch (e) {
        // An approved emergency request failing here is the issue stage's.
        o.onFailure?.(caFailure('issue', e));
        throw e;
      }
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
