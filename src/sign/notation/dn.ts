/**
 * Distinguished names in trusted identities (trust-store-trust-policy "Trusted Identities
 * Constraints"): RFC 4514 strings, single-valued RDNs, unique attribute types, C, ST (or S) and O
 * required; matched as a subset of the signing certificate's subject (notation-go's pkix package).
 */
export type ParsedDn = ReadonlyMap<string, string>;

/** @returns the attribute map, or why the DN is refused */
export function parseDn(s: string): ParsedDn | string {
  if (s.includes('=#')) return `"${s}" contains "=#" (hex-encoded values are not supported)`;
  const map = new Map<string, string>();
  const rdns = splitUnescaped(s, ',');
  for (const rdn of rdns) {
    if (splitUnescaped(rdn, '+').length > 1) return `"${s}" has a multi-valued RDN`;
    const eq = rdn.indexOf('=');
    if (eq <= 0) return `"${s}" has an RDN without "type=value"`;
    let type = rdn.slice(0, eq).trim();
    if (!/^[A-Za-z][A-Za-z0-9-]*$|^\d+(\.\d+)+$/.test(type))
      return `"${s}" has an invalid attribute type "${type}"`;
    type = type.toUpperCase() === 'S' ? 'ST' : type;
    const value = unescapeValue(trimUnescaped(rdn.slice(eq + 1)));
    if (value === undefined) return `"${s}" has a badly escaped value`;
    if (map.has(type)) return `"${s}" repeats the attribute ${type}`;
    map.set(type, value);
  }
  for (const required of ['C', 'ST', 'O'])
    if (!map.get(required)) return `"${s}" lacks ${required}: C, ST (or S) and O are required`;
  return map;
}

/** True when every attribute of `pattern` has the same value in `subject`. */
export function isSubsetDn(pattern: ParsedDn, subject: ParsedDn): boolean {
  for (const [k, v] of pattern) if (subject.get(k) !== v) return false;
  return true;
}

function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (ch === '\\' && i + 1 < s.length) {
      cur += ch + (s[i + 1] as string);
      i++;
    } else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

// Leading spaces go; trailing ones go unless escaped ("\ ").
function trimUnescaped(v: string): string {
  let s = v.replace(/^ +/, '');
  while (s.endsWith(' ') && !s.endsWith('\\ ')) s = s.slice(0, -1);
  return s;
}

function unescapeValue(v: string): string | undefined {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const ch = v[i] as string;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = v[i + 1];
    if (next === undefined) return undefined;
    if (/[0-9a-fA-F]/.test(next) && /[0-9a-fA-F]/.test(v[i + 2] ?? '')) {
      out += String.fromCharCode(Number.parseInt(v.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out += next;
      i++;
    }
  }
  return out;
}
