import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeOutput } from '../../fs/bundle-files.js';
import { formatImageReference, type ImageReference } from '../../oci/index.js';
import { collectEvidence, type EvidenceKind } from './evidence.js';
import { type Env, openRegistry, type RegistryOptions } from './registry.js';

export interface PulledFile {
  path: string;
  kind: EvidenceKind | 'manifest';
  digest: string;
  mediaType: string;
  source?: 'cosign-tag' | 'referrer';
  /** The manifest that holds it (cosign tag or referrer). */
  manifestDigest?: string;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface PulledEvidence {
  image: string;
  digest: string;
  referrersVia: 'api' | 'tag';
  files: PulledFile[];
}

const DIRS: Record<EvidenceKind, string> = {
  signature: 'signatures',
  attestation: 'attestations',
  sbom: 'sboms',
  notation: 'notation',
  artifact: 'artifacts',
};

/**
 * `custody oci pull-evidence`: the image's manifest and every signature, attestation, SBOM and
 * other referrer, each checked against its digest, written under `dir` as `<kind>/<hex>` with
 * `evidence.json` listing them (paths, digests, media types, where each was found).
 * @throws OciError from the registry; CoreError FILE_UNREADABLE when `dir` cannot be written
 */
export async function pullEvidence(
  ref: ImageReference,
  dir: string,
  env: Env,
  ro: RegistryOptions = {},
): Promise<PulledEvidence> {
  const { client } = openRegistry(env, ro);
  const evidence = await collectEvidence(client, ref);
  mkdirSync(dir, { recursive: true });
  const files: PulledFile[] = [];
  const write = (path: string, bytes: Uint8Array) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  };
  const hex = (d: string) => d.slice('sha256:'.length);
  write('manifest.json', evidence.manifest.bytes);
  files.push({
    path: 'manifest.json',
    kind: 'manifest',
    digest: evidence.manifest.digest,
    mediaType: evidence.manifest.mediaType,
  });
  for (const p of evidence.pieces) {
    const path = `${DIRS[p.kind]}/${hex(p.layer.digest)}${extension(p.layer.mediaType)}`;
    write(path, p.bytes);
    files.push({
      path,
      kind: p.kind,
      digest: p.layer.digest,
      mediaType: p.layer.mediaType,
      source: p.source,
      manifestDigest: p.manifestDigest,
      ...(p.artifactType !== undefined ? { artifactType: p.artifactType } : {}),
      ...(p.layer.annotations !== undefined ? { annotations: p.layer.annotations } : {}),
    });
  }
  const out: PulledEvidence = {
    image: formatImageReference({ ...ref, digest: evidence.image.digest }),
    digest: evidence.image.digest,
    referrersVia: evidence.referrersVia,
    files,
  };
  writeOutput(join(dir, 'evidence.json'), `${JSON.stringify(out, null, 2)}\n`);
  return out;
}

function extension(mediaType: string): string {
  return mediaType.endsWith('json') ? '.json' : mediaType === 'application/cose' ? '.cose' : '';
}
