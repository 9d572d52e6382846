import fc from 'fast-check';

/**
 * CloudTrail-like records and random JSON filter expressions over the same small vocabulary, so that random patterns
 * match random records often enough for properties to say something. Records also carry values of the wrong type in
 * the same fields (numbers, null, booleans, arrays, objects), since CloudWatch Logs sees whatever JSON is logged.
 */
const EVENT_NAMES = ['ConsoleLogin', 'DeletePolicy', 'CreateTrail', 'StopLogging', 'DisableKey', 'GetObject', 'HeadBucket', 'RunInstances', 'CreateVpc'];
const EVENT_SOURCES = ['signin.amazonaws.com', 'iam.amazonaws.com', 'kms.amazonaws.com', 's3.amazonaws.com', 'ec2.amazonaws.com'];
const ERROR_CODES = ['AccessDenied', 'Client.UnauthorizedOperation', 'AccessDeniedException', 'ThrottlingException'];
const IDENTITY_TYPES = ['Root', 'IAMUser', 'AssumedRole', 'AWSService'];
const ADDRESSES = ['198.51.100.7', '203.0.113.9', 'delivery.logs.amazonaws.com'];
const EVENT_TYPES = ['AwsApiCall', 'AwsServiceEvent', 'AwsConsoleSignIn'];
const ODD_VALUES: unknown[] = [5, 0, -1.5, 500, null, true, false, '', ['ConsoleLogin'], { ConsoleLogin: 'Success' }, 'consolelogin', '500'];

/** A field that is usually absent or one of `values`, and sometimes a value of another type. */
function field(values: readonly unknown[], absentWeight = 1): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: absentWeight, arbitrary: fc.constant(undefined) },
    { weight: 6, arbitrary: fc.constantFrom(...values) },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_VALUES) },
  );
}

function compact(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}

export const cloudTrailLikeRecord: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    eventName: field(EVENT_NAMES, 0),
    eventSource: field(EVENT_SOURCES),
    errorCode: field(ERROR_CODES, 4),
    sourceIPAddress: field(ADDRESSES),
    eventType: field(EVENT_TYPES),
    identityType: field(IDENTITY_TYPES),
    invokedBy: field(['support.amazonaws.com', 'AWS Internal'], 4),
    mfa: field(['Yes', 'No']),
    consoleLogin: field(['Success', 'Failure']),
    latency: fc.option(fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constantFrom('500', 'fast', 1e3, 499.5)), { nil: undefined }),
    tags: fc.option(fc.array(fc.oneof(fc.constantFrom('prod', 'dev', 'ConsoleLogin'), fc.constantFrom<unknown>(1, null, { a: 1 })), { maxLength: 3 }), { nil: undefined }),
  })
  .map((r) =>
    compact({
      eventVersion: '1.09',
      eventName: r.eventName,
      eventSource: r.eventSource,
      errorCode: r.errorCode,
      sourceIPAddress: r.sourceIPAddress,
      eventType: r.eventType,
      userIdentity: r.identityType === undefined && r.invokedBy === undefined ? undefined : compact({ type: r.identityType, invokedBy: r.invokedBy, accountId: '123456789012' }),
      additionalEventData: r.mfa === undefined ? undefined : { MFAUsed: r.mfa },
      responseElements: r.consoleLogin === undefined ? null : { ConsoleLogin: r.consoleLogin },
      latency: r.latency,
      tags: r.tags,
      recipientAccountId: '123456789012',
    }),
  );

/** A selector step: a key, an array index, or a wildcard (.* over objects, [*] over arrays). */
export type Step = string | number | '.*' | '[*]';

export type Test =
  | { kind: 'text'; operator: '=' | '!='; value: string; quoted: boolean }
  | { kind: 'number'; operator: '=' | '!=' | '<' | '<=' | '>' | '>='; value: number }
  | { kind: 'regex'; operator: '=' | '!='; source: string }
  | { kind: 'is'; value: true | false | null }
  | { kind: 'not-exists' };

export type Expr =
  | { kind: 'and' | 'or'; operands: Expr[]; parens: boolean }
  | { kind: 'condition'; path: Step[]; test: Test; parens: boolean };

interface Slot {
  path: Step[];
  words: readonly string[];
}

