import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { signCheckpoint } from '../../../src/tlog/checkpoint.js';
import { leafHash, MerkleTree } from '../../../src/tlog/index.js';
import { ed25519NoteSigner, formatVerifierKey, type NoteSigner } from '../../../src/tlog/note.js';
import {
  encodeEntryBundle,
  entryTilesBetween,
  hashTile,
  newTiles,
  tilePath,
} from '../../../src/tlog/tiles.js';

/**
 * A tlog-tiles log built in memory the way a static log publishes: for every checkpoint, the
 * tiles and bundles that changed are added to `files` (older partial tiles stay, as logs keep
 * them), then the checkpoint replaces the old one.
 */
export class StaticLog {
  readonly tree = new MerkleTree();
  readonly entries: Uint8Array[] = [];
  readonly files = new Map<string, Uint8Array>();
  readonly signer: NoteSigner;
  readonly vkey: string;
  /** Every published checkpoint note, oldest first. */
  readonly notes: string[] = [];
  private published = 0;

  constructor(
    readonly origin: string,
    readonly key: KeyObject = generateKeyPairSync('ed25519').privateKey,
  ) {
    this.signer = ed25519NoteSigner(origin, key);
    this.vkey = formatVerifierKey(origin, key);
  }

  /** A copy with the same key and the first `size` entries: a fork from there on. */
  fork(size: number): StaticLog {
    const other = new StaticLog(this.origin, this.key);
    other.add(this.entries.slice(0, size));
    return other;
  }

  /** Append entries `entry-<tag>-<index>` (tag distinguishes forks). */
  grow(n: number, tag = 'main'): this {
    const start = this.entries.length;
    return this.add(
      Array.from({ length: n }, (_, i) => new TextEncoder().encode(`entry-${tag}-${start + i}`)),
    );
  }

  add(entries: Uint8Array[]): this {
    for (const e of entries) {
      this.entries.push(e);
      this.tree.append(leafHash(e));
    }
    return this;
  }

  /** Publish a checkpoint of the current size; returns the signed note. */
  publish(): string {
    const size = this.tree.size;
    for (const ref of newTiles(this.published, size)) {
      if (ref.kind !== 'hash') continue;
      this.files.set(tilePath(ref), hashTile(this.tree, ref.level, ref.index, ref.width));
    }
    for (const ref of entryTilesBetween(this.published, size)) {
      const start = ref.index * 256;
      this.files.set(
        tilePath(ref),
        encodeEntryBundle(this.entries.slice(start, start + ref.width)),
      );
    }
    const note = signCheckpoint(
      { origin: this.origin, size, rootHash: this.tree.root(size), extensions: [] },
      [this.signer],
    );
    this.files.set('checkpoint', new TextEncoder().encode(note));
    this.notes.push(note);
    this.published = size;
    return note;
  }

  /** Write the files under `dir` (to serve a folder, or compare with one). */
  writeTo(dir: string): void {
    for (const [path, body] of this.files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), body);
    }
  }
}

/** What the test server answers for one request: a status, or a body. */
export type Fault = { status: number; headers?: Record<string, string> } | 'hang' | 'reset';

/**
 * A tiny static server for `/tlog/<path>`: files come from `source` (swap it to serve another
 * history), faults can be queued per path for retry tests, and every path asked is recorded.
 */
export class TileServer {
  source: Map<string, Uint8Array> | string;
  readonly requests: string[] = [];
  readonly faults = new Map<string, Fault[]>();
  private server: Server | undefined;
  base = '';

  constructor(source: Map<string, Uint8Array> | string) {
    this.source = source;
  }

  async start(): Promise<this> {
    const server = createServer((req, res): void => {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      this.requests.push(path);
      const rel = path.replace(/^\/tlog\//, '');
      const fault = this.faults.get(rel)?.shift();
      if (fault === 'hang') return;
      if (fault === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault !== undefined) {
        res.writeHead(fault.status, fault.headers ?? {});
        res.end('fault');
        return;
      }
      const body = this.read(rel);
      if (body === undefined || !path.startsWith('/tlog/')) {
        res.writeHead(404);
        res.end('not found');
        return;
      }
      res.writeHead(200, {
        'content-type':
          rel === 'checkpoint' ? 'text/plain; charset=utf-8' : 'application/octet-stream',
      });
      res.end(body);
    });
    this.server = server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tlog/`;
    return this;
  }

  private read(rel: string): Uint8Array | undefined {
    if (typeof this.source !== 'string') return this.source.get(rel);
    if (rel.includes('..')) return undefined;
    try {
      return readFileSync(join(this.source, rel));
    } catch {
      return undefined;
    }
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}

/** Every file under `dir`, relative path → bytes. */
export function readTree(dir: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), new Uint8Array(readFileSync(p)));
    }
  };
  walk(dir);
  return out;
}

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}
