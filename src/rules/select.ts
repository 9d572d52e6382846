import type { Rule, Severity } from './types.js';

export interface RuleSelection {
  only?: readonly string[];
  exclude?: readonly string[];
  severity?: Readonly<Record<string, Severity>>;
}

export interface SelectedRules {
  rules: Rule[];
  /** Ids named in only/exclude/severity that no loaded rule has: almost always a typo. */
  unknownIds: string[];
}

/** Applies only/exclude lists and severity overrides; never mutates the loaded rules. */
export function selectRules(rules: readonly Rule[], selection: RuleSelection): SelectedRules {
  const known = new Set(rules.map((r) => r.id));
  const named = [...(selection.only ?? []), ...(selection.exclude ?? []), ...Object.keys(selection.severity ?? {})];
  const unknownIds = [...new Set(named.filter((id) => !known.has(id)))];
  const only = selection.only && selection.only.length > 0 ? new Set(selection.only) : undefined;
  const exclude = new Set(selection.exclude ?? []);
  const selected = rules
    .filter((r) => (only ? only.has(r.id) : true) && !exclude.has(r.id))
    .map((r) => {
      const override = selection.severity?.[r.id];
      return override && override !== r.severity ? { ...r, severity: override } : r;
    });
  return { rules: selected, unknownIds };
}
