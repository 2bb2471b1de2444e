import { SignError } from './errors.js';

/**
 * PKCS#11 URIs (RFC 7512): `pkcs11:token=CI;object=release;type=private?pin-source=file:/run/pin`.
 * Parsing is strict because the URI selects a signing key: an attribute this code does not
 * understand could narrow the selection in a way we would silently ignore, so it is refused.
 * Untrusted: the text comes from a command line or configuration.
 */

/** `type=` values (RFC 7512 §2.3), mapped to CKO_* classes by the signer. */
export type Pkcs11ObjectType = 'private' | 'public' | 'cert' | 'secret-key' | 'data';

export interface Pkcs11Uri {
  // Path attributes: which token (or slot, or library) and which object.
  token?: string;
  manufacturer?: string;
  serial?: string;
  model?: string;
  libraryManufacturer?: string;
  libraryDescription?: string;
  /** `lib-ver=M[.m]`. */
  libraryVersion?: { major: number; minor: number };
  slotDescription?: string;
  slotManufacturer?: string;
  /** `slot-id=`: a CK_SLOT_ID, decimal (RFC 7512 §2.3); a bigint since it is a CK_ULONG. */
  slotId?: bigint;
  /** `object=`: CKA_LABEL. */
  object?: string;
  type?: Pkcs11ObjectType;
  /** `id=`: CKA_ID, raw bytes. */
  id?: Uint8Array;
  // Query attributes: how to reach the token.
  /** Where the PIN is: `file:/path` or an absolute path (RFC 7512 leaves the format open). */
  pinSource?: string;
  pinValue?: string;
  moduleName?: string;
  modulePath?: string;
}

const TYPES: readonly Pkcs11ObjectType[] = ['private', 'public', 'cert', 'secret-key', 'data'];

type StringField = Exclude<keyof Pkcs11Uri, 'libraryVersion' | 'slotId' | 'type' | 'id'>;

/** Path attribute names in RFC 7512's order, which is also the order `formatPkcs11Uri` writes. */
const PATH_ATTRS = [
  ['token', 'token'],
  ['manufacturer', 'manufacturer'],
  ['serial', 'serial'],
  ['model', 'model'],
  ['library-manufacturer', 'libraryManufacturer'],
  ['library-description', 'libraryDescription'],
  ['library-version', 'libraryVersion'],
  ['slot-description', 'slotDescription'],
  ['slot-manufacturer', 'slotManufacturer'],
  ['slot-id', 'slotId'],
  ['object', 'object'],
  ['type', 'type'],
  ['id', 'id'],
] as const satisfies readonly (readonly [string, keyof Pkcs11Uri])[];

const QUERY_ATTRS = [
  ['pin-source', 'pinSource'],
  ['pin-value', 'pinValue'],
  ['module-name', 'moduleName'],
  ['module-path', 'modulePath'],
] as const satisfies readonly (readonly [string, StringField])[];

// RFC 7512 §2.3: characters allowed unencoded in a path value and in a query value.
const UNRESERVED = 'A-Za-z0-9\\-._~';
const PATH_CHAR = new RegExp(`^[${UNRESERVED}:\\[\\]@!$'()*+,=&]$`);
const QUERY_CHAR = new RegExp(`^[${UNRESERVED}:\\[\\]@!$'()*+,=/?|;]$`);
const ATTR_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Parses a `pkcs11:` URI.
 * @throws SignError SIGN_KEY_INVALID, with a message naming the attribute or character at fault.
 */
export function parsePkcs11Uri(text: string): Pkcs11Uri {
  if (!/^pkcs11:/i.test(text))
    fail(`"${preview(text)}" is not a PKCS#11 URI: it must start with "pkcs11:" (RFC 7512).`);
  const rest = text.slice('pkcs11:'.length);
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? undefined : rest.slice(q + 1);
  if (rest.includes('#'))
    fail('A PKCS#11 URI has no fragment: encode "#" as %23 if it is part of a value.');
  const uri: Pkcs11Uri = {};
  const pathNames = new Map<string, keyof Pkcs11Uri>(PATH_ATTRS);
  for (const [name, raw] of attributes(path, ';', 'path')) {
    const field = pathNames.get(name);
    if (field === undefined)
      fail(
        `Unknown path attribute "${name}" in the PKCS#11 URI; known: ${PATH_ATTRS.map((a) => a[0]).join(', ')}.`,
      );
    if (uri[field] !== undefined) fail(`The path attribute "${name}" appears twice (RFC 7512).`);
    const bytes = decode(raw, name, PATH_CHAR);
    setPathAttribute(uri, field, name, bytes);
  }
  const queryNames = new Map<string, StringField>(QUERY_ATTRS);
  if (query !== undefined)
    for (const [name, raw] of attributes(query, '&', 'query')) {
      const field = queryNames.get(name);
      if (field === undefined)
        fail(
          `Unknown query attribute "${name}" in the PKCS#11 URI; known: ${QUERY_ATTRS.map((a) => a[0]).join(', ')}.`,
        );
      if (uri[field] !== undefined) fail(`The query attribute "${name}" appears twice.`);
      uri[field] = utf8(decode(raw, name, QUERY_CHAR), name);
    }
  if (uri.pinSource !== undefined && uri.pinValue !== undefined)
    fail('Give the PIN either as pin-value or as pin-source, not both.');
  return uri;
}