const SLOTS: readonly Slot[] = [
  { path: ['eventName'], words: EVENT_NAMES },
  { path: ['eventSource'], words: EVENT_SOURCES },
  { path: ['errorCode'], words: ERROR_CODES },
  { path: ['sourceIPAddress'], words: ADDRESSES },
  { path: ['eventType'], words: EVENT_TYPES },
  { path: ['userIdentity', 'type'], words: IDENTITY_TYPES },
  { path: ['userIdentity', 'invokedBy'], words: ['support.amazonaws.com'] },
  { path: ['additionalEventData', 'MFAUsed'], words: ['Yes', 'No'] },
  { path: ['responseElements', 'ConsoleLogin'], words: ['Success', 'Failure'] },
  { path: ['latency'], words: ['500', 'fast'] },
  { path: ['tags', 0], words: ['prod', 'dev'] },
  { path: ['tags', '[*]'], words: ['prod', 'ConsoleLogin'] },
  { path: ['.*'], words: ['ConsoleLogin', 'AccessDenied', '123456789012'] },
];

/** A word, or a wildcard form of it: prefix*, *suffix, *middle*, or * alone. */
function textValue(words: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...words) },
    { weight: 1, arbitrary: fc.constantFrom(...words).map((w) => `${w.slice(0, 3)}*`) },
    { weight: 1, arbitrary: fc.constantFrom(...words).map((w) => `*${w.slice(-4)}`) },
    { weight: 1, arbitrary: fc.constantFrom(...words).map((w) => `*${w.slice(1, 4)}*`) },
    { weight: 1, arbitrary: fc.constant('*') },
  );
}

/** Characters an unquoted value may hold (see parse-value.ts). */
export function canBeUnquoted(value: string): boolean {
  return /^[A-Za-z0-9_.*+-]+$/.test(value) && !/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(value);
}

function test(slot: Slot): fc.Arbitrary<Test> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('text' as const), operator: fc.constantFrom('=' as const, '!=' as const), value: textValue(slot.words), quoted: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('number' as const), operator: fc.constantFrom('=' as const, '!=' as const, '<' as const, '<=' as const, '>' as const, '>=' as const), value: fc.constantFrom(0, 500, 499.5, 1000, -1) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('regex' as const), operator: fc.constantFrom('=' as const, '!=' as const), source: fc.constantFrom(...slot.words).map((w) => `^${w.slice(0, 2).replace(/\./g, '\\.')}`) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('is' as const), value: fc.constantFrom(true, false, null) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'not-exists' as const }) },
  );
}

const condition: fc.Arbitrary<Expr> = fc
  .constantFrom(...SLOTS)
  .chain((slot) => fc.record({ kind: fc.constant('condition' as const), path: fc.constant(slot.path), test: test(slot), parens: fc.boolean() }));

/** Expressions of at most one wildcard selector each and at most two regexes, within the documented quotas. */
export const expression: fc.Arbitrary<Expr> = fc
  .letrec<{ expr: Expr }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 3, arbitrary: condition },
      { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), operands: fc.array(tie('expr'), { minLength: 2, maxLength: 4 }), parens: fc.boolean() }) },
    ),
  }))
  .expr.filter((e) => withinQuotas(e) && render(e).length <= 700);

/** At most 2 regexes and 3 wildcard selectors in a pattern (Filter pattern syntax, Quotas). */
export function withinQuotas(e: Expr): boolean {
  return count(e, (c) => c.test.kind === 'regex') <= 2 && count(e, (c) => c.path.some((s) => s === '.*' || s === '[*]')) <= 3;
}

function count(e: Expr, predicate: (c: Extract<Expr, { kind: 'condition' }>) => boolean): number {
  return e.kind === 'condition' ? (predicate(e) ? 1 : 0) : e.operands.reduce((n, o) => n + count(o, predicate), 0);
}

function renderPath(path: readonly Step[]): string {
  return `$${path.map((s) => (s === '.*' ? '.*' : s === '[*]' ? '[*]' : typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}`;
}

function renderTest(t: Test): string {
  switch (t.kind) {
    case 'text':
      return `${t.operator} ${t.quoted || !canBeUnquoted(t.value) ? JSON.stringify(t.value) : t.value}`;
    case 'number':
      return `${t.operator} ${t.value}`;
    case 'regex':
      return `${t.operator} %${t.source}%`;
    case 'is':
      return `IS ${t.value === null ? 'NULL' : t.value ? 'TRUE' : 'FALSE'}`;
    case 'not-exists':
      return 'NOT EXISTS';
  }
}

