import { isCustodyError, parseJson } from '../../core/index.js';
import { OsvError } from './errors.js';
import { assertOsvLimits, DEFAULT_OSV_LIMITS, escapePointer, type OsvLimits } from './limits.js';
import type {
  OsvAffected,
  OsvCredit,
  OsvCreditType,
  OsvEvent,
  OsvEventKind,
  OsvProblem,
  OsvRange,
  OsvRecord,
  OsvReference,
  OsvReferenceType,
  OsvSeverity,
  OsvSeverityType,
} from './model.js';
import {
  CREDIT_TYPES,
  EVENT_KINDS,
  GIT_EVENT,
  isOsvEcosystem,
  isOsvTimestamp,
  isUri,
  OSV_ID,
  RANGE_TYPES,
  REFERENCE_TYPES,
  SEVERITY_SCORE,
  TOP_LEVEL_KEYS,
} from './schema-rules.js';

/** Problems reported in one OSV_RECORD_INVALID error at most (the count is always given). */
const MAX_REPORTED = 50;
// Identifiers end up in tables, terminals and file names: no control or bidi-formatting characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * Read one OSV record (untrusted bytes) into the typed model, checking it against the OSV schema
 * (required fields, types, enumerations, patterns, the range rules) and Custody's limits.
 * Every schema problem is collected and reported at once. `what` names the record in errors.
 *
 * @throws OsvError OSV_PARSE, OSV_RECORD_INVALID, OSV_RECORD_TOO_LARGE, OSV_RECORD_TOO_DEEP
 */
export function parseOsvRecord(
  input: Uint8Array | string,
  what: string,
  limits: Partial<OsvLimits> = {},
): OsvRecord {
  const l = { ...DEFAULT_OSV_LIMITS, ...limits };
  let value: unknown;
  try {
    value = parseJson(input, what, { maxBytes: l.maxBytes, maxDepth: l.maxDepth });
  } catch (e) {
    if (!isCustodyError(e)) throw e;
    const code =
      e.code === 'INPUT_TOO_LARGE'
        ? 'OSV_RECORD_TOO_LARGE'
        : e.code === 'INPUT_TOO_DEEP'
          ? 'OSV_RECORD_TOO_DEEP'
          : 'OSV_PARSE';
    throw new OsvError(code, e.message, { cause: e, details: { what, ...e.details } });
  }
  return osvRecordFromJson(value, what, l);
}

/**
 * The typed model of an already-parsed OSV record (e.g. one element of a JSON array of records).
 * @throws OsvError OSV_PARSE (not an object), OSV_RECORD_INVALID, OSV_RECORD_TOO_LARGE, OSV_RECORD_TOO_DEEP
 */
export function osvRecordFromJson(
  value: unknown,
  what: string,
  limits: Partial<OsvLimits> = {},
): OsvRecord {
  const l = { ...DEFAULT_OSV_LIMITS, ...limits };
  if (!isObject(value)) {
    throw new OsvError('OSV_PARSE', `${what} is not a JSON object; an OSV record is one`, {
      details: { what },
    });
  }
  assertOsvLimits(value, what, l);
  const r = new RecordReader(l.maxTokenLength);
  const record = r.record(value);
  if (r.problems.length > 0) {
    const first = r.problems[0] as OsvProblem;
    throw new OsvError(
      'OSV_RECORD_INVALID',
      `${what} is not a valid OSV record: ${first.pointer || '/'} ${first.message}${r.problems.length > 1 ? ` (and ${r.problems.length - 1} more problem(s))` : ''}`,
      { details: { what, count: r.problems.length, errors: r.problems.slice(0, MAX_REPORTED) } },
    );
  }
  return record;
}

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads one record, collecting every problem instead of stopping at the first. */
class RecordReader {
  readonly problems: OsvProblem[] = [];
  readonly warnings: OsvProblem[] = [];
  constructor(private readonly maxToken: number) {}

