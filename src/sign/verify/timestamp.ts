import { createPublicKey, type KeyObject } from 'node:crypto';
import { RFC3161Timestamp, type X509Certificate } from '@sigstore/core';
import { SignError } from '../errors.js';
import { type CertificateAuthority, inTimeRange } from '../trusted-root.js';
import type { TrustMaterial } from './material.js';

/**
 * An RFC 3161 timestamp over the bundle's signature, as @sigstore/verify's getTSATimestamp does
 * it (@sigstore/core parses the token and checks the imprint and the CMS signature): the signer
 * must be a timestamp authority of the trusted root, identified by issuer and serial number;
 * certificates embedded in the token are never trusted. The authority's chain must be valid at
 * the signing time and the time inside the authority's `validFor`.
 * @returns the trusted signing time
 * @throws SignError SIGN_TIMESTAMP_INVALID
 */
export function verifyRfc3161(m: TrustMaterial, der: Uint8Array, signature: Uint8Array): Date {
  let ts: RFC3161Timestamp;
  try {
    ts = RFC3161Timestamp.parse(Buffer.from(der));
  } catch (e) {
    throw invalid('an RFC 3161 timestamp is not a DER timestamp response', e);
  }
  let time: Date;
  try {
    time = ts.signingTime;
  } catch (e) {
    throw invalid('an RFC 3161 timestamp has no readable signing time', e);
  }
  const candidates = m.root.timestampAuthorities.filter((tsa) => {
    const leaf = tsa.certChain[0];
    return leaf?.serialNumber.equals(ts.signerSerialNumber) && leaf.issuer.equals(ts.signerIssuer);
  });
  if (candidates.length === 0) {
    throw invalid('an RFC 3161 timestamp is signed by no timestamp authority of the trusted root');
  }
  let lastError: unknown;
  for (const tsa of candidates) {
    if (!inTimeRange(tsa.validFor, time)) {
      lastError = new Error(`the authority was not trusted at ${time.toISOString()}`);
      continue;
    }
    if (!tsa.certChain.every((c) => c.validForDate(time)) || !chainOk(m, tsa)) {
      lastError = new Error(`the authority's chain was not valid at ${time.toISOString()}`);
      continue;
    }
    try {
      ts.verify(Buffer.from(signature), keyOf(m, tsa.certChain[0] as X509Certificate));
      return time;
    } catch (e) {
      lastError = e;
    }
  }
  throw invalid(
    `an RFC 3161 timestamp does not verify: ${(lastError as Error)?.message ?? 'unknown'}`,
    lastError,
  );
}

function chainOk(m: TrustMaterial, tsa: CertificateAuthority): boolean {
  let ok = m.chainOk.get(tsa);
  if (ok === undefined) {
    ok = tsa.certChain.every((cert, i) => {
      const next = tsa.certChain[i + 1];
      if (next === undefined) return true;
      try {
        return cert.issuer.equals(next.subject) && cert.verify(next);
      } catch {
        return false;
      }
    });
    m.chainOk.set(tsa, ok);
  }
  return ok;
}

function keyOf(m: TrustMaterial, cert: X509Certificate): KeyObject {
  let k = m.keys.get(cert);
  if (k === undefined) {
    k = createPublicKey({ key: cert.publicKey, format: 'der', type: 'spki' });
    m.keys.set(cert, k);
  }
  return k;
}

function invalid(message: string, cause?: unknown): SignError {
  return new SignError(
    'SIGN_TIMESTAMP_INVALID',
    `${message[0]?.toUpperCase()}${message.slice(1)}.`,
    {
      cause,
    },
  );
}
