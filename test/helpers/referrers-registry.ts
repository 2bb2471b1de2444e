/**
 * A loopback registry that answers as distribution-spec v1.1 registries with the referrers API
 * do (Zot, ORAS's distribution fork, GHCR, ACR): manifests and blobs kept in memory, `PUT` of a
 * manifest with a subject answered with the `OCI-Subject` header, `GET /v2/<name>/referrers/
 * <digest>` answered with an image index (Content-Type application/vnd.oci.image.index.v1+json,
 * `OCI-Filters-Applied: artifactType` when it filtered, RFC 8288 `Link` for the next page).
 * The header and body shapes are those of test/fixtures/oci/referrers-api/ (see its README).
 * `faults` makes it answer badly on purpose: garbage, too much, other bytes, redirects.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './conformance.js';
import { startRecorder } from './registry.js';

const SHAPES = JSON.parse(
  readFileSync(join(REPO_ROOT, 'test/fixtures/oci/referrers-api/shapes.json'), 'utf8'),
) as {
  referrersResponseHeaders: Record<string, string>;
  manifestPutResponseHeaders: Record<string, string>;
  pageSize: number;
};

export interface Faults {
  /** What GET manifests/<ref> answers instead of the manifest. */
  manifest?:
    | 'garbage'
    | 'oversize-declared'
    | 'oversize-streamed'
    | 'other-bytes'
    | 'redirect-elsewhere';
  /** What GET blobs/<digest> answers: a 307 to `storage` (another loopback origin). */
  blobRedirectTo?: string;
  blob?: 'other-bytes';
  /** Answer the referrers API with 404, as registries without it do. */
  noReferrersApi?: boolean;
  /** Answer every /v2/<name>/… request 401 with this WWW-Authenticate challenge. */
  challenge?: string;
}

export async function startReferrersRegistry() {
  const manifests = new Map<string, { bytes: Buffer; type: string }>();
  const blobs = new Map<string, Buffer>();
  const faults: Faults = {};
  const digestOf = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  const rec = await startRecorder((req, res, body) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const m = /^\/v2\/(.+?)\/(manifests|blobs|referrers)\/(.*)$/.exec(u.pathname);
    if (u.pathname === '/v2/') return void res.writeHead(200).end('{}');
    if (!m) return void res.writeHead(404).end();
    if (faults.challenge !== undefined)
      return void res.writeHead(401, { 'www-authenticate': faults.challenge }).end();
    const [, name, kind, ref] = m as unknown as [string, string, string, string];
    if (kind === 'manifests') {
      const key = `${name}@${ref}`;
      if (req.method === 'PUT') {
        const type = String(req.headers['content-type']);
        const digest = digestOf(body);
        manifests.set(key, { bytes: body, type });
        manifests.set(`${name}@${digest}`, { bytes: body, type });
        const doc = JSON.parse(body.toString()) as { subject?: { digest: string } };
        const headers: Record<string, string> = {
          ...SHAPES.manifestPutResponseHeaders,
          location: `/v2/${name}/manifests/${digest}`,
          'docker-content-digest': digest,
        };
        if (doc.subject !== undefined) headers['oci-subject'] = doc.subject.digest;
        else delete headers['oci-subject'];
        return void res.writeHead(201, headers).end();
      }
      const found = manifests.get(key);
      if (faults.manifest === 'redirect-elsewhere')
        return void res
          .writeHead(307, { location: `http://127.0.0.2:9/v2/${name}/manifests/${ref}` })
          .end();
      if (faults.manifest === 'garbage')
        return void res
          .writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' })
          .end('<html>gateway</html>');
      if (faults.manifest === 'oversize-declared')
        return void res
          .writeHead(200, {
            'content-type': 'application/vnd.oci.image.manifest.v1+json',
            'content-length': String(5 * 1024 * 1024),
          })
          .end();
      if (faults.manifest === 'oversize-streamed') {
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
        const chunk = Buffer.alloc(1024 * 1024, 0x20);
        for (let i = 0; i < 5; i++) res.write(chunk);
        return void res.end();
      }
      if (found === undefined)
        return void res
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}');
      const bytes =
        faults.manifest === 'other-bytes'
          ? Buffer.concat([found.bytes, Buffer.from(' ')])
          : found.bytes;
      return void res
        .writeHead(200, {
          'content-type': found.type,
          'docker-content-digest': digestOf(found.bytes),
          'content-length': String(bytes.length),
        })
        .end(req.method === 'HEAD' ? undefined : bytes);
    }
    if (kind === 'blobs') {
      if (req.method === 'POST')
        return void res
          .writeHead(202, { location: `/v2/${name}/blobs/uploads/${randomUUID()}` })
          .end();
      if (req.method === 'PUT' && ref.startsWith('uploads/')) {
        const digest = u.searchParams.get('digest') ?? '';
        if (digestOf(body) !== digest) return void res.writeHead(400).end();
        blobs.set(digest, body);
        return void res
          .writeHead(201, {
            location: `/v2/${name}/blobs/${digest}`,
            'docker-content-digest': digest,
          })
          .end();
      }
      const b = blobs.get(ref);
      if (b === undefined) return void res.writeHead(404).end();
      if (faults.blobRedirectTo !== undefined && req.method === 'GET')
        return void res
          .writeHead(307, { location: `${faults.blobRedirectTo}/storage/${ref}` })
          .end();
      const bytes = faults.blob === 'other-bytes' ? Buffer.from('not the blob') : b;
      return void res
        .writeHead(200, { 'content-length': String(bytes.length) })
        .end(req.method === 'HEAD' ? undefined : bytes);
    }
    // referrers
    if (faults.noReferrersApi) return void res.writeHead(404).end();
    const artifactType = u.searchParams.get('artifactType');
    const all = [...manifests.entries()]
      .filter(([k]) => k.startsWith(`${name}@sha256:`))
      .map(([k, v]) => ({
        digest: k.slice(name.length + 1),
        v,
        doc: JSON.parse(v.bytes.toString()),
      }))
      .filter((x) => x.doc.subject?.digest === ref)
      .filter(
        (x) =>
          artifactType === null || (x.doc.artifactType ?? x.doc.config?.mediaType) === artifactType,
      )
      .map((x) => ({
        mediaType: x.v.type,
        digest: x.digest,
        size: x.v.bytes.length,
        artifactType: x.doc.artifactType ?? x.doc.config?.mediaType,
        ...(x.doc.annotations !== undefined ? { annotations: x.doc.annotations } : {}),
      }));
    const page = Number(u.searchParams.get('page') ?? '0');
    const slice = all.slice(page * SHAPES.pageSize, (page + 1) * SHAPES.pageSize);
    const headers: Record<string, string> = { ...SHAPES.referrersResponseHeaders };
    if (artifactType === null) delete headers['oci-filters-applied'];
    if ((page + 1) * SHAPES.pageSize < all.length) {
      const next = new URL(u.pathname, 'http://x');
      if (artifactType !== null) next.searchParams.set('artifactType', artifactType);
      next.searchParams.set('page', String(page + 1));
      headers['link'] = `<${next.pathname}${next.search}>; rel="next"`;
    }
    return void res.writeHead(200, headers).end(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: slice,
      }),
    );
  });
  return { ...rec, faults, manifests, blobs };
}
