import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The dashboard (web/, built by `npm run build` into dist/web) served at `/`: every file read
 * once at start, hashed assets under /assets/ cached for good, index.html never, and any other
 * GET that asks for HTML answered with index.html so the page's own routes survive a reload.
 * Paths the service answers itself (/api, /metrics, /tlog, …) never fall back to the page.
 */

/** Where `npm run build` puts the dashboard: <package>/dist/web, found from this file. */
export function defaultWebDir(): string {
  // dist/src/server/web-assets.js when built, src/server/web-assets.ts under tsx.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'web');
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
}

/** The service's own path prefixes: an unknown path under them is a JSON 404, never the page. */
const SERVICE_PREFIXES = [
  '/api',
  '/metrics',
  '/tlog',
  '/admission',
  '/openapi.json',
  '/healthz',
  '/emergency',
  '/dev-oidc',
  '/.well-known',
];

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/**
 * No inline script or style, nothing from elsewhere, never framed: the page talks to this origin
 * only (its API), so everything else is refused.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';

interface Asset {
  body: Buffer;
  type: string;
  cache: string;
}

/**
 * Serve the dashboard from `dir` (default: the package's dist/web): one route per built file, and
 * the returned fallback, which the not-found handler calls, answers index.html for the page's own
 * routes (`/releases/42`). The fallback is not a `/*` route, because a wildcard would also catch
 * API requests the router refused (an over-long path parameter must stay a 414).
 */
export function registerWebAssets(
  app: FastifyInstance,
  o: { dir?: string } = {},
): (req: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined {
  const dir = o.dir ?? defaultWebDir();
  const assets = readAssets(dir);
  const index = assets.get('/index.html');
  const route = { config: { public: true, hidden: true } };
  app.get('/', route, async (_req, reply) =>
    index ? send(reply, index) : send(reply, notBuilt(dir), 503),
  );
  for (const [path, asset] of assets) {
    if (path !== '/index.html') app.get(path, route, async (_req, reply) => send(reply, asset));
  }
  return (req, reply) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
    const path = decodePath(req.url);
    if (path === undefined || isServicePath(path) || !acceptsHtml(req)) return undefined;
    if (path.startsWith('/assets/')) return undefined;
    return send(reply, index ?? notBuilt(dir), index ? 200 : 503);
  };
}

function send(reply: FastifyReply, a: Asset, status = 200) {
  void reply.code(status).headers(SECURITY_HEADERS).header('cache-control', a.cache);
  return reply.type(a.type).send(a.body);
}

/** Every file under `dir` by URL path; empty when the dashboard was not built. */
function readAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const file = join(d, name);
      if (statSync(file).isDirectory()) walk(file);
      else {
        const path = `/${relative(dir, file).split(sep).join('/')}`;
        out.set(path, {
          body: readFileSync(file),
          type: TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
          // Vite names files under assets/ by their content hash: a new build is a new name.
          cache: path.startsWith('/assets/') ? IMMUTABLE : 'no-cache',
        });
      }
    }
  };
  walk(dir);
  return out;
}

function decodePath(url: string): string | undefined {
  try {
    return decodeURIComponent(url.split('?')[0] as string);
  } catch {
    return undefined;
  }
}

function isServicePath(path: string): boolean {
  return SERVICE_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
}

function acceptsHtml(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

function notBuilt(dir: string): Asset {
  const text = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Custody</title></head><body><h1>The dashboard is not built</h1><p>Custody's API is running, but ${escapeHtml(dir)} holds no dashboard. Run <code>npm run build</code> (npm ci runs it) and restart <code>custody serve</code>.</p></body></html>\n`;
  return { body: Buffer.from(text), type: TYPES['.html'] as string, cache: 'no-cache' };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
