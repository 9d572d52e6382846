import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { runRuleTestSuite } from '../rules/test-runner.js';
import { didYouMean } from '../util/suggest.js';
import type { Rule } from '../rules/types.js';
import { loadConfig } from '../config/load.js';
import { resolveRuleSet, type RuleSetOptions } from './rule-set.js';
import { stderrReporter } from './reporter.js';
import { UsageError } from './usage-error.js';
import { collectValues } from './options.js';

interface CommonOptions extends RuleSetOptions {
  config?: string;
}

function ruleSetOptions(command: Command): Command {
  return command
    .option('--rules <path>', 'extra rule file or directory, repeatable (a rule with a built-in id overrides it)', collectValues)
    .option('--no-builtin', 'leave out the built-in catalog')
    .option('-c, --config <file>', 'config file (default: ./trailguard.config.yaml if present)');
}

function load(options: CommonOptions & { builtin?: boolean }, checkEventNames = false) {
  const reporter = stderrReporter();
  const { config, file } = loadConfig(options.config);
  const { rules, loaded } = resolveRuleSet({ ...options, noBuiltin: options.builtin === false, checkEventNames, ...(file ? { configFile: file } : {}) }, config, reporter);
  return { rules, loaded, reporter };
}

function complianceIds(rule: Rule): string {
  const cis = rule.compliance?.['cis-aws-foundations'];
  const parts = [];
  if (cis) {
    const latest = Object.keys(cis).sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).at(-1);
    if (latest) parts.push(`CIS ${latest} ${cis[latest]!.join(',')}`);
  }
  if (rule.compliance?.['aws-security-hub']) parts.push(rule.compliance['aws-security-hub'].join(','));
  return parts.join('; ');
}

export function rulesCommand(): Command {
  const rules = new Command('rules').description('list, show and test detection rules');

  ruleSetOptions(rules.command('list').description('list the rules that would run'))
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((options: CommonOptions & { format: string; builtin?: boolean }) => {
      const { rules: list } = load(options);
      if (options.format === 'json') {
        const out = list.map((r) => ({ id: r.id, title: r.title, severity: r.severity, tags: r.tags ?? [], compliance: r.compliance ?? {}, attack: r.attack ?? [], origin: r.origin, file: r.file }));
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      const rows = [...list].sort((a, b) => a.id.localeCompare(b.id)).map((r) => [r.id, r.severity, r.title, complianceIds(r)]);
      const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length), ['ID', 'SEVERITY', 'TITLE'][i]!.length));
      const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join('  ').trimEnd();
      process.stdout.write(`${[line(['ID', 'SEVERITY', 'TITLE', 'COMPLIANCE']), ...rows.map(line)].join('\n')}\n${list.length} rules\n`);
    });

  ruleSetOptions(rules.command('show').description('show one rule as written in its file').argument('<id>', 'rule id'))
    .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .action((id: string, options: CommonOptions & { format: string; builtin?: boolean }) => {
      const { rules: list } = load(options);
      const rule = list.find((r) => r.id === id);
      if (!rule) {
        const suggestion = didYouMean(id, list.map((r) => r.id), { quote: false });
        throw new UsageError(`no rule ${id}${suggestion || ' (trailguard rules list shows the ids)'}`);
      }
      if (options.format === 'json') {
        const { pattern: _p, compiledChecks: _c, templates: _t, ...definition } = rule;
        process.stdout.write(`${JSON.stringify(definition, null, 2)}\n`);
      } else {
        process.stdout.write(`# ${rule.file}\n${readFileSync(rule.file, 'utf8')}`);
      }
    });

  ruleSetOptions(rules.command('test').description("run every rule's own must-match and must-not-match events").argument('[ids...]', 'only these rules'))
    .option('-v, --verbose', 'list passing cases too')
    .option('--strict', 'a rule without an event that must match or without a near-miss fails (user rules may omit their tests otherwise)')
    .action((ids: string[], options: CommonOptions & { verbose?: boolean; strict?: boolean; builtin?: boolean }) => {
      const { rules: list, loaded, reporter } = load({ ...options, ...(ids.length ? { only: ids, onlyFrom: '' } : {}) }, true);
      const { results, ruleErrors } = runRuleTestSuite(list, { strict: options.strict === true });
      const failed = results.filter((r) => !r.passed);
      for (const result of results) {
        if (result.passed && !options.verbose) continue;
        const mark = result.passed ? 'ok  ' : 'FAIL';
        process.stdout.write(`${mark} ${result.ruleId} ${result.kind} "${result.name}"${result.problem ? `: ${result.problem}` : ''}\n`);
      }
      for (const e of ruleErrors) {
        process.stdout.write(`ERROR ${e.ruleId} threw on ${e.testOf.ruleId} ${e.testOf.kind} "${e.testOf.name}": ${e.message}\n`);
      }
      const problems = loaded.errors.length + loaded.warnings.length;
      const errorsText = ruleErrors.length ? `, ${ruleErrors.length} rule error${ruleErrors.length === 1 ? '' : 's'}` : '';
      process.stdout.write(
        `${list.length} rules, ${results.length - failed.length} passed, ${failed.length} failed${errorsText}${problems ? `, ${loaded.errors.length} load errors, ${loaded.warnings.length} warnings` : ''}\n`,
      );
      if (failed.length > 0 || ruleErrors.length > 0 || loaded.errors.length > 0 || reporter.counts().errors > 0) process.exitCode = 1;
    });

  return rules;
}
