/**
 * Deterministic pseudo-random numbers for the sample generator.
 *
 * sfc32 (Small Fast Counting, 128-bit state) seeded from a string with cyrb128: fast, good enough
 * statistically for synthetic logs, and fully reproducible across platforms (pure 32-bit integer maths).
 * Never use Math.random() anywhere in the generator: same arguments must give byte-identical output.
 */

const HEX = '0123456789abcdef';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Byte (0..255) → two lowercase hex digits. */
const HEX2: string[] = Array.from({ length: 256 }, (_, i) => HEX[i >> 4]! + HEX[i & 15]!);

function cyrb128(str: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < str.length; i++) {
    const k = str.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  readonly seed: string;

  constructor(seed: string | number) {
    this.seed = String(seed);
    [this.a, this.b, this.c, this.d] = cyrb128(this.seed);
    for (let i = 0; i < 15; i++) this.u32();
  }

  /** An independent stream derived from this stream's seed and a label (does not consume from this stream). */
  fork(label: string): Rng {
    return new Rng(`${this.seed}/${label}`);
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.c = (r + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Exponentially distributed value with the given mean. */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  hex(n: number): string {
    let s = '';
    while (s.length + 8 <= n) {
      const v = this.u32();
      s += HEX2[v >>> 24]! + HEX2[(v >>> 16) & 255]! + HEX2[(v >>> 8) & 255]! + HEX2[v & 255]!;
    }
    while (s.length < n) s += HEX[this.u32() & 15];
    return s;
  }

  /** RFC 4122 version-4 UUID (lowercase), the shape of CloudTrail eventID / requestID. */
  uuid(): string {
    const a = this.u32();
    const b = this.u32();
    const c = this.u32();
    const d = this.u32();
    return (
      HEX2[a >>> 24]! + HEX2[(a >>> 16) & 255]! + HEX2[(a >>> 8) & 255]! + HEX2[a & 255]! + '-' +
      HEX2[b >>> 24]! + HEX2[(b >>> 16) & 255]! + '-' +
      '4' + HEX[(b >>> 8) & 15]! + HEX2[b & 255]! + '-' +
      HEX[8 | ((c >>> 28) & 3)]! + HEX[(c >>> 24) & 15]! + HEX2[(c >>> 16) & 255]! + '-' +
      HEX2[(c >>> 8) & 255]! + HEX2[c & 255]! +
      HEX2[d >>> 24]! + HEX2[(d >>> 16) & 255]! + HEX2[(d >>> 8) & 255]! + HEX2[d & 255]!
    );
  }

  private chars(alphabet: string, n: number): string {
    let s = '';
    const len = alphabet.length;
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * len)];
    return s;
  }

  /** [A-Za-z0-9]{n}: the random suffix of CloudTrail log file names. */
  alnum(n: number): string {
    return this.chars(ALNUM, n);
  }

  /** [A-Z0-9]{n}: S3 request IDs, IAM unique-id bodies. */
  upper(n: number): string {
    return this.chars(UPPER_ALNUM, n);
  }

  lower(n: number): string {
    return this.chars(LOWER_ALNUM, n);
  }

  /** Base64 alphabet characters (no padding), e.g. x-amz-id-2, session tokens. */
  b64(n: number): string {
    return this.chars(B64, n);
  }
}

/** A sampler over weighted choices (cumulative table + binary search). */
export class Weighted<T> {
  private readonly items: T[];
  private readonly cum: number[];
  private readonly total: number;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    this.items = [];
    this.cum = [];
    let sum = 0;
    for (const [item, w] of entries) {
      if (w <= 0) continue;
      sum += w;
      this.items.push(item);
      this.cum.push(sum);
    }
    if (this.items.length === 0) throw new Error('Weighted: no positive weights');
    this.total = sum;
  }

  sample(rng: Rng): T {
    const x = rng.next() * this.total;
    const cum = this.cum;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}
