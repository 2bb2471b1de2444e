import { formatPurl } from '../../core/index.js';
import type { Component } from '../model.js';
import type { ContainerImage } from './model.js';

/** A container image as the subject of its SBOM, with the document facts that describe it. */
export interface ImageSubject {
  /** The repository (from the first tag), or the fallback name. */
  name: string;
  subject: Component;
  properties: Record<string, string>;
}

/**
 * Describe an image as the SBOM's subject: a `container` component whose purl is
 * `pkg:oci/<name>@sha256:…` and whose hash is the image digest, and `custody:image:*` properties
 * (digests, platform, layers, tags). `fallbackName` names an untagged image (its file's name).
 */
export function imageSubject(image: ContainerImage, fallbackName: string): ImageSubject {
  const tag = image.repoTags[0];
  const repo = tag ? tag.replace(/:[^:/]*$/, '') : fallbackName;
  const name = repo.split('/').pop() ?? repo;
  const [alg, hex] = image.digest.split(':');
  const qualifiers: Record<string, string> = {};
  if (tag && repo.includes('/')) qualifiers['repository_url'] = repo;
  if (tag) qualifiers['tag'] = tag.slice(repo.length + 1);
  if (image.config.architecture) qualifiers['arch'] = image.config.architecture;
  const purl = formatPurl({
    type: 'oci',
    name: name.toLowerCase(),
    version: image.digest,
    qualifiers,
  });
  const subject: Component = {
    ref: purl,
    type: 'container',
    ecosystem: 'oci',
    name: repo,
    version: image.digest,
    purl,
    hashes: alg === 'sha256' && hex ? [{ alg: 'SHA-256', content: hex }] : [],
    licenses: [],
    dependsOn: [],
  };
  const properties: Record<string, string> = {
    'custody:image:digest': image.digest,
    'custody:image:config-digest': image.configDigest,
    'custody:image:format': image.format,
  };
  if (image.config.os)
    properties['custody:image:platform'] = [
      image.config.os,
      image.config.architecture,
      image.config.variant,
    ]
      .filter(Boolean)
      .join('/');
  image.layers.forEach((l, i) => {
    properties[`custody:image:layer:${String(i).padStart(3, '0')}`] = l.digest;
  });
  if (tag) properties['custody:image:tags'] = image.repoTags.join(',');
  return { name: repo, subject, properties };
}
