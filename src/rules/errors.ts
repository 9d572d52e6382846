import { TrailguardError } from '../util/errors.js';
/** Where in which rule file something is wrong. Every rule problem names file, rule id and key. */
export interface RuleProblemLocation {
  file: string;
  ruleId?: string;
  /** Dotted key path within the rule, e.g. "match.detail.eventName" or "tests.match[0].record". */
  key?: string;
  line?: number;
  column?: number;
}

function describe(location: RuleProblemLocation, message: string): string {
  const position = location.line !== undefined ? `:${location.line}${location.column !== undefined ? `:${location.column}` : ''}` : '';
  const rule = location.ruleId !== undefined ? ` rule ${location.ruleId}:` : '';
  const key = location.key !== undefined && location.key !== '' ? ` ${location.key}:` : '';
  return `${location.file}${position}:${rule}${key} ${message}`;
}

/** One thing wrong in a rule file: where, what, and the line it is reported as (`file:line:col: rule id: key: problem`). */
export interface RuleProblem {
  location: RuleProblemLocation;
  detail: string;
  message: string;
}

/**
 * A rule that cannot be loaded. The run goes on without it. A file with several mistakes is one RuleLoadError
 * carrying all of them (`problems`, in the order they appear in the file); `location` and `detail` are the first's,
 * and the message has one line per problem.
 */
export class RuleLoadError extends TrailguardError {
  override readonly name = 'RuleLoadError';
  readonly location: RuleProblemLocation;
  readonly detail: string;
  readonly problems: readonly RuleProblem[];
  constructor(location: RuleProblemLocation, detail: string, more: ReadonlyArray<{ location: RuleProblemLocation; detail: string }> = []) {
    const problems = [{ location, detail }, ...more].map((p) => ({ ...p, message: describe(p.location, p.detail) }));
    super(problems.map((p) => p.message).join('\n'), { code: 'invalid-rule' });
    this.location = location;
    this.detail = detail;
    this.problems = problems;
  }

  /** One error for several problems (at least one). */
  static of(problems: ReadonlyArray<{ location: RuleProblemLocation; detail: string }>): RuleLoadError {
    const [first, ...more] = problems;
    if (!first) throw new RangeError('RuleLoadError.of needs at least one problem');
    return new RuleLoadError(first.location, first.detail, more);
  }
}

/** A rule that loads but probably does not do what its author meant (e.g. an eventName its service does not have). */
export interface RuleWarning {
  location: RuleProblemLocation;
  message: string;
}

export function ruleWarning(location: RuleProblemLocation, detail: string): RuleWarning {
  return { location, message: describe(location, detail) };
}
