import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';

function thrown(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

function write(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tg-config-'));
  const file = path.join(dir, 'trailguard.config.yaml');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('uses defaults when no file exists', () => {
    expect(loadConfig(undefined, mkdtempSync(path.join(tmpdir(), 'tg-empty-')))).toEqual({ config: {} });
  });

  it('finds trailguard.config.yaml in the working directory and resolves rule paths against it', () => {
    const file = write('rules:\n  paths: [./my-rules]\n  exclude: [unauthorized-api-calls]\nscan:\n  failOn: high\n');
    const { config, file: found } = loadConfig(undefined, path.dirname(file));
    expect(found).toBe(file);
    expect(config.rules?.paths).toEqual([path.join(path.dirname(file), 'my-rules')]);
    expect(config.scan?.failOn).toBe('high');
  });

  it('accepts an empty file', () => {
    expect(loadConfig(write('# nothing yet\n')).config).toEqual({});
  });

  it.each([
    ['scan:\n  failOn: severe\n', /trailguard\.config\.yaml:2:11: scan\.failOn: Invalid option: expected one of "info"\|"low"\|"medium"\|"high"\|"critical"/],
    ['rules:\n  exlude: [x]\n', /:2:3: rules: unknown key "exlude"/],
    ['rules:\n  only: [Not_An_Id]\n', /:2:10: rules\.only\[0\]: must be a rule id/],
    ['scan: [1, 2\n', /invalid YAML/],
    ['notifications: {}\n', /:1:16: notifications\.channels: is required/],
    ['nonsense: {}\n', /unknown key "nonsense"/],
  ])('reports %j with file, line, column and key', (text, message) => {
    expect(() => loadConfig(write(text))).toThrow(ConfigError);
    expect(() => loadConfig(write(text))).toThrow(message);
  });

  it('points at the unknown key itself, not at the mapping it is in, and suggests the closest known key', () => {
    const error = thrown(() => loadConfig(write('rules:\n  builtin: true\n  exlude: [x]\n')));
    expect(error.message).toMatch(/trailguard\.config\.yaml:3:3: rules: unknown key "exlude" \(did you mean "exclude"\?\)$/);
    expect(error.problems).toEqual([expect.objectContaining({ key: 'rules', line: 3, column: 3, message: 'unknown key "exlude" (did you mean "exclude"?)' })]);
    // Nothing close: no suggestion.
    expect(thrown(() => loadConfig(write('rules:\n  builtin: true\n  colour: red\n'))).message).toMatch(/:3:3: rules: unknown key "colour"$/);
    // In a section made of a union of shapes (notification channels), the keys of the shape being written.
    expect(thrown(() => loadConfig(write('notifications:\n  channels:\n    x: { type: slack, webhookUrl: "https://hooks.slack.com/services/T/B/x", usrname: bot }\n'))).message).toMatch(
      /:3:77: notifications\.channels\.x: unknown key "usrname" \(did you mean "username"\?\)$/,
    );
  });

  it('reports every problem of the file at once, each with its location, in file order', () => {
    const file = write('rules:\n  exlude: [x]\n  only: [Not_An_Id]\nscan:\n  failOn: severe\n  formt: json\n');
    const error = thrown(() => loadConfig(file));
    expect(error.problems.map((p) => `${p.line}:${p.column} ${p.key}`)).toEqual(['2:3 rules', '3:10 rules.only[0]', '5:11 scan.failOn', '6:3 scan']);
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(4);
    for (const line of lines) expect(line.startsWith(`${file}:`)).toBe(true);
    expect(lines[3]).toBe(`${file}:6:3: scan: unknown key "formt" (did you mean "format"?)`);
  });

  it('audit.failOn takes any case, like --fail-on', () => {
    expect(loadConfig(write('audit:\n  failOn: [fail, Error]\n')).config.audit?.failOn).toEqual(['FAIL', 'ERROR']);
  });

  it('reports a named file that does not exist', () => {
    expect(() => loadConfig('/nonexistent/trailguard.config.yaml')).toThrow(/cannot read config/);
  });
});
