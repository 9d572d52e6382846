/** Findings for the notify tests: the sample finding with variations, and real ones from the detector. */
import { createDetector } from '../../../src/detect/detector.js';
import type { Finding } from '../../../src/findings/types.js';
import { sampleFinding } from '../../../src/notify/sample-finding.js';
import { loadRules } from '../../../src/rules/load.js';
import { stopLogging } from '../../cli/helpers.js';
import type { CloudTrailRecord } from '../../../src/cloudtrail/types.js';

/** Finding number i: its own id and dedupe key unless overridden. */
export function makeFinding(i: number, overrides: Partial<Finding> = {}): Finding {
  const base = sampleFinding(new Date(Date.UTC(2026, 10, 20, 10, 0, 0) + i * 1000));
  const id = `f${String(i).padStart(31, '0')}`;
  return { ...base, id, dedupeKey: `cloudtrail-disabled:123456789012:trail-${i}`, summary: `Admin/alice ran StopLogging on trail-${i} in 123456789012/us-east-1`, ...overrides };
}

let detectorFindings: Finding[] | undefined;

/** Real findings from the built-in catalog on a StopLogging record: cloudtrail-disabled (critical) and cloudtrail-config-changes. */
export function realFindings(): Finding[] {
  if (!detectorFindings) {
    const { rules } = loadRules();
    detectorFindings = createDetector(rules).evaluate(stopLogging() as unknown as CloudTrailRecord);
  }
  return detectorFindings;
}