  record(o: Obj): OsvRecord {
    for (const k of Object.keys(o))
      if (!TOP_LEVEL_KEYS.has(k)) this.fail(`/${escapePointer(k)}`, 'is not an OSV field');
    const id = this.token(o, 'id', '', true) ?? '';
    if (id !== '' && !OSV_ID.test(id))
      this.fail(
        '/id',
        `"${id.slice(0, 60)}" does not start with a defined database prefix (or x_)`,
      );
    const modified = this.timestamp(o, 'modified', true) ?? '';
    const record: OsvRecord = {
      id,
      modified,
      aliases: this.strings(o, 'aliases', '', true, true),
      related: this.strings(o, 'related', '', false, true),
      upstream: this.strings(o, 'upstream', '', false, true),
      severity: this.severities(o['severity'], '/severity'),
      affected: this.list(o['affected'], '/affected', true, (v, p) => this.affected(v, p)),
      references: this.list(o['references'], '/references', true, (v, p) => this.reference(v, p)),
      credits: this.list(o['credits'], '/credits', false, (v, p) => this.credit(v, p)),
      warnings: this.warnings,
    };
    const opt = {
      schemaVersion: this.string(o, 'schema_version', ''),
      published: this.timestamp(o, 'published', false),
      withdrawn: this.timestamp(o, 'withdrawn', false),
      summary: this.string(o, 'summary', ''),
      details: this.string(o, 'details', ''),
      databaseSpecific: this.object(o, 'database_specific', ''),
    };
    for (const [k, v] of Object.entries(opt))
      if (v !== undefined) Object.assign(record, { [k]: v });
    // allOf: a top-level severity excludes per-package ones.
    const affected = o['affected'];
    if ('severity' in o && Array.isArray(affected))
      affected.forEach((a, i) => {
        if (isObject(a) && a['severity'] !== undefined && a['severity'] !== null)
          this.fail(
            `/affected/${i}/severity`,
            'must be null or absent when the record has a top-level severity',
          );
      });
    return record;
  }

  private affected(v: unknown, p: string): OsvAffected | undefined {
    if (!isObject(v)) return this.fail(p, 'must be an object');
    const out: OsvAffected = {
      severity: this.severities(v['severity'], `${p}/severity`),
      ranges: this.list(v['ranges'], `${p}/ranges`, false, (x, q) => this.range(x, q)),
      versions: this.strings(v, 'versions', p, false, false, true),
    };
    const pkg = v['package'];
    if (pkg !== undefined) {
      if (!isObject(pkg)) this.fail(`${p}/package`, 'must be an object');
      else {
        const ecosystem = this.token(pkg, 'ecosystem', `${p}/package`, true);
        if (ecosystem !== undefined && !isOsvEcosystem(ecosystem))
          this.fail(
            `${p}/package/ecosystem`,
            `"${ecosystem.slice(0, 60)}" is not an ecosystem the OSV schema defines`,
          );
        const name = this.token(pkg, 'name', `${p}/package`, true);
        const purl = this.string(pkg, 'purl', `${p}/package`);
        if (ecosystem !== undefined && name !== undefined)
          out.package = purl === undefined ? { ecosystem, name } : { ecosystem, name, purl };
      }
    }
    const eco = this.object(v, 'ecosystem_specific', p);
    if (eco !== undefined) out.ecosystemSpecific = eco;
    const db = this.object(v, 'database_specific', p);
    if (db !== undefined) out.databaseSpecific = db;
    return out;
  }

  private range(v: unknown, p: string): OsvRange | undefined {
    if (!isObject(v)) return this.fail(p, 'must be an object');
    const type = v['type'];
    if (!RANGE_TYPES.includes(type as OsvRange['type']))
      return this.fail(`${p}/type`, `must be one of ${RANGE_TYPES.join(', ')}`);
    const t = type as OsvRange['type'];
    const repo = this.string(v, 'repo', p);
    if (t === 'GIT' && repo === undefined) this.fail(`${p}/repo`, 'is required for GIT ranges');
    const raw = v['events'];
    if (!Array.isArray(raw) || raw.length === 0)
      return this.fail(`${p}/events`, 'must be a non-empty array');
    const events = raw.flatMap((e, i) => this.event(e, `${p}/events/${i}`, t) ?? []);
    if (!events.some((e) => e.kind === 'introduced'))
      this.fail(`${p}/events`, 'must contain an introduced event');
    if (events.some((e) => e.kind === 'fixed') && events.some((e) => e.kind === 'last_affected'))
      this.fail(`${p}/events`, 'may hold fixed or last_affected events, not both');
    const out: OsvRange = { type: t, events };
    if (repo !== undefined) out.repo = repo;
    const db = this.object(v, 'database_specific', p);
    if (db !== undefined) out.databaseSpecific = db;
    return out;
  }

  private event(v: unknown, p: string, type: OsvRange['type']): OsvEvent | undefined {
    if (!isObject(v)) return this.fail(p, 'must be an object');
    const kinds = EVENT_KINDS.filter((k) => k in v);
    if (kinds.length !== 1)
      return this.fail(p, 'must hold exactly one of introduced, fixed, last_affected, limit');
    const kind = kinds[0] as OsvEventKind;
    const version = this.token(v, kind, p, true);
    if (version === undefined) return undefined;
    if (version === '') return this.fail(`${p}/${kind}`, 'must not be empty');
    if (type === 'GIT' && !GIT_EVENT.test(version))
      this.warnings.push({
        pointer: `${p}/${kind}`,
        message: 'is not a full-length commit hash (GIT ranges are not evaluated)',
      });
    return { kind, version };
  }

