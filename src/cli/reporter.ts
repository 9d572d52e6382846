import { styleText } from 'node:util';

/** Human-facing diagnostics on stderr, so stdout carries only the requested output. */
export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  readonly color: boolean;
  counts(): { warnings: number; errors: number };
}

export function stderrReporter(stream: NodeJS.WriteStream = process.stderr, quiet = false): Reporter {
  const color = stream.isTTY === true && !('NO_COLOR' in process.env);
  let warnings = 0;
  let errors = 0;
  const write = (prefix: string, style: Parameters<typeof styleText>[0], message: string): void => {
    stream.write(`${color ? styleText(style, prefix) : prefix}${message}\n`);
  };
  return {
    color,
    info: (message) => {
      if (!quiet) stream.write(`${message}\n`);
    },
    warn: (message) => {
      warnings++;
      write('warning: ', 'yellow', message);
    },
    error: (message) => {
      errors++;
      write('error: ', 'red', message);
    },
    counts: () => ({ warnings, errors }),
  };
}
