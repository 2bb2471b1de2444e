import { TriggerError } from './errors.js';
import { EVENT_KINDS, type EventKind, type TriggerEvent, VEX_CHANGES } from './events.js';

type FieldType =
  | 'string'
  | 'date'
  | 'boolean'
  | 'number'
  | 'strings'
  | 'commit'
  | 'digest'
  | 'outcome'
  | 'change';

/** A field's type, and whether the event must carry it. */
type FieldSpec = readonly [FieldType, 'required' | 'optional'];

const OPT = (t: FieldType): FieldSpec => [t, 'optional'];
const REQ = (t: FieldType): FieldSpec => [t, 'required'];

const BASE: Readonly<Record<string, FieldSpec>> = {
  at: REQ('date'),
  product: OPT('string'),
  team: OPT('string'),
  source: OPT('string'),
  context: OPT('string'),
  commit: OPT('commit'),
  digest: OPT('digest'),
};

const VULN = { vulnerability: REQ('string') };
const COMPONENT = { component: OPT('string'), from: OPT('string'), to: OPT('string') };
const ADVISORY = { ...VULN, affectedVersions: OPT('strings'), fixedVersions: OPT('strings') };

/** The fields of each kind beyond the base ones (events.ts documents them). */
const FIELDS: Readonly<Record<EventKind, Readonly<Record<string, FieldSpec>>>> = {
  release: {
    version: REQ('string'),
    previousVersion: OPT('string'),
    hotfix: OPT('boolean'),
    prerelease: OPT('boolean'),
    rebuild: OPT('boolean'),
    branch: OPT('string'),
    fixes: OPT('strings'),
    securityFix: OPT('boolean'),
    dependenciesChanged: OPT('boolean'),
  },
  commit: {
    branch: REQ('string'),
    onReleaseBranch: REQ('boolean'),
    filesTruncated: OPT('boolean'),
  },
  'lockfile-change': {
    branch: OPT('string'),
    onReleaseBranch: REQ('boolean'),
    lockfiles: REQ('strings'),
    dependenciesChanged: OPT('boolean'),
  },
  'dependency-update': COMPONENT,
  'transitive-change': COMPONENT,
  'component-addition': COMPONENT,
  'component-removal': COMPONENT,
  'build-config-change': {},
  'software-change': { componentsChanged: REQ('boolean') },
  'documentation-change': {},
  'runtime-config-change': {},
  'metadata-correction': { significant: REQ('boolean') },
  enrichment: {},
  'format-migration': { from: REQ('string'), to: REQ('string') },
  're-scan': { diffEmpty: REQ('boolean') },
  'eol-announcement': {},
  'cve-published': ADVISORY,
  'private-disclosure': ADVISORY,
  'analysis-complete': { ...VULN, outcome: REQ('outcome') },
  'analysis-revised': VULN,
  'patch-developed': { ...VULN, released: REQ('boolean'), version: OPT('string') },
  'workaround-identified': VULN,
  'exploit-published': VULN,
  'new-affected-version': { ...VULN, version: REQ('string') },
  'epss-change': { ...VULN, previous: REQ('number'), current: REQ('number') },
  'kev-listed': VULN,
  'vex-update': { vulnerability: OPT('string'), change: REQ('change') },
  'scheduled-review': { since: OPT('date') },
};

const MAX_STRING = 65_536;
const MAX_LIST = 10_000;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * An event from untrusted JSON (`POST /api/v1/events`, a poller's file), checked against the
 * event model: known kind, required fields present, every field of its type, no unknown field.
 *
 * @throws TriggerError TRIGGER_EVENT_INVALID with every problem in `details.problems`
 */
export function parseTriggerEvent(value: unknown): TriggerEvent {
  const problems: string[] = [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(['the event is not a JSON object']);
  }
  const obj = value as Record<string, unknown>;
  const kind = obj['kind'];
  if (typeof kind !== 'string' || !(EVENT_KINDS as readonly string[]).includes(kind)) {
    throw invalid([`kind: ${JSON.stringify(kind)} is not one of ${EVENT_KINDS.join(', ')}`]);
  }
  const specs: Record<string, FieldSpec> = { ...BASE, ...FIELDS[kind as EventKind] };
  for (const [name, [type, need]] of Object.entries(specs)) {
    const v = obj[name];
    if (v === undefined) {
      if (need === 'required') problems.push(`${name}: required for ${kind}`);
      continue;
    }
    const problem = checkField(type, v);
    if (problem !== undefined) problems.push(`${name}: ${problem}`);
  }
  for (const name of Object.keys(obj)) {
    if (name !== 'kind' && !(name in specs)) problems.push(`${name}: not a field of ${kind}`);
  }
  if (problems.length > 0) throw invalid(problems);
  return obj as unknown as TriggerEvent;
}

// The problem with a field's value, or undefined when it fits its type.
function checkField(type: FieldType, v: unknown): string | undefined {
  switch (type) {
    case 'string':
      return typeof v === 'string' && v.length > 0 && v.length <= MAX_STRING
        ? undefined
        : `a non-empty string of at most ${MAX_STRING} characters`;
    case 'date':
      return typeof v === 'string' && RFC3339.test(v) && !Number.isNaN(Date.parse(v))
        ? undefined
        : 'an RFC 3339 date such as 2026-01-31T12:00:00Z';
    case 'boolean':
      return typeof v === 'boolean' ? undefined : 'true or false';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? undefined : 'a number';
    case 'strings':
      return Array.isArray(v) &&
        v.length <= MAX_LIST &&
        v.every((s) => typeof s === 'string' && s.length > 0 && s.length <= MAX_STRING)
        ? undefined
        : `a list of at most ${MAX_LIST} non-empty strings`;
    case 'commit':
      return typeof v === 'string' && /^([0-9a-f]{40}|[0-9a-f]{64})$/i.test(v)
        ? undefined
        : 'a full commit SHA (40 or 64 hex digits)';
    case 'digest':
      return typeof v === 'string' && /^[a-z0-9]+:[0-9a-f]{32,128}$/.test(v)
        ? undefined
        : 'a digest such as sha256:<64 hex digits>';
    case 'outcome':
      return v === 'affected' || v === 'not_affected' ? undefined : 'affected or not_affected';
    case 'change':
      return typeof v === 'string' && (VEX_CHANGES as readonly string[]).includes(v)
        ? undefined
        : `one of ${VEX_CHANGES.join(', ')}`;
    default:
      return 'an unknown type';
  }
}

function invalid(problems: string[]): TriggerError {
  return new TriggerError(
    'TRIGGER_EVENT_INVALID',
    `The event is invalid: ${problems.join('; ')}. Fix these fields and send it again`,
    { details: { problems } },
  );
}
