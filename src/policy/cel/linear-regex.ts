import { PolicyError } from '../errors.js';

/**
 * CEL's `matches()` means RE2: a search in time linear in the subject. JavaScript's RegExp
 * backtracks (`a*a*b` over 4096 "a" takes seconds, `(a+)+$` longer than anyone waits), so
 * Custody runs patterns on this small Thompson-NFA matcher instead (Pike's simulation, without
 * captures: `matches()` only asks whether there is a match). Time is O(subject × program), the
 * program capped at MAX_PROGRAM instructions.
 *
 * Syntax (RE2's, the common part): literals, `.` (not newline), classes `[a-z]`, `[^…]`,
 * escapes `\d \w \s \D \W \S`, `\n \t \r \f \v`, escaped punctuation, `^` and `$` (text start and
 * end), groups `(…)`, `(?:…)`, `(?P<n>…)`, `(?<n>…)`, alternation `|`, repetition `* + ? {n}
 * {n,} {n,m}` and their lazy forms. Anything else (flags, `\b`, back-references, look-arounds)
 * is refused when the rule compiles.
 */
export interface LinearRegex {
  test(subject: string): boolean;
}

const MAX_PROGRAM = 4000;
const MAX_REPEAT = 1000;

type CharTest = (cp: number) => boolean;
type Node =
  | { k: 'char'; test: CharTest }
  | { k: 'cat'; items: Node[] }
  | { k: 'alt'; items: Node[] }
  | { k: 'rep'; node: Node; min: number; max: number }
  | { k: 'bol' }
  | { k: 'eol' };

/** @throws PolicyError POLICY_COMPILE_FAILED (unsupported or malformed), POLICY_TOO_COSTLY (too big) */
export function compileLinearRegex(pattern: string, rule: string): LinearRegex {
  const p = new Parser(
    Array.from(pattern, (c) => c.codePointAt(0) as number),
    pattern,
    rule,
  );
  const node = p.parseAlt();
  if (p.i < p.cps.length) p.fail(`unexpected ${String.fromCodePoint(p.cps[p.i] as number)}`);
  const prog = new Program(pattern, rule);
  prog.emit(node);
  prog.push({ op: 'match' });
  const code = prog.code;
  return { test: (s) => run(code, s) };
}

type Inst =
  | { op: 'char'; test: CharTest }
  | { op: 'split'; a: number; b: number }
  | { op: 'jmp'; to: number }
  | { op: 'bol' }
  | { op: 'eol' }
  | { op: 'match' };

class Program {
  code: Inst[] = [];
  constructor(
    private readonly pattern: string,
    private readonly rule: string,
  ) {}

  push(i: Inst): number {
    if (this.code.length >= MAX_PROGRAM) {
      throw new PolicyError(
        'POLICY_TOO_COSTLY',
        `Rule ${this.rule}: the pattern ${JSON.stringify(this.pattern.slice(0, 80))} expands to over ${MAX_PROGRAM} instructions; use smaller repetition counts`,
        { details: { rule: this.rule, limit: 'regex-program' } },
      );
    }
    this.code.push(i);
    return this.code.length - 1;
  }

  emit(n: Node): void {
    switch (n.k) {
      case 'char':
        this.push({ op: 'char', test: n.test });
        return;
      case 'bol':
      case 'eol':
        this.push({ op: n.k });
        return;
      case 'cat':
        for (const x of n.items) this.emit(x);
        return;
      case 'alt': {
        // split L1, L2; L1: a; jmp end; L2: split …
        const jumps: number[] = [];
        n.items.forEach((x, idx) => {
          if (idx < n.items.length - 1) {
            const split = this.push({ op: 'split', a: 0, b: 0 });
            (this.code[split] as { a: number }).a = this.code.length;
            this.emit(x);
            jumps.push(this.push({ op: 'jmp', to: 0 }));
            (this.code[split] as { b: number }).b = this.code.length;
          } else this.emit(x);
        });
        for (const j of jumps) (this.code[j] as { to: number }).to = this.code.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < n.min; k++) this.emit(n.node);
        if (n.max === Number.POSITIVE_INFINITY) {
          // L: split body, end; body; jmp L
          const split = this.push({ op: 'split', a: 0, b: 0 });
          (this.code[split] as { a: number }).a = this.code.length;
          this.emit(n.node);
          this.push({ op: 'jmp', to: split });
          (this.code[split] as { b: number }).b = this.code.length;
          return;
        }
        // (x(x(x)?)?)? for the optional copies.
        const splits: number[] = [];
        for (let k = n.min; k < n.max; k++) {
          const split = this.push({ op: 'split', a: 0, b: 0 });
          (this.code[split] as { a: number }).a = this.code.length;
          splits.push(split);
          this.emit(n.node);
        }
        for (const sp of splits) (this.code[sp] as { b: number }).b = this.code.length;
        return;
      }
      default: {
        const never: never = n;
        throw new Error(`unknown node ${String(never)}`);
      }
    }
  }
}

