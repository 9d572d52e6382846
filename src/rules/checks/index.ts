import type { RuleCheck } from '../types.js';
import { securityGroupOpenToWorld } from './security-group-open-to-world.js';
import { targetsOtherIamUser, targetsOwnIamUser } from './iam-credential-target.js';
import { roleTrustAllowsExternalPrincipal } from './role-trust-external.js';

/** The named checks rules can reference with `checks: [name]`. */
const CHECKS: readonly RuleCheck[] = [
  securityGroupOpenToWorld,
  targetsOtherIamUser,
  targetsOwnIamUser,
  roleTrustAllowsExternalPrincipal,
];

const byName = new Map(CHECKS.map((check) => [check.name, check]));

export function findCheck(name: string): RuleCheck | undefined {
  return byName.get(name);
}

export function checkNames(): string[] {
  return [...byName.keys()].sort();
}
