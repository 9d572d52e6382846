import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';

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

  it('reports a named file that does not exist', () => {
    expect(() => loadConfig('/nonexistent/trailguard.config.yaml')).toThrow(/cannot read config/);
  });
});
