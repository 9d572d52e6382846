import { ABOVE_ALL, ABOVE_ALL_BUT_LINE_TERMINATORS, type CharMatcher, parseRegex, type RegexNode } from './parse-regex.js';

const CHAR = 0;
const SPLIT = 1;
const BOL = 2;
const EOL = 3;
const MATCH = 4;

/**
 * A compiled %regex%: test(text) says whether the regex matches somewhere in text ("%AUTHORIZED%" matches
 * "[ERROR 401] UNAUTHORIZED REQUEST", so a regex is searched for, not matched against the whole value; ^ and $ anchor
 * it to the beginning and end of the text).
 *
 * The regex is compiled to a Thompson automaton and run by tracking the set of live states, so the time is linear in
 * the text for any regex (no backtracking, no catastrophic patterns on hostile log lines), and the buffers are
 * allocated once here: test() allocates nothing. Instances are not re-entrant.
 */
export class RegexProgram {
  private readonly kind: Uint8Array;
  private readonly out1: Int32Array;
  private readonly out2: Int32Array;
  private readonly matchers: CharMatcher[] = [];
  private readonly matcherOf: Int32Array;
  private readonly start: number;

  private current: Int32Array;
  private next: Int32Array;
  private currentCount = 0;
  private nextCount = 0;
  private readonly stamp: Uint32Array;
  private generation = 0;
  private readonly stack: Int32Array;
  private matched = false;

  constructor(readonly source: string, node: RegexNode) {
    const builder = new Builder();
    const fragment = builder.build(node);
    const match = builder.add(MATCH, -1, -1, -1);
    builder.patch(fragment.outs, match);
    this.start = fragment.start;
    const size = builder.kinds.length;
    this.kind = Uint8Array.from(builder.kinds);
    this.out1 = Int32Array.from(builder.out1s);
    this.out2 = Int32Array.from(builder.out2s);
    this.matcherOf = Int32Array.from(builder.matcherIndexes);
    this.matchers = builder.matchers;
    this.current = new Int32Array(size);
    this.next = new Int32Array(size);
    this.stamp = new Uint32Array(size);
    this.stack = new Int32Array(size + 1);
  }