/** The expression as pattern text, with parentheses where precedence needs them and where `parens` asks for them. */
export function render(e: Expr, spacing = ' '): string {
  return `{${spacing}${renderExpr(e, 'or', spacing)}${spacing}}`;
}

function renderExpr(e: Expr, context: 'or' | 'and', spacing: string): string {
  let text: string;
  if (e.kind === 'condition') {
    text = `${renderPath(e.path)} ${renderTest(e.test)}`;
  } else {
    const join = e.kind === 'and' ? '&&' : '||';
    text = e.operands.map((o) => renderExpr(o, e.kind === 'and' ? 'and' : 'or', spacing)).join(`${spacing}${join}${spacing}`);
  }
  const needed = e.kind === 'or' && context === 'and';
  return needed || e.parens ? `(${text})` : text;
}

/** Every node the selector reaches, read the plain way (own properties, no looking into arrays unless asked). */
function reach(node: unknown, path: readonly Step[]): unknown[] {
  if (path.length === 0) return [node];
  const [step, ...rest] = path;
  const isObject = typeof node === 'object' && node !== null && !Array.isArray(node);
  let children: unknown[] = [];
  if (step === '.*') children = isObject ? Object.keys(node).map((k) => (node as Record<string, unknown>)[k]) : [];
  else if (step === '[*]') children = Array.isArray(node) ? [...(node as unknown[])] : [];
  else if (typeof step === 'number') children = Array.isArray(node) && step < node.length ? [node[step]] : [];
  else children = isObject && Object.hasOwn(node, step!) ? [(node as Record<string, unknown>)[step!]] : [];
  return children.filter((c) => c !== undefined).flatMap((c) => reach(c, rest));
}

function isValueNode(v: unknown): v is string | number {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

function wildcardRegExp(pattern: string): RegExp {
  const leading = pattern.startsWith('*');
  const trailing = pattern.length > 1 && pattern.endsWith('*');
  const core = pattern.slice(leading ? 1 : 0, trailing ? -1 : undefined);
  const escaped = core.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${leading ? '[^]*' : ''}${escaped}${trailing ? '[^]*' : ''}$`);
}

/**
 * The documented semantics, written independently of the engine: a condition holds when some reached value node
 * satisfies it; = and != need a string or number; order operators need a number; IS needs the literal; NOT EXISTS
 * needs nothing reached.
 */
export function reference(e: Expr, record: unknown): boolean {
  if (e.kind !== 'condition') return e.kind === 'and' ? e.operands.every((o) => reference(o, record)) : e.operands.some((o) => reference(o, record));
  const nodes = reach(record, e.path);
  const t = e.test;
  switch (t.kind) {
    case 'not-exists':
      return nodes.length === 0;
    case 'is':
      return nodes.some((n) => n === t.value);
    case 'text': {
      const re = wildcardRegExp(t.value);
      return nodes.some((n) => isValueNode(n) && re.test(String(n)) === (t.operator === '='));
    }
    case 'regex': {
      const re = new RegExp(t.source);
      return nodes.some((n) => isValueNode(n) && re.test(String(n)) === (t.operator === '='));
    }
    case 'number':
      return nodes.some((n) => {
        if (!isValueNode(n)) return false;
        const equal = typeof n === 'number' ? n === t.value : n === String(t.value);
        switch (t.operator) {
          case '=':
            return equal;
          case '!=':
            return !equal;
          case '<':
            return typeof n === 'number' && n < t.value;
          case '<=':
            return typeof n === 'number' && n <= t.value;
          case '>':
            return typeof n === 'number' && n > t.value;
          default:
            return typeof n === 'number' && n >= t.value;
        }
      });
  }
}

/** The same expression with the operands of every && and || in another order. */
export function permuted(e: Expr, order: (n: number) => number[]): Expr {
  if (e.kind === 'condition') return e;
  const operands = e.operands.map((o) => permuted(o, order));
  return { ...e, operands: order(operands.length).map((i) => operands[i]!) };
}

export function mapConditions(e: Expr, f: (c: Extract<Expr, { kind: 'condition' }>) => Expr): Expr {
  if (e.kind === 'condition') return f(e);
  return { ...e, operands: e.operands.map((o) => mapConditions(o, f)) };
}

export function withParens(e: Expr, parens: boolean): Expr {
  if (e.kind === 'condition') return { ...e, parens };
  return { ...e, parens, operands: e.operands.map((o) => withParens(o, parens)) };
}
