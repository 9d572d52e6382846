import type { RuleCheck } from '../types.js';
import { securityGroupOpenToWorld } from './security-group-open-to-world.js';

/** The named checks rules can reference with `checks: [name]`. */
const CHECKS: readonly RuleCheck[] = [securityGroupOpenToWorld];

const byName = new Map(CHECKS.map((check) => [check.name, check]));

export function findCheck(name: string): RuleCheck | undefined {
  return byName.get(name);
}

export function checkNames(): string[] {
  return [...byName.keys()].sort();
}
