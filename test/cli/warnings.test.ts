/**
 * Node.js warnings on the command line: the AWS SDK's nine-line NodeVersionSupportWarning (emitted on Node.js < 22 when
 * the first SDK client is made) becomes one line, once; every other warning is printed by Node as before.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDirs, requireBuiltCli, run } from './helpers.js';

const nodeMajor = Number(process.versions.node.split('.')[0]);
const SDK_LINE = /^warning: the AWS SDK for JavaScript needs Node\.js >=\d+ in versions published after .+; this is Node\.js v[\d.]+$/;

let tmp: string;
beforeAll(() => {
  requireBuiltCli();
  tmp = makeTempDir('trailguard-warnings-');
});
afterAll(removeTempDirs);

describe('the AWS SDK Node.js version warning', () => {
  it('a command that makes SDK clients (audit, against an endpoint that refuses): at most one line, and exactly one on Node.js < 22', () => {
    const r = run(['audit', '--region', 'us-east-1'], {
      env: {
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        AWS_SESSION_TOKEN: '',
        AWS_PROFILE: '',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
        AWS_MAX_ATTEMPTS: '1',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: '',
      },
    });
    expect(r.status).not.toBe(70);
    expect(r.stderr).not.toContain('NodeVersionSupportWarning');
    expect(r.stderr).not.toContain('(node:');
    const sdkLines = r.stderr.split('\n').filter((l) => l.includes('AWS SDK for JavaScript'));
    if (nodeMajor < 22) {
      expect(sdkLines).toHaveLength(1);
      expect(sdkLines[0]).toMatch(SDK_LINE);
    } else {
      expect(sdkLines).toEqual([]);
    }
  });

  it('the same warning emitted twice (two copies of the SDK) is one line; any other warning is printed by Node as before', () => {
    const emit = join(tmp, 'emit-warnings.mjs');
    const sdkText = [
      'NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)',
      'versions published after the first week of January 2027',
      'will require node >=22. You are running node v20.20.2.',
      '',
      'To continue receiving updates to AWS services, bug fixes,',
      'and security updates please upgrade to node >=22.',
      '',
      'More information can be found at: https://a.co/c895JFp',
    ].join('\n');
    // Once the CLI has replaced Node's own listener with its own: the SDK's warning twice, and one of another kind.
    writeFileSync(
      emit,
      [
        "const nodeListener = process.listeners('warning')[0];",
        'let tries = 0;',
        'const timer = setInterval(() => {',
        "  if (process.listeners('warning').includes(nodeListener) && ++tries < 400) return;",
        '  clearInterval(timer);',
        `  process.emitWarning(${JSON.stringify(sdkText)});`,
        `  process.emitWarning(${JSON.stringify(sdkText)});`,
        "  process.emitWarning('something else entirely', 'CustomWarning');",
        '}, 5);',
        '',
      ].join('\n'),
    );
    const r = run(['--version'], { env: { NODE_OPTIONS: `--import=${pathToFileURL(emit).href}` } });
    expect(r.status).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => l.includes('AWS SDK'))).toEqual([`warning: the AWS SDK for JavaScript needs Node.js >=22 in versions published after the first week of January 2027; this is Node.js ${process.version}`]);
    expect(r.stderr).toMatch(/^\(node:\d+\) CustomWarning: something else entirely$/m);
    expect(r.stderr).not.toContain('To continue receiving updates');
  });
});
