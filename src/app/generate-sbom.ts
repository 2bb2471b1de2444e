import { randomBytes } from 'node:crypto';
import { arch, platform } from 'node:os';
import { basename, dirname } from 'node:path';
import { CoreError, sha256Hex, uuidV4, uuidV5 } from '../core/index.js';
import { writeCycloneDxJson, writeSpdxJson } from '../formats/index.js';
import { directoryTree } from '../fs/file-tree.js';
import { type ImageInput, readImage, sniffImage } from '../fs/image-files.js';
import { readFileHead, statInputPath } from '../fs/sbom-input-files.js';
import {
  buildSbom,
  type Cataloger,
  type CatalogResult,
  type Component,
  type FileTree,
  findCatalogTargets,
  imageSubject,
  loadCatalogers,
  type SbomDocument,
  SbomError,
  sniffCataloger,
} from '../sbom/index.js';
import { CUSTODY_VERSION } from './version.js';

export const OUTPUT_FORMATS = [
  'cyclonedx-json',
  'cyclonedx-1.5-json',
  'cyclonedx-1.7-json',
  'spdx-json',
] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface GenerateOptions {
  format?: OutputFormat;
  /** Byte-identical output for identical input (also implied by SOURCE_DATE_EPOCH in `env`). */
  deterministic?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
  now?: Date;
  /** Called once per file read, for progress display. */
  onProgress?: (done: number, total: number, path: string) => void;
}

export interface GenerateResult {
  text: string;
  document: SbomDocument;
  results: CatalogResult[];
  format: OutputFormat;
}

/**
 * Generate an SBOM for a directory, a lockfile or package database, or a container image
 * (docker-save tarball, OCI layout directory or tar).
 *
 * @throws CoreError FILE_NOT_FOUND; SbomError SBOM_NOTHING_TO_CATALOG, SBOM_LOCKFILE_PARSE,
 *   IMAGE_INVALID, IMAGE_PATH_ESCAPE
 */
export async function generateSbom(
  path: string,
  opts: GenerateOptions = {},
): Promise<GenerateResult> {
  const env = opts.env ?? {};
  const format = opts.format ?? 'cyclonedx-json';
  const input = await openInput(path);
  const results = catalogAll(input, opts.onProgress);
  if (results.length === 0) {
    throw new SbomError(
      'SBOM_NOTHING_TO_CATALOG',
      `found no lockfile, manifest or package database in ${path}; point at a project folder, a lockfile or an image`,
      { details: { path } },
    );
  }
  const sde = env['SOURCE_DATE_EPOCH'];
  const deterministic = opts.deterministic === true || sde !== undefined;
  const timestamp = timestampOf(sde, deterministic, opts.now ?? new Date());
  const properties = {
    ...lockfileDigests(input, results),
    ...buildEnvironment(env, deterministic),
    ...input.properties,
  };
  const doc = buildSbom(results, {
    ...(input.subject ? { subject: input.subject } : {}),
    fallbackName: input.name,
    ...(timestamp === undefined ? {} : { timestamp }),
    tool: { name: 'custody', version: CUSTODY_VERSION, vendor: 'Custody' },
    properties,
  });
  let text: string;
  if (deterministic) {
    // The serial number is derived from the document itself: serialise with a placeholder, hash
    // those bytes, then put the real value in (cheaper than canonicalising the whole model).
    doc.serialNumber = `urn:uuid:${SERIAL_PLACEHOLDER}`;
    const draft = serialize(doc, format);
    const uuid = uuidV5(sha256Hex(draft));
    doc.serialNumber = `urn:uuid:${uuid}`;
    text = draft.replace(SERIAL_PLACEHOLDER, uuid);
  } else {
    doc.serialNumber = `urn:uuid:${uuidV4((n) => randomBytes(n))}`;
    text = serialize(doc, format);
  }
  return { text, document: doc, results, format };
}

/** A v5-shaped UUID no generated document can contain by chance (all zero but the version bits). */
const SERIAL_PLACEHOLDER = '00000000-0000-5000-8000-000000000000';

export function serialize(doc: SbomDocument, format: OutputFormat): string {
  switch (format) {
    case 'cyclonedx-json':
      return writeCycloneDxJson(doc, '1.6');
    case 'cyclonedx-1.5-json':
      return writeCycloneDxJson(doc, '1.5');
    case 'cyclonedx-1.7-json':
      return writeCycloneDxJson(doc, '1.7');
    case 'spdx-json':
      return writeSpdxJson(doc);
    default: {
      const never: never = format;
      throw new CoreError('USAGE', `unknown output format ${String(never)}`);
    }
  }
}

interface Input {
  tree: FileTree;
  /** Files to catalog with their cataloger; undefined → discover in the tree. */
  targets: { path: string; cataloger: Cataloger }[];
  name: string;
  subject?: Component;
  properties: Record<string, string>;
}