// Pike's simulation: every thread advances one character at a time; a search starts a thread at
// every position. Each instruction is visited at most once per position.
function run(code: Inst[], subject: string): boolean {
  const cps = Array.from(subject, (c) => c.codePointAt(0) as number);
  const n = cps.length;
  let clist: number[] = [];
  let nlist: number[] = [];
  const seen = new Int32Array(code.length).fill(-1);
  let gen = 0;
  const stack: number[] = [];
  const add = (list: number[], pc0: number, pos: number): boolean => {
    stack.push(pc0);
    while (stack.length > 0) {
      const pc = stack.pop() as number;
      if (seen[pc] === gen) continue;
      seen[pc] = gen;
      const inst = code[pc] as Inst;
      switch (inst.op) {
        case 'match':
          stack.length = 0;
          return true;
        case 'jmp':
          stack.push(inst.to);
          break;
        case 'split':
          stack.push(inst.b, inst.a);
          break;
        case 'bol':
          if (pos === 0) stack.push(pc + 1);
          break;
        case 'eol':
          if (pos === n) stack.push(pc + 1);
          break;
        case 'char':
          list.push(pc);
          break;
      }
    }
    return false;
  };
  gen++;
  if (add(clist, 0, 0)) return true;
  for (let pos = 0; pos < n; pos++) {
    const cp = cps[pos] as number;
    gen++;
    nlist.length = 0;
    for (const pc of clist) {
      const inst = code[pc] as Extract<Inst, { op: 'char' }>;
      if (inst.test(cp) && add(nlist, pc + 1, pos + 1)) return true;
    }
    // Unanchored search: a new thread starts at the next position too.
    if (add(nlist, 0, pos + 1)) return true;
    [clist, nlist] = [nlist, clist];
  }
  return false;
}

