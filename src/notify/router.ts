/**
 * Which channels a finding goes to. Routes are tried in order; a finding goes to the channels of
 * every route it matches (a route marked `final` stops the search). Without routes, every enabled
 * channel gets every finding. Disabled channels are skipped wherever they are named.
 */
import type { Finding } from '../findings/types.js';
import { severityRank } from '../rules/types.js';
import type { NotificationsConfig, RouteConfig } from './config.js';
import { globListMatcher } from '../util/glob.js';

/** What routes look at: a finding, or a remediation decision routed as the finding it acts on. */
export type RouteSubject = Pick<Finding, 'ruleId' | 'severity' | 'tags' | 'account' | 'region'>;

export interface Router {
  /** Channel names, in first-mention order, without duplicates. */
  route(subject: RouteSubject): string[];
}

type Predicate = (subject: RouteSubject) => boolean;

/** Rule ids, `*` matching any run of characters (src/util/glob.ts). */
function idMatcher(patterns: readonly string[]): (id: string) => boolean {
  return globListMatcher(patterns);
}

function compileMatch(match: RouteConfig['match']): Predicate {
  if (!match) return () => true;
  const tests: Predicate[] = [];
  if (match.minSeverity) {
    const min = severityRank(match.minSeverity);
    tests.push((f) => severityRank(f.severity) >= min);
  }
  if (match.severities) {
    const set = new Set<string>(match.severities);
    tests.push((f) => set.has(f.severity));
  }
  if (match.rules) {
    const m = idMatcher(match.rules);
    tests.push((f) => m(f.ruleId));
  }
  if (match.excludeRules) {
    const m = idMatcher(match.excludeRules);
    tests.push((f) => !m(f.ruleId));
  }
  if (match.tags) {
    const set = new Set(match.tags);
    tests.push((f) => f.tags.some((t) => set.has(t)));
  }
  if (match.accounts) {
    const set = new Set(match.accounts);
    tests.push((f) => set.has(f.account));
  }
  if (match.regions) {
    const set = new Set(match.regions);
    tests.push((f) => set.has(f.region));
  }
  return (f) => tests.every((t) => t(f));
}

export function createRouter(config: Pick<NotificationsConfig, 'channels' | 'routes'>): Router {
  const enabled = new Set(Object.entries(config.channels).filter(([, c]) => c.enabled !== false).map(([name]) => name));
  if (!config.routes?.length) {
    const all = [...enabled];
    return { route: () => all };
  }
  const routes = config.routes.map((r) => ({ test: compileMatch(r.match), channels: r.channels.filter((c) => enabled.has(c)), final: r.final === true }));
  return {
    route(finding) {
      const out = new Set<string>();
      for (const r of routes) {
        if (!r.test(finding)) continue;
        for (const c of r.channels) out.add(c);
        if (r.final) break;
      }
      return [...out];
    },
  };
}
