import { cmpDigits, cmpNum, cmpStr, defineScheme } from './scheme.js';

type ConanItem = { num: true; v: string } | { num: false; v: string };
type ConanVersion = { items: ConanItem[]; pre: ConanVersion | null; build: ConanVersion | null };

/**
 * Conan 2's `Version`: "main[-pre][+build]", dot-separated items that are integers or strings
 * (an integer against a string compares as text), trailing zero items ignored; a prerelease sorts
 * before its release, a build after it.
 */
export const conanScheme = defineScheme<ConanVersion>({
  parse: parseConan,
  compare: compareConan,
});

function parseConan(text: string): ConanVersion {
  let value = text;
  let build: ConanVersion | null = null;
  let pre: ConanVersion | null = null;
  const plus = value.lastIndexOf('+');
  if (plus !== -1) {
    build = parseConan(value.slice(plus + 1));
    value = value.slice(0, plus);
  }
  const dash = value.lastIndexOf('-');
  if (dash !== -1) {
    pre = parseConan(value.slice(dash + 1));
    value = value.slice(0, dash);
  }
  const items: ConanItem[] = value
    .split('.')
    .map((s) =>
      /^\d+$/.test(s) ? { num: true, v: s.replace(/^0+(?=.)/, '') } : { num: false, v: s },
    );
  while (items.length > 0) {
    const last = items[items.length - 1] as ConanItem;
    if (!(last.num && last.v === '0')) break;
    items.pop();
  }
  return { items, pre, build };
}

function compareItem(a: ConanItem, b: ConanItem): number {
  if (a.num && b.num) return cmpDigits(a.v, b.v);
  return cmpStr(a.v, b.v);
}

function compareItems(a: ConanItem[], b: ConanItem[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareItem(a[i] as ConanItem, b[i] as ConanItem);
    if (c !== 0) return c;
  }
  return cmpNum(a.length, b.length);
}

/** A missing part sorts first (Conan treats a missing build as lowest). */
function compareOptional(a: ConanVersion | null, b: ConanVersion | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return compareConan(a, b);
}

function compareConan(a: ConanVersion, b: ConanVersion): number {
  const main = compareItems(a.items, b.items);
  if (a.pre !== null && b.pre !== null)
    return main || compareConan(a.pre, b.pre) || compareOptional(a.build, b.build);
  if (a.pre !== null || b.pre !== null) return main || (a.pre !== null ? -1 : 1);
  return main || compareOptional(a.build, b.build);
}
