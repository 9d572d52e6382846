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

/** A rule that cannot be loaded. The run goes on without it. */
export class RuleLoadError extends TrailguardError {
  override readonly name = 'RuleLoadError';
  readonly location: RuleProblemLocation;
  readonly detail: string;
  constructor(location: RuleProblemLocation, detail: string) {
    super(describe(location, detail), { code: 'invalid-rule' });
    this.location = location;
    this.detail = detail;
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
