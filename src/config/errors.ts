import { TrailguardError } from '../util/errors.js';

/** One thing wrong in a config, located: `file:line:column: key: problem`. */
export interface ConfigProblem {
  /** Where the config came from: its file (or e.g. the SSM parameter). */
  origin: string;
  key?: string;
  line?: number;
  column?: number;
  message: string;
}

/** `file:line:column: key: problem`, the one line a config problem is reported as. */
export function describeConfigProblem(problem: ConfigProblem): string {
  const where = problem.line !== undefined ? `:${problem.line}:${problem.column ?? 1}` : '';
  return `${problem.origin}${where}: ${problem.key ? `${problem.key}: ` : ''}${problem.message}`;
}

/**
 * A config that cannot be used: the message names the file (or where it came from), the line and the key. A file
 * with several mistakes is one ConfigError carrying all of them (`problems`), one line each in the message, in the
 * order they appear in the file.
 */
export class ConfigError extends TrailguardError {
  override readonly name = 'ConfigError';
  /** Every problem, located (empty for an error that is not about the content, such as a file that cannot be read). */
  readonly problems: readonly ConfigProblem[];
  constructor(message: string, options: { cause?: unknown; problems?: readonly ConfigProblem[] } = {}) {
    const { problems = [], ...rest } = options;
    super(message, { code: 'invalid-config', ...rest });
    this.problems = problems;
  }

  /** A ConfigError of located problems (at least one); the message lists them all, one per line. */
  static of(problems: readonly ConfigProblem[]): ConfigError {
    return new ConfigError(problems.map(describeConfigProblem).join('\n'), { problems });
  }
}