  private severities(v: unknown, p: string): OsvSeverity[] {
    return this.list(v, p, true, (x, q) => {
      if (!isObject(x)) return this.fail(q, 'must be an object');
      const type = this.string(x, 'type', q, true);
      const score = this.string(x, 'score', q, true);
      if (type === undefined || score === undefined) return undefined;
      const check = SEVERITY_SCORE[type];
      if (check === undefined)
        return this.fail(`${q}/type`, `must be one of ${Object.keys(SEVERITY_SCORE).join(', ')}`);
      if (!check(score))
        return this.fail(`${q}/score`, `"${score.slice(0, 80)}" is not a ${type} score`);
      return { type: type as OsvSeverityType, score };
    });
  }

  private reference(v: unknown, p: string): OsvReference | undefined {
    if (!isObject(v)) return this.fail(p, 'must be an object');
    const type = this.string(v, 'type', p, true);
    const url = this.string(v, 'url', p, true);
    if (type === undefined || url === undefined) return undefined;
    if (!REFERENCE_TYPES.includes(type as OsvReferenceType))
      return this.fail(`${p}/type`, `must be one of ${REFERENCE_TYPES.join(', ')}`);
    if (!isUri(url)) return this.fail(`${p}/url`, 'must be an absolute URI');
    return { type: type as OsvReferenceType, url };
  }

  private credit(v: unknown, p: string): OsvCredit | undefined {
    if (!isObject(v)) return this.fail(p, 'must be an object');
    const name = this.string(v, 'name', p, true);
    const contact = this.strings(v, 'contact', p, false, false);
    const type = this.string(v, 'type', p);
    if (type !== undefined && !CREDIT_TYPES.includes(type as OsvCreditType))
      this.fail(`${p}/type`, `must be one of ${CREDIT_TYPES.join(', ')}`);
    if (name === undefined) return undefined;
    return type === undefined ? { name, contact } : { name, contact, type: type as OsvCreditType };
  }

  // --- primitives -----------------------------------------------------------------------------

  private list<T>(
    v: unknown,
    p: string,
    nullable: boolean,
    item: (x: unknown, p: string) => T | undefined,
  ): T[] {
    if (v === undefined || (nullable && v === null)) return [];
    if (!Array.isArray(v)) {
      this.fail(p, nullable ? 'must be an array or null' : 'must be an array');
      return [];
    }
    return v.flatMap((x, i) => item(x, `${p}/${i}`) ?? []);
  }

  private strings(
    o: Obj,
    key: string,
    p: string,
    nullable: boolean,
    tokens: boolean,
    nonEmpty = false,
  ): string[] {
    const q = `${p}/${key}`;
    return this.list(o[key], q, nullable, (x, r) => {
      if (typeof x !== 'string') return this.fail(r, 'must be a string');
      if (tokens || nonEmpty) this.checkToken(x, r);
      return x;
    });
  }

  private string(o: Obj, key: string, p: string, required = false): string | undefined {
    const v = o[key];
    if (v === undefined) {
      if (required) this.fail(`${p}/${key}`, 'is required');
      return undefined;
    }
    if (typeof v !== 'string') return this.fail(`${p}/${key}`, 'must be a string');
    return v;
  }

  private token(o: Obj, key: string, p: string, required: boolean): string | undefined {
    const v = this.string(o, key, p, required);
    if (v !== undefined && !this.checkToken(v, `${p}/${key}`)) return undefined;
    return v;
  }

  private checkToken(v: string, p: string): boolean {
    if (v.length > this.maxToken) {
      this.fail(p, `is longer than ${this.maxToken} characters`);
      return false;
    }
    if (UNPRINTABLE.test(v)) {
      this.fail(p, 'holds control or bidirectional-formatting characters');
      return false;
    }
    return true;
  }

  private timestamp(o: Obj, key: string, required: boolean): string | undefined {
    const v = this.string(o, key, '', required);
    if (v !== undefined && !isOsvTimestamp(v))
      return this.fail(`/${key}`, 'must be an RFC 3339 UTC timestamp (YYYY-MM-DDTHH:MM:SS[.fff]Z)');
    return v;
  }

  private object(o: Obj, key: string, p: string): Record<string, unknown> | undefined {
    const v = o[key];
    if (v === undefined) return undefined;
    if (!isObject(v)) return this.fail(`${p}/${key}`, 'must be an object');
    return v;
  }

  private fail(pointer: string, message: string): undefined {
    this.problems.push({ pointer, message });
    return undefined;
  }
}