async function openInput(path: string): Promise<Input> {
  const { abs, isDirectory } = statInputPath(path);
  const image: ImageInput | undefined = await sniffImage(abs, isDirectory);
  if (image) return fromImage(image);
  if (isDirectory) {
    const tree = directoryTree(abs);
    return { tree, targets: await discover(tree), name: basename(abs), properties: {} };
  }
  const tree = directoryTree(dirname(abs));
  const file = basename(abs);
  const head = readFileHead(abs);
  // A file named as its format is read by name; any other name needs every family's sniff.
  const byName = await loadCatalogers([file]);
  const cataloger =
    byName.find((c) => c.matches(file)) ?? sniffCataloger(file, head, await loadCatalogers());
  if (!cataloger) {
    throw new SbomError(
      'SBOM_NOTHING_TO_CATALOG',
      `${path} is not a lockfile, manifest, package database or image Custody can read`,
      { details: { path } },
    );
  }
  return {
    tree,
    targets: [{ path: file, cataloger }],
    name: basename(dirname(abs)),
    properties: {},
  };
}

async function discover(tree: FileTree): Promise<{ path: string; cataloger: Cataloger }[]> {
  const paths = [...tree.list()];
  return findCatalogTargets(paths, await loadCatalogers(paths));
}

// The image, described as the SBOM's subject (its file's name names an untagged image).
async function fromImage(input: ImageInput): Promise<Input> {
  const image = await readImage(input);
  const { name, subject, properties } = imageSubject(
    image,
    basename(input.path).replace(/\.(tar|tgz|tar\.gz)$/, ''),
  );
  return { tree: image.tree, targets: await discover(image.tree), name, subject, properties };
}

/**
 * Catalog a path (folder, lockfile, database or image) without building an SBOM: what `align`
 * compares an SBOM against.
 */
export async function catalogPath(
  path: string,
  onProgress?: GenerateOptions['onProgress'],
): Promise<CatalogResult[]> {
  return catalogInput(await openInput(path), path, onProgress);
}

function catalogInput(
  input: Input,
  path: string,
  onProgress: GenerateOptions['onProgress'],
): CatalogResult[] {
  const results = catalogAll(input, onProgress);
  if (results.length === 0) {
    throw new SbomError(
      'SBOM_NOTHING_TO_CATALOG',
      `found no lockfile, manifest or package database in ${path}; point at a project folder, a lockfile or an image`,
      { details: { path } },
    );
  }
  return results;
}

function catalogAll(input: Input, onProgress: GenerateOptions['onProgress']): CatalogResult[] {
  const out: CatalogResult[] = [];
  input.targets.forEach(({ path, cataloger }, i) => {
    onProgress?.(i, input.targets.length, path);
    out.push(cataloger.catalog(path, input.tree));
  });
  onProgress?.(input.targets.length, input.targets.length, '');
  return out;
}

function timestampOf(
  sde: string | undefined,
  deterministic: boolean,
  now: Date,
): string | undefined {
  if (sde !== undefined) {
    if (!/^\d{1,12}$/.test(sde)) {
      throw new CoreError(
        'USAGE',
        `SOURCE_DATE_EPOCH must be whole seconds since 1970, not "${sde}"`,
      );
    }
    return new Date(Number(sde) * 1000).toISOString().replace('.000Z', 'Z');
  }
  // --deterministic without SOURCE_DATE_EPOCH: no time can be reproduced, so none is written.
  return deterministic ? undefined : now.toISOString();
}

function lockfileDigests(input: Input, results: CatalogResult[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of results) {
    const bytes = input.tree.read(r.sourcePath);
    if (bytes) out[`custody:lockfile:${r.sourcePath}`] = `sha256:${sha256Hex(bytes)}`;
  }
  return out;
}

/** The build environment (Brief 4): toolchain and CI facts, without run ids when reproducible. */
function buildEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  deterministic: boolean,
): Record<string, string> {
  const out: Record<string, string> = {
    'custody:build:node': process.version,
    'custody:build:platform': `${platform()}-${arch()}`,
  };
  const ci: [string, string][] = [
    ['GITHUB_REPOSITORY', 'custody:build:ci:repository'],
    ['GITHUB_WORKFLOW_REF', 'custody:build:ci:workflow'],
    ['GITHUB_SHA', 'custody:build:ci:commit'],
    ['GITHUB_REF', 'custody:build:ci:ref'],
    ['CI_PROJECT_PATH', 'custody:build:ci:repository'],
    ['CI_COMMIT_SHA', 'custody:build:ci:commit'],
  ];
  if (!deterministic)
    ci.push(['GITHUB_RUN_ID', 'custody:build:ci:run'], ['CI_PIPELINE_ID', 'custody:build:ci:run']);
  for (const [name, prop] of ci) {
    const v = env[name];
    if (v) out[prop] = v;
  }
  return out;
}
