/** Route rule-id lists match with the one wildcard matcher (src/util/glob.ts): `*` any run, everything else literal. */
import './support/loopback-only.js';
import { describe, expect, it } from 'vitest';
import { createRouter } from '../../src/notify/router.js';
import { makeFinding } from './support/findings.js';

describe('route rules / excludeRules with * wildcards', () => {
  const channels = { a: { type: 'stdout' as const }, b: { type: 'stdout' as const } };

  it('match rule ids with * anywhere, and exactly without one', () => {
    const router = createRouter({ channels, routes: [{ match: { rules: ['cloudtrail-*', 'iam-*-changes'] }, channels: ['a'] }, { match: { excludeRules: ['*-disabled'] }, channels: ['b'] }] } as never);
    expect(router.route({ ...makeFinding(1), ruleId: 'cloudtrail-disabled' })).toEqual(['a']);
    expect(router.route({ ...makeFinding(1), ruleId: 'iam-policy-changes' })).toEqual(['a', 'b']);
    expect(router.route({ ...makeFinding(1), ruleId: 'vpc-changes' })).toEqual(['b']);
  });

  it('stay fast on a pattern that would make a regular expression backtrack for ever', () => {
    const router = createRouter({ channels, routes: [{ match: { rules: [`${'*a'.repeat(25)}b`] }, channels: ['a'] }] } as never);
    const started = Date.now();
    expect(router.route({ ...makeFinding(1), ruleId: 'a'.repeat(3000) })).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