/** The URI's text, attributes in RFC 7512's order, `id` always percent-encoded byte by byte. */
export function formatPkcs11Uri(uri: Pkcs11Uri): string {
  const path: string[] = [];
  for (const [name, field] of PATH_ATTRS) {
    const v = uri[field];
    if (v === undefined) continue;
    if (field === 'id') path.push(`id=${[...(v as Uint8Array)].map(pct).join('')}`);
    else if (field === 'libraryVersion') {
      const lv = v as { major: number; minor: number };
      path.push(`${name}=${lv.major}.${lv.minor}`);
    } else path.push(`${name}=${encode(String(v), PATH_CHAR)}`);
  }
  const query: string[] = [];
  for (const [name, field] of QUERY_ATTRS) {
    const v = uri[field];
    if (v !== undefined) query.push(`${name}=${encode(v, QUERY_CHAR)}`);
  }
  return `pkcs11:${path.join(';')}${query.length > 0 ? `?${query.join('&')}` : ''}`;
}

/** The URI without its PIN, for logs and error messages. */
export function redactPkcs11Uri(uri: Pkcs11Uri): string {
  const { pinValue, ...rest } = uri;
  return formatPkcs11Uri(pinValue === undefined ? rest : { ...rest, pinValue: '***' });
}

function setPathAttribute(
  uri: Pkcs11Uri,
  field: keyof Pkcs11Uri,
  name: string,
  bytes: Uint8Array,
): void {
  switch (field) {
    case 'id':
      uri.id = bytes;
      return;
    case 'type': {
      const t = utf8(bytes, name);
      if (!(TYPES as readonly string[]).includes(t))
        fail(`type=${t} is not a PKCS#11 object type; use one of ${TYPES.join(', ')}.`);
      uri.type = t as Pkcs11ObjectType;
      return;
    }
    case 'slotId': {
      const s = utf8(bytes, name);
      if (!/^[0-9]{1,20}$/.test(s) || BigInt(s) > 0xffff_ffff_ffff_ffffn)
        fail(`slot-id=${s} is not a slot number (a decimal CK_SLOT_ID).`);
      uri.slotId = BigInt(s);
      return;
    }
    case 'libraryVersion': {
      const s = utf8(bytes, name);
      const m = /^([0-9]{1,3})(?:\.([0-9]{1,3}))?$/.exec(s);
      if (m === null || Number(m[1]) > 255 || Number(m[2] ?? 0) > 255)
        fail(`library-version=${s} is not a version "M" or "M.m" (each 0 to 255).`);
      uri.libraryVersion = { major: Number(m[1]), minor: Number(m[2] ?? 0) };
      return;
    }
    default:
      uri[field as StringField] = utf8(bytes, name);
  }
}

/** Splits `a=1;b=2` into pairs; an empty component has no attributes. */
function attributes(part: string, sep: string, where: string): [string, string][] {
  if (part === '') return [];
  return part.split(sep).map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      fail(
        pair === ''
          ? `The PKCS#11 URI's ${where} has an empty attribute (two "${sep}" in a row or one at the end).`
          : `"${preview(pair)}" in the PKCS#11 URI's ${where} is not of the form name=value.`,
      );
    const name = pair.slice(0, eq);
    if (!ATTR_NAME.test(name)) fail(`"${preview(name)}" is not a PKCS#11 URI attribute name.`);
    return [name, pair.slice(eq + 1)];
  });
}

/** Percent-decodes to bytes, refusing characters the RFC says must be encoded in this part. */
function decode(raw: string, name: string, allowed: RegExp): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === '%') {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex))
        fail(`The value of "${name}" has a bad percent-encoding "%${hex}" (expected %XX, hex).`);
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (allowed.test(c)) out.push(c.charCodeAt(0));
    else
      fail(
        `The value of "${name}" contains "${c}", which must be percent-encoded in a PKCS#11 URI (as ${[...new TextEncoder().encode(c)].map(pct).join('')}).`,
      );
  }
  return Uint8Array.from(out);
}

function utf8(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    return fail(`The value of "${name}" is not UTF-8 once percent-decoded.`, e);
  }
}

function encode(value: string, allowed: RegExp): string {
  let out = '';
  for (const c of value)
    out += allowed.test(c) ? c : [...new TextEncoder().encode(c)].map(pct).join('');
  return out;
}

function pct(b: number): string {
  return `%${b.toString(16).padStart(2, '0').toUpperCase()}`;
}

/** A PIN may sit anywhere in a bad URI, so error messages show only its start. */
function preview(s: string): string {
  const cut = s.replace(/pin-value=[^&]*/g, 'pin-value=***');
  return cut.length > 60 ? `${cut.slice(0, 60)}…` : cut;
}

function fail(message: string, cause?: unknown): never {
  throw new SignError('SIGN_KEY_INVALID', message, cause === undefined ? {} : { cause });
}
