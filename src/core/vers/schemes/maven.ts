import { cmpDigits, cmpStr, defineScheme, isDigitCode } from './scheme.js';

/**
 * Maven's ComparableVersion (maven-artifact 3.x): a version is a list of int, string and
 * sub-list items; '-' and digit/letter transitions open sub-lists, trailing "null" items (0, "",
 * "ga", "final", "release") are dropped, and qualifiers order alpha < beta < milestone < rc <
 * snapshot < "" (release) < sp < any other string (case-insensitive, by text).
 */
type Item = { t: 'int'; v: string } | { t: 'str'; v: string } | { t: 'list'; v: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Readonly<Record<string, string>> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = QUALIFIERS.indexOf('');

export const mavenScheme = defineScheme<Item>({
  parse: parseMaven,
  compare: compareItems,
});

function parseMaven(version: string): Item {
  const text = version.toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  let isDigit = false;
  let start = 0;
  const openList = () => {
    const next: Item[] = [];
    list.push({ t: 'list', v: next });
    list = next;
    stack.push(next);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      list.push(i === start ? { t: 'int', v: '0' } : parseItem(isDigit, text.slice(start, i)));
      start = i + 1;
    } else if (c === 45 /* - */) {
      list.push(i === start ? { t: 'int', v: '0' } : parseItem(isDigit, text.slice(start, i)));
      start = i + 1;
      openList();
    } else if (isDigitCode(c)) {
      if (!isDigit && i > start) {
        list.push(stringItem(text.slice(start, i), true));
        start = i;
        openList();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, text.slice(start, i)));
        start = i;
        openList();
      }
      isDigit = false;
    }
  }
  if (text.length > start) list.push(parseItem(isDigit, text.slice(start)));
  for (let i = stack.length - 1; i >= 0; i--) normalize(stack[i] as Item[]);
  return { t: 'list', v: root };
}

function parseItem(isDigit: boolean, buf: string): Item {
  return isDigit ? { t: 'int', v: buf.replace(/^0+(?=.)/, '') } : stringItem(buf, false);
}

function stringItem(value: string, followedByDigit: boolean): Item {
  let v = value;
  if (followedByDigit && v.length === 1) {
    if (v === 'a') v = 'alpha';
    else if (v === 'b') v = 'beta';
    else if (v === 'm') v = 'milestone';
  }
  return { t: 'str', v: ALIASES[v] ?? v };
}

/** Drop trailing null items, stopping at the first non-null item that is not a list. */
function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i] as Item;
    if (isNull(item)) list.splice(i, 1);
    else if (item.t !== 'list') break;
  }
}

function isNull(item: Item): boolean {
  if (item.t === 'int') return item.v === '0';
  if (item.t === 'str') return item.v === '';
  return item.v.length === 0;
}

/** Sortable form of a qualifier: its index, or "7-<text>" for unknown ones (sorted after "sp"). */
function qualifierKey(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

/** ComparableVersion's Item.compareTo; `b` null means "nothing left on that side". */
function compareItems(a: Item, b: Item | null): number {
  switch (a.t) {
    case 'int':
      if (b === null) return a.v === '0' ? 0 : 1;
      if (b.t === 'int') return cmpDigits(a.v, b.v);
      return 1;
    case 'str':
      if (b === null) return cmpStr(qualifierKey(a.v), String(RELEASE_INDEX));
      if (b.t === 'str') return cmpStr(qualifierKey(a.v), qualifierKey(b.v));
      return -1;
    case 'list': {
      if (b === null) return a.v.length === 0 ? 0 : compareItems(a.v[0] as Item, null);
      if (b.t === 'int') return -1;
      if (b.t === 'str') return 1;
      const n = Math.max(a.v.length, b.v.length);
      for (let i = 0; i < n; i++) {
        const l = a.v[i] ?? null;
        const r = b.v[i] ?? null;
        const c = l === null ? (r === null ? 0 : -compareItems(r, null)) : compareItems(l, r);
        if (c !== 0) return c;
      }
      return 0;
    }
    default:
      return assertNever(a);
  }
}

function assertNever(x: never): never {
  throw new TypeError(`unexpected maven item ${String(x)}`);
}
