import { base64ToHex, decodeUtf8 } from '../../../core/index.js';
import { SbomError } from '../../errors.js';
import type { Hash } from '../../model.js';

/** One package of apk's installed database. */
export interface ApkPackage {
  /** `P:` */
  name: string;
  /** `V:` */
  version: string;
  /** `A:` */
  architecture?: string;
  /** `L:` as written */
  license?: string;
  /** `m:` */
  maintainer?: string;
  /** `o:` the origin (source) package */
  origin?: string;
  /** `T:` */
  description?: string;
  /** `U:` */
  url?: string;
  /** `c:` the aports commit */
  commit?: string;
  /** `C:` the package checksum, decoded */
  checksum?: Hash;
  /** `D:` names depended on (operators and versions dropped; `!conflicts` skipped) */
  depends: string[];
  /** `p:` names provided (`so:libc.musl-x86_64.so.1`, `cmd:sh`, `/bin/sh`, …) */
  provides: string[];
  /** 1-based line of `P:` */
  line: number;
}

/**
 * Parse apk's `lib/apk/db/installed` (the apk-tools v2 text database: `X:value` lines, a blank
 * line between packages; https://wiki.alpinelinux.org/wiki/Apk_spec). Records without P or V are
 * skipped. Untrusted input.
 *
 * @throws SbomError SBOM_LOCKFILE_PARSE when a line is not `<letter>:<value>`.
 */
export function parseApkInstalled(bytes: Uint8Array, file: string): ApkPackage[] {
  const out: ApkPackage[] = [];
  const text = decodeUtf8(bytes);
  let cur: Partial<ApkPackage> & { depends: string[]; provides: string[] } = fresh();
  let lineNo = 0;
  let pos = 0;
  const flush = () => {
    if (cur.name && cur.version) out.push(cur as ApkPackage);
    cur = fresh();
  };
  while (pos <= text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    let line = text.slice(pos, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    pos = end + 1;
    lineNo++;
    if (line === '') {
      flush();
      continue;
    }
    if (line.length < 2 || line[1] !== ':' || !/[A-Za-z]/.test(line[0] ?? '')) {
      throw new SbomError(
        'SBOM_LOCKFILE_PARSE',
        `${file} line ${lineNo}: expected "<letter>:<value>" as apk's installed database has`,
        { details: { file, line: lineNo } },
      );
    }
    setField(cur, line[0] ?? '', line.slice(2), lineNo);
  }
  flush();
  return out;
}

function fresh(): Partial<ApkPackage> & { depends: string[]; provides: string[] } {
  return { depends: [], provides: [] };
}

function setField(
  p: Partial<ApkPackage> & { depends: string[]; provides: string[] },
  key: string,
  value: string,
  line: number,
): void {
  switch (key) {
    case 'P':
      p.name = value;
      p.line = line;
      break;
    case 'V':
      p.version = value;
      break;
    case 'A':
      p.architecture = value;
      break;
    case 'L':
      p.license = value;
      break;
    case 'm':
      p.maintainer = value;
      break;
    case 'o':
      p.origin = value;
      break;
    case 'T':
      p.description = value;
      break;
    case 'U':
      p.url = value;
      break;
    case 'c':
      p.commit = value;
      break;
    case 'C': {
      const hash = decodeChecksum(value);
      if (hash) p.checksum = hash;
      break;
    }
    case 'D':
      for (const tok of value.split(/\s+/)) {
        if (tok === '' || tok.startsWith('!')) continue;
        const name = dependencyName(tok);
        if (name) p.depends.push(name);
      }
      break;
    case 'p':
      for (const tok of value.split(/\s+/)) {
        const name = dependencyName(tok);
        if (name) p.provides.push(name);
      }
      break;
    default:
      // F/R/Z/a/M (files), S/I (sizes), t (build time), i, r, q, k: not needed
      break;
  }
}

// `musl>=1.2`, `so:libc.musl-x86_64.so.1`, `busybox=1.35.0-r29`, `name~1.2`, `name><1` → name.
function dependencyName(tok: string): string | undefined {
  const m = /^([^<>=~]+)/.exec(tok);
  return m?.[1];
}

// `Q1` + base64 is a SHA-1 (apk-tools' "Q1" prefix); 32 hex digits is the older MD5 form.
function decodeChecksum(value: string): Hash | undefined {
  if (value.startsWith('Q1')) {
    const hex = base64ToHex(value.slice(2));
    return hex?.length === 40 ? { alg: 'SHA-1', content: hex } : undefined;
  }
  if (/^[0-9a-f]{32}$/i.test(value)) return { alg: 'MD5', content: value.toLowerCase() };
  return undefined;
}
