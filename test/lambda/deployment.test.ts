import { describe, expect, it } from 'vitest';
import { createDetector } from '../../src/detect/detector.js';
import { buildDeploymentDocument, readDeploymentDocument } from '../../src/lambda/deployment.js';
import { loadRules } from '../../src/rules/load.js';
import { seed002, stopLogging } from '../remediate/support/events.js';

const { rules } = loadRules();
const config = { remediation: { rules: { 'security-group-ingress-open-to-world': { action: 'revoke-security-group-ingress' as const, mode: 'enforce' as const } } } };
const json = JSON.stringify(buildDeploymentDocument({ name: 'tg', rules, config }));

describe('the deployment document', () => {
  it.each([true, false])('read trusted=%s, it gives the detector the same findings as the rules it was built from', async (trusted) => {
    const loaded = await readDeploymentDocument(json, 'doc', { trusted });
    expect(loaded.errors).toEqual([]);
    expect(loaded.rules.map((r) => r.id)).toEqual(rules.map((r) => r.id));
    expect(loaded.config).toEqual(config);
    for (const record of [seed002(), stopLogging()]) {
      const ids = (r: typeof rules) => createDetector(r).evaluate(record).map((f) => `${f.ruleId} ${f.severity} ${f.summary}`);
      expect(ids(loaded.rules)).toEqual(ids(rules));
    }
  });

  it('carries no test events or maintainers\' notes (they are not for the deployed detector)', () => {
    const document = JSON.parse(json) as { rules: Array<{ definition: Record<string, unknown> }> };
    for (const { definition } of document.rules) {
      for (const key of ['tests', 'notes', 'falsePositives', 'references']) expect(definition).not.toHaveProperty(key);
    }
  });

  it('a document of another version is refused either way; one that is not valid is refused when validated, naming the key', async () => {
    const other = JSON.stringify({ ...JSON.parse(json), version: 2 });
    await expect(readDeploymentDocument(other, 'doc', { trusted: true })).rejects.toThrow(/doc: not a version 1 deployment document/);
    await expect(readDeploymentDocument(other, 'doc')).rejects.toThrow(/doc: version/);
    await expect(readDeploymentDocument('{"version":1', 'doc')).rejects.toThrow(/doc: not JSON/);
    const broken = JSON.parse(json) as { config: { remediation: { rules: Record<string, { mode: string }> } } };
    broken.config.remediation.rules['security-group-ingress-open-to-world']!.mode = 'now';
    await expect(readDeploymentDocument(JSON.stringify(broken), 'doc')).rejects.toThrow(/doc: config\.remediation/);
  });
});
