import { describe, expect, it } from 'vitest';
import { parseTimeOption } from '../../src/cli/time-options.js';
import { UsageError } from '../../src/cli/usage-error.js';

const NOW = Date.parse('2026-11-23T12:00:00Z');

describe('parseTimeOption', () => {
  it.each([
    ['2026-11-20', '2026-11-20T00:00:00.000Z'],
    ['2026-11-20T10:00:00Z', '2026-11-20T10:00:00.000Z'],
    ['2026-11-20T10:00', '2026-11-20T10:00:00.000Z'],
    ['2026-11-20 10:00:05.250', '2026-11-20T10:00:05.250Z'],
    ['2026-11-20T12:00:00+02:00', '2026-11-20T10:00:00.000Z'],
    ['2026-11-20T05:30:00-0430', '2026-11-20T10:00:00.000Z'],
    ['90m', '2026-11-23T10:30:00.000Z'],
    ['24h', '2026-11-22T12:00:00.000Z'],
    ['7d', '2026-11-16T12:00:00.000Z'],
    ['2w', '2026-11-09T12:00:00.000Z'],
    ['1.5h', '2026-11-23T10:30:00.000Z'],
  ])('reads %s (times without an offset are UTC, like eventTime)', (value, expected) => {
    expect(parseTimeOption('--since', value, NOW).toISOString()).toBe(expected);
  });

  it.each(['2026-02-30', '2026-13-01', '2026-11-20T24:00:00Z', '2026-11-20T10:61', 'yesterday', '24', '2026/11/20', ''])('refuses %j', (value) => {
    expect(() => parseTimeOption('--since', value, NOW)).toThrow(UsageError);
    expect(() => parseTimeOption('--since', value, NOW)).toThrow(/--since/);
  });
});