const DIGIT: CharTest = (c) => c >= 48 && c <= 57;
const WORD: CharTest = (c) => DIGIT(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const SPACE: CharTest = (c) => c === 9 || c === 10 || c === 12 || c === 13 || c === 32;
const CONTROL: Record<string, number> = { n: 10, t: 9, r: 13, f: 12, v: 11 };

class Parser {
  i = 0;
  constructor(
    readonly cps: number[],
    private readonly pattern: string,
    private readonly rule: string,
  ) {}

  fail(why: string): never {
    throw new PolicyError(
      'POLICY_COMPILE_FAILED',
      `Rule ${this.rule}: the pattern ${JSON.stringify(this.pattern.slice(0, 80))} is not one Custody runs (RE2 syntax without flags, \\b or back-references): ${why}`,
      { details: { rule: this.rule, pattern: this.pattern.slice(0, 300), reason: why } },
    );
  }

  private peek(): string | undefined {
    const c = this.cps[this.i];
    return c === undefined ? undefined : String.fromCodePoint(c);
  }

  parseAlt(): Node {
    const items = [this.parseCat()];
    while (this.peek() === '|') {
      this.i++;
      items.push(this.parseCat());
    }
    return items.length === 1 ? (items[0] as Node) : { k: 'alt', items };
  }

  private parseCat(): Node {
    const items: Node[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek())
      items.push(this.parseRepeat());
    return { k: 'cat', items };
  }

  private parseRepeat(): Node {
    let node = this.parseAtom();
    for (;;) {
      const c = this.peek();
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, Number.POSITIVE_INFINITY];
      else if (c === '+') [min, max] = [1, Number.POSITIVE_INFINITY];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{') {
        const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(this.pattern.slice(this.offset()));
        if (!m) return node;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
        if (max < min || min > MAX_REPEAT || (max !== Number.POSITIVE_INFINITY && max > MAX_REPEAT))
          this.fail(`bad repetition ${m[0]}`);
        this.i += m[0].length - 1;
      } else return node;
      this.i++;
      if (this.peek() === '?') this.i++; // lazy: the same language
      if (node.k === 'bol' || node.k === 'eol') this.fail('repetition of an anchor');
      node = { k: 'rep', node, min, max };
    }
  }

  // The string offset of the current code point (patterns are short).
  private offset(): number {
    return String.fromCodePoint(...this.cps.slice(0, this.i)).length;
  }

  private parseAtom(): Node {
    const c = this.peek();
    switch (c) {
      case '(': {
        this.i++;
        if (this.peek() === '?') {
          const rest = this.pattern.slice(this.offset());
          const m = /^\?(:|P?<[A-Za-z_][A-Za-z0-9_]*>)/.exec(rest);
          if (!m) this.fail('flags and look-arounds are not supported');
          this.i += Array.from(m[0]).length;
        }
        const inner = this.parseAlt();
        if (this.peek() !== ')') this.fail('missing )');
        this.i++;
        return inner;
      }
      case ')':
        return this.fail('unbalanced )');
      case '[':
        return { k: 'char', test: this.parseClass() };
      case '.':
        this.i++;
        return { k: 'char', test: (x) => x !== 10 };
      case '^':
        this.i++;
        return { k: 'bol' };
      case '$':
        this.i++;
        return { k: 'eol' };
      case '\\':
        return { k: 'char', test: this.parseEscape(false) };
      case '*':
      case '+':
      case '?':
        return this.fail(`nothing to repeat before ${c}`);
      default: {
        const cp = this.cps[this.i++] as number;
        return { k: 'char', test: (x) => x === cp };
      }
    }
  }

  private parseEscape(inClass: boolean): CharTest {
    this.i++; // the backslash
    const e = this.peek();
    if (e === undefined) this.fail('trailing backslash');
    this.i++;
    switch (e) {
      case 'd':
        return DIGIT;
      case 'D':
        return (x) => !DIGIT(x);
      case 'w':
        return WORD;
      case 'W':
        return (x) => !WORD(x);
      case 's':
        return SPACE;
      case 'S':
        return (x) => !SPACE(x);
    }
    const control = CONTROL[e];
    if (control !== undefined) return (x) => x === control;
    if (/^[\p{P}\p{S} ]$/u.test(e) || (inClass && e === '-')) {
      const cp = e.codePointAt(0) as number;
      return (x) => x === cp;
    }
    return this.fail(`\\${e} is not supported`);
  }

  private parseClass(): CharTest {
    this.i++; // [
    const negate = this.peek() === '^';
    if (negate) this.i++;
    const tests: CharTest[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail('missing ]');
      if (c === ']' && !first) break;
      first = false;
      let lo: number | undefined;
      if (c === '\\') {
        const t = this.parseEscape(true);
        // A single escaped character can start a range; a class escape (\d) cannot.
        const single = this.cps[this.i - 1] as number;
        const escaped = String.fromCodePoint(single);
        if ('dDwWsS'.includes(escaped)) {
          tests.push(t);
          continue;
        }
        lo = CONTROL[escaped] ?? single;
      } else {
        lo = this.cps[this.i++] as number;
      }
      if (
        this.peek() === '-' &&
        this.cps[this.i + 1] !== undefined &&
        this.cps[this.i + 1] !== 93
      ) {
        this.i++;
        let hi: number;
        if (this.peek() === '\\') {
          this.parseEscape(true);
          const escaped = String.fromCodePoint(this.cps[this.i - 1] as number);
          hi = CONTROL[escaped] ?? (this.cps[this.i - 1] as number);
        } else hi = this.cps[this.i++] as number;
        if (hi < lo) this.fail('a range out of order');
        const [a, b] = [lo, hi];
        tests.push((x) => x >= a && x <= b);
      } else {
        const a = lo;
        tests.push((x) => x === a);
      }
    }
    this.i++; // ]
    return negate ? (x) => !tests.some((t) => t(x)) : (x) => tests.some((t) => t(x));
  }
}
