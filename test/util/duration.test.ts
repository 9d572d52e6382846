import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/util/duration.js';
import { parseDurationOption } from '../../src/cli/time-options.js';
import { remediationConfigSchema } from '../../src/remediate/config.js';
import { durationMs } from '../../src/remediate/settings.js';

describe('one duration syntax, on the command line and in the config', () => {
  it('a number and a unit, ms to w, fractions allowed; a bare number only where the caller gives a unit', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('2W')).toBe(1_209_600_000);
    expect(parseDuration('90')).toBeUndefined();
    expect(parseDuration('90', { defaultUnit: 's' })).toBe(90_000);
    expect(parseDuration('tomorrow')).toBeUndefined();
  });

  it('what --notify-timeout takes, approvals.expiresAfter takes too', () => {
    expect(parseDurationOption('--notify-timeout', '90s')).toBe(90_000);
    expect(remediationConfigSchema.safeParse({ approvals: { expiresAfter: '90s' } }).success).toBe(true);
    expect(durationMs('90s')).toBe(90_000);
    expect(durationMs('7d')).toBe(604_800_000);
    // An approval that expires at once would never be approvable.
    expect(remediationConfigSchema.safeParse({ approvals: { expiresAfter: '0s' } }).success).toBe(false);
    expect(() => durationMs('0m')).toThrow('not a duration');
  });
});
