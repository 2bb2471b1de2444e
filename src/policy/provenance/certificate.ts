import { ASN1Obj, X509Certificate } from '@sigstore/core';
import { fail } from './reasons.js';

/**
 * The GitHub workflow identity a Fulcio certificate carries (fulcio docs/oid-info.md), read as
 * slsa-verifier's GetWorkflowInfoFromCertificate reads it: each deprecated raw extension
 * (.1.2, .1.3, .1.5, .1.1) must agree with its DER successor (.1.20, .1.13, .1.12, .1.8).
 */
export interface WorkflowIdentity {
  issuer: string;
  /** The SAN: `https://github.com/<org>/<repo>/.github/workflows/<file>@<ref>`. */
  subjectWorkflow: string;
  /** `org/repo`. */
  sourceRepository: string;
  sourceSha1: string;
  sourceRef?: string;
  buildTrigger: string;
  /** runner environment (.1.11): github-hosted or self-hosted. */
  hosted?: 'github-hosted' | 'self-hosted';
  buildConfigPath?: string;
  runId?: string;
}

const OID = {
  issuerV1: '1.3.6.1.4.1.57264.1.1',
  trigger: '1.3.6.1.4.1.57264.1.2',
  sha: '1.3.6.1.4.1.57264.1.3',
  repository: '1.3.6.1.4.1.57264.1.5',
  issuer: '1.3.6.1.4.1.57264.1.8',
  buildSignerDigest: '1.3.6.1.4.1.57264.1.10',
  runnerEnvironment: '1.3.6.1.4.1.57264.1.11',
  sourceRepositoryUri: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRepositoryRef: '1.3.6.1.4.1.57264.1.14',
  buildConfigUri: '1.3.6.1.4.1.57264.1.18',
  buildConfigDigest: '1.3.6.1.4.1.57264.1.19',
  buildTrigger: '1.3.6.1.4.1.57264.1.20',
  runInvocationUri: '1.3.6.1.4.1.57264.1.21',
} as const;

const GITHUB = 'https://github.com/';

function extension(cert: X509Certificate, oid: string, encoded: boolean): string {
  const ext = cert.extension(oid);
  if (ext === undefined) return '';
  const value = ext.value as Buffer<ArrayBuffer>;
  if (!encoded) return value.toString('utf8');
  try {
    return ASN1Obj.parseBuffer(value).value.toString('utf8');
  } catch {
    return fail('invalid-certificate', `certificate extension ${oid} is not a DER string`);
  }
}

function equalClaims(deprecated: string, current: string, what: string): string {
  if (deprecated !== '' && current !== '' && deprecated !== current) {
    fail('invalid-format', `certificate ${what}: '${deprecated}' != '${current}'`);
  }
  if (deprecated === '' && current === '')
    fail('invalid-format', `certificate ${what}: claims are empty`);
  return current !== '' ? current : deprecated;
}

/** @param der the leaf certificate (DER) */
export function workflowIdentity(der: Uint8Array): WorkflowIdentity {
  let cert: X509Certificate;
  try {
    cert = X509Certificate.parse(Buffer.from(der));
  } catch {
    return fail('invalid-certificate', 'the signing certificate is not DER X.509');
  }
  const san = cert.subjectAltName;
  if (san === undefined || !/^[a-z][a-z0-9+.-]*:\/\//i.test(san)) {
    fail('invalid-format', 'missing URI information from certificate');
  }
  const buildTrigger = equalClaims(
    extension(cert, OID.trigger, false),
    extension(cert, OID.buildTrigger, true),
    'build trigger',
  );
  const sourceSha1 = equalClaims(
    extension(cert, OID.sha, false),
    extension(cert, OID.sourceRepositoryDigest, true),
    'source digest',
  );
  const configDigest = extension(cert, OID.buildConfigDigest, true);
  if (configDigest !== '' && configDigest !== sourceSha1) {
    fail('invalid-format', `certificate build config digest '${configDigest}' != '${sourceSha1}'`);
  }
  const issuer = equalClaims(
    extension(cert, OID.issuerV1, false),
    extension(cert, OID.issuer, true),
    'issuer',
  );
  const deprecatedRepo = extension(cert, OID.repository, false);
  const sourceUri = extension(cert, OID.sourceRepositoryUri, true);
  if (deprecatedRepo !== '' && sourceUri !== '' && GITHUB + deprecatedRepo !== sourceUri) {
    fail('invalid-format', `certificate source: '${GITHUB}${deprecatedRepo}' != '${sourceUri}'`);
  }
  const sourceRepository = sourceUri.startsWith(GITHUB)
    ? sourceUri.slice(GITHUB.length)
    : sourceUri !== ''
      ? sourceUri
      : deprecatedRepo;
  const runner = extension(cert, OID.runnerEnvironment, true);
  const sourceRef = extension(cert, OID.sourceRepositoryRef, true);
  const configUri = extension(cert, OID.buildConfigUri, true);
  let buildConfigPath: string | undefined;
  if (configUri !== '') {
    const parts = configUri.split('@');
    const prefix = `${GITHUB}${sourceRepository}/`;
    if (parts.length !== 2 || !(parts[0] as string).startsWith(prefix)) {
      fail('invalid-format', `certificate build config URI ${configUri}`);
    }
    buildConfigPath = (parts[0] as string).slice(prefix.length);
  }
  const runUri = extension(cert, OID.runInvocationUri, true);
  const runId = runUri.replace(`${GITHUB}${sourceRepository}/actions/runs/`, '');
  return {
    issuer,
    subjectWorkflow: san as string,
    sourceRepository,
    sourceSha1,
    buildTrigger,
    ...(sourceRef !== '' ? { sourceRef } : {}),
    ...(runner === 'github-hosted' || runner === 'self-hosted' ? { hosted: runner } : {}),
    ...(buildConfigPath !== undefined && buildConfigPath !== '' ? { buildConfigPath } : {}),
    ...(runId !== '' ? { runId } : {}),
  };
}

/** The SAN's workflow without its ref, and the ref (after the last `@` of the path). */
export function subjectWorkflowParts(id: WorkflowIdentity): { name: string; ref: string } {
  const url = new URL(id.subjectWorkflow);
  const i = url.pathname.lastIndexOf('@');
  const path = i === -1 ? url.pathname : url.pathname.slice(0, i);
  const ref = i === -1 ? '' : url.pathname.slice(i + 1);
  return { name: `${url.protocol}//${url.host}${path}`, ref };
}
