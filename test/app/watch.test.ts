/** watch's session over live findings: notified through the notifier, remediated only where the policy has an action. */
import { describe, expect, it } from 'vitest';
import { watchSession } from '../../src/app/watch.js';
import type { Finding } from '../../src/findings/types.js';
import type { Notifier } from '../../src/notify/notifier.js';
import type { RemediationRunner } from '../../src/remediate/runner.js';
import type { RemediationDecision } from '../../src/remediate/types.js';
import { makeFinding } from '../notify/support/findings.js';
import { makeDecision } from '../store/support.js';

function fakeNotifier() {
  const enqueued: Finding[][] = [];
  const deliveries: unknown[] = [];
  const notifier = {
    enqueue: async (findings: readonly Finding[]) => {
      enqueued.push([...findings]);
    },
    deliver: async (options: unknown) => {
      deliveries.push(options);
      return undefined;
    },
  } as unknown as Notifier;
  return { notifier, enqueued, deliveries };
}

function fakeRunner() {
  const handled: string[] = [];
  const runner = {
    handleFinding: async (finding: Finding): Promise<RemediationDecision[]> => {
      handled.push(finding.ruleId);
      return [makeDecision(handled.length, { ruleId: finding.ruleId })];
    },
  } as unknown as RemediationRunner;
  return { runner, handled };
}

describe('watchSession', () => {
  it('hands every finding to the notifier and only those with a configured action to the remediation runner', async () => {
    const { notifier, enqueued } = fakeNotifier();
    const { runner, handled } = fakeRunner();
    const decisions: RemediationDecision[] = [];
    const session = watchSession({
      notifier,
      remediation: { config: { rules: { 'cloudtrail-disabled': { action: 'start-cloudtrail-logging' } } }, runner, onDecision: (d) => decisions.push(d) },
    });
    const stop = makeFinding(1);
    const other = makeFinding(2, { ruleId: 'iam-policy-changes' });
    await session.handle([stop, other]);
    await session.handle([]);
    expect(enqueued).toEqual([[stop, other]]);
    expect(handled).toEqual(['cloudtrail-disabled']);
    expect(decisions.map((d) => d.ruleId)).toEqual(['cloudtrail-disabled']);
    expect(session.counts).toEqual({ notified: 2, remediated: 1 });
  });

  it('delivers what is due after a poll, and flushes the windows at exit', async () => {
    const { notifier, deliveries } = fakeNotifier();
    const session = watchSession({ notifier });
    await session.deliverDue(1_000);
    await session.finish(2_000);
    expect(deliveries).toEqual([{ deadline: 1_000, dueNowOnly: true }, { deadline: 2_000, flushWindows: true }]);
  });

  it('without a notifier or a policy nothing is sent or remediated', async () => {
    const session = watchSession({});
    await session.handle([makeFinding(3)]);
    expect(await session.deliverDue(1)).toBeUndefined();
    expect(session.counts).toEqual({ notified: 0, remediated: 0 });
  });
});
