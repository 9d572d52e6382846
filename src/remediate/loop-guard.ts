/**
 * The loop guard: trailguard never acts on a change it made itself (its revoke is a security-group
 * change too, its StartLogging a trail change), and never acts twice on the same event.
 *
 * "Itself" is an identity: sessions of a role (optionally one session name), an IAM user, or an ARN
 * pattern. A session name alone is never enough: any caller chooses its own session name, and an
 * attacker naming a session "trailguard" must not be exempt. Likewise the user agent trailguard sends
 * (`trailguard-remediation`) marks its calls for people reading CloudTrail but is never trusted here.
 */
import type { Actor } from '../cloudtrail/types.js';
import { globMatch } from '../util/glob.js';
import type { IdentityEntry } from './config.js';

/** Does any of the ARNs match the pattern? `*` matches any run of characters (src/util/glob.ts); everything else literally. */
export function matchesArn(pattern: string, ...arns: Array<string | undefined>): boolean {
  return arns.some((arn) => arn !== undefined && globMatch(pattern, arn));
}

/** The identity entry the actor is, or undefined. */
export function ownIdentity(actor: Actor, identity: readonly IdentityEntry[]): IdentityEntry | undefined {
  return identity.find((entry) => {
    if (entry.arn !== undefined && !matchesArn(entry.arn, actor.arn, actor.sessionIssuerArn)) return false;
    if (entry.user !== undefined && !(actor.type === 'IAMUser' && actor.name === entry.user)) return false;
    if (entry.role !== undefined) {
      const role = actor.sessionIssuerName;
      if (!(actor.type === 'AssumedRole' && role === entry.role)) return false;
      if (entry.session !== undefined && actor.sessionName !== entry.session) return false;
    }
    return entry.arn !== undefined || entry.user !== undefined || entry.role !== undefined;
  });
}

export function describeIdentity(entry: IdentityEntry): string {
  if (entry.arn) return entry.arn;
  if (entry.user) return `IAM user ${entry.user}`;
  return `role ${entry.role}${entry.session ? ` (session ${entry.session})` : ''}`;
}
