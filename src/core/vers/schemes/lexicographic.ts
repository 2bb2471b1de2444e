import { defineScheme } from './scheme.js';

/**
 * Unicode code point order (what UTF-8 byte order gives). JavaScript's `<` compares UTF-16 code
 * units, which puts astral characters (emoji) before U+E000..U+FFFF, so compare code points.
 */
export const lexicographicScheme = defineScheme<string>({
  parse: (v) => v,
  compare(a, b) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const x = a.codePointAt(i) as number;
      const y = b.codePointAt(i) as number;
      if (x !== y) return x < y ? -1 : 1;
      if (x > 0xffff) i++;
    }
    return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
  },
});