  test(text: string): boolean {
    this.matched = false;
    this.nextGeneration();
    this.nextCount = 0;
    const length = text.length;
    this.addState(this.start, 0, length);
    if (this.matched) return true;
    this.swap();
    let pos = 0;
    while (pos < length) {
      let code = text.charCodeAt(pos);
      let width = 1;
      if (code >= 0xd800 && code <= 0xdbff && pos + 1 < length) {
        const low = text.charCodeAt(pos + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          code = ((code - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
          width = 2;
        }
      }
      const after = pos + width;
      this.nextGeneration();
      this.nextCount = 0;
      for (let i = 0; i < this.currentCount; i++) {
        const state = this.current[i]!;
        if (accepts(this.matchers[this.matcherOf[state]!]!, code)) this.addState(this.out1[state]!, after, length);
      }
      // The regex may also start at the next position: the search is unanchored.
      this.addState(this.start, after, length);
      if (this.matched) return true;
      this.swap();
      pos = after;
    }
    return false;
  }

  /** Adds `state` and everything reachable from it without reading a character to the next list. */
  private addState(state: number, pos: number, length: number): void {
    const stack = this.stack;
    let top = 0;
    stack[top++] = state;
    while (top > 0) {
      const s = stack[--top]!;
      if (this.stamp[s] === this.generation) continue;
      this.stamp[s] = this.generation;
      switch (this.kind[s]) {
        case CHAR:
          this.next[this.nextCount++] = s;
          break;
        case SPLIT:
          stack[top++] = this.out2[s]!;
          stack[top++] = this.out1[s]!;
          break;
        case BOL:
          if (pos === 0) stack[top++] = this.out1[s]!;
          break;
        case EOL:
          if (pos === length) stack[top++] = this.out1[s]!;
          break;
        case MATCH:
          this.matched = true;
          break;
      }
    }
  }

  private swap(): void {
    const list = this.current;
    this.current = this.next;
    this.next = list;
    this.currentCount = this.nextCount;
  }

  private nextGeneration(): void {
    if (this.generation === 0xffffffff) {
      this.stamp.fill(0);
      this.generation = 0;
    }
    this.generation++;
  }
}

function accepts(matcher: CharMatcher, code: number): boolean {
  if (code < 256) return matcher.table[code] === 1;
  if (matcher.above === ABOVE_ALL) return true;
  return matcher.above === ABOVE_ALL_BUT_LINE_TERMINATORS && code !== 0x2028 && code !== 0x2029;
}

export function compileRegex(source: string, base = 0): RegexProgram {
  return new RegexProgram(source, parseRegex(source, base));
}

interface Fragment {
  start: number;
  /** Dangling exits: state * 2 + (0 for out1, 1 for out2). */
  outs: number[];
}

class Builder {
  readonly kinds: number[] = [];
  readonly out1s: number[] = [];
  readonly out2s: number[] = [];
  readonly matcherIndexes: number[] = [];
  readonly matchers: CharMatcher[] = [];

  add(kind: number, out1: number, out2: number, matcher: number): number {
    this.kinds.push(kind);
    this.out1s.push(out1);
    this.out2s.push(out2);
    this.matcherIndexes.push(matcher);
    return this.kinds.length - 1;
  }

  patch(outs: readonly number[], target: number): void {
    for (const out of outs) {
      if (out % 2 === 0) this.out1s[out / 2] = target;
      else this.out2s[(out - 1) / 2] = target;
    }
  }

  build(node: RegexNode): Fragment {
    switch (node.kind) {
      case 'char': {
        this.matchers.push(node.matcher);
        const s = this.add(CHAR, -1, -1, this.matchers.length - 1);
        return { start: s, outs: [s * 2] };
      }
      case 'bol':
      case 'eol': {
        const s = this.add(node.kind === 'bol' ? BOL : EOL, -1, -1, -1);
        return { start: s, outs: [s * 2] };
      }
      case 'seq': {
        if (node.items.length === 0) return this.epsilon();
        let first: Fragment | undefined;
        let outs: number[] = [];
        for (const item of node.items) {
          const f = this.build(item);
          if (first === undefined) first = f;
          else this.patch(outs, f.start);
          outs = f.outs;
        }
        return { start: first!.start, outs };
      }
      case 'alt': {
        // A chain of splits: each tries one branch or moves on to the next split.
        const outs: number[] = [];
        let start = -1;
        let previousSplit = -1;
        node.branches.forEach((branch, i) => {
          const split = this.add(SPLIT, -1, -1, -1);
          if (i === 0) start = split;
          else this.out2s[previousSplit] = split;
          const f = this.build(branch);
          this.out1s[split] = f.start;
          outs.push(...f.outs);
          previousSplit = split;
        });
        // The last split has no further branch: it can only take its own.
        this.out2s[previousSplit] = this.out1s[previousSplit]!;
        return { start, outs };
      }
      case 'repeat':
        return this.buildRepeat(node.node, node.min, node.max);
    }
  }

  /** A state that reads nothing: an empty alternative (a|) or a zero repetition (a{0}). */
  private epsilon(): Fragment {
    const s = this.add(SPLIT, -1, -1, -1);
    return { start: s, outs: [s * 2, s * 2 + 1] };
  }

  private buildRepeat(node: RegexNode, min: number, max: number): Fragment {
    if (max === 0) return this.epsilon();
    let start = -1;
    let outs: number[] = [];
    const link = (f: Fragment): void => {
      if (start === -1) start = f.start;
      else this.patch(outs, f.start);
    };
    for (let i = 0; i < min; i++) {
      const f = this.build(node);
      link(f);
      outs = f.outs;
    }
    if (max === Infinity) {
      const split = this.add(SPLIT, -1, -1, -1);
      const f = this.build(node);
      this.out1s[split] = f.start;
      this.patch(f.outs, split);
      link({ start: split, outs: [] });
      return { start, outs: [split * 2 + 1] };
    }
    const skips: number[] = [];
    for (let i = min; i < max; i++) {
      const split = this.add(SPLIT, -1, -1, -1);
      const f = this.build(node);
      this.out1s[split] = f.start;
      link({ start: split, outs: [] });
      skips.push(split * 2 + 1);
      outs = f.outs;
    }
    return { start, outs: [...outs, ...skips] };
  }
}
