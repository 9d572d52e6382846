/**
 * The real handlers (src/lambda/<name>.ts, the default entries) bundled by the CDK app: each bundle carries the
 * deployment document in place of process.env.TRAILGUARD_DEPLOYMENT. Skipped while a handler file does not exist.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTrailguardApp } from '../../src/infra/app.js';
import { defaultHandlerEntry } from '../../src/infra/handler-entry.js';
import { LAMBDA_HANDLERS } from '../../src/lambda/environment.js';
import { ACCOUNT, builtinRules } from './support.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

process.env.CDK_VALIDATION = 'false';

const present = LAMBDA_HANDLERS.every((name) => existsSync(defaultHandlerEntry(name)));

describe.skipIf(!present)('the real handlers, bundled', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'trailguard-handlers-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('default entries are src/lambda/<name>.ts from source; every bundle embeds the document', () => {
    for (const name of LAMBDA_HANDLERS) expect(defaultHandlerEntry(name)).toMatch(new RegExp(`src[\\\\/]lambda[\\\\/]${name}\\.ts$`));
    const app = new App({ outdir, context: { '@aws-cdk/core:appMode': 'inmemory' } });
    buildTrailguardApp({ config: { deploy: { region: 'eu-west-1', account: ACCOUNT, backfill: { bucket: 'trail-bucket' } } }, rules: builtinRules(), app, nag: false, env: {} });
    app.synth();
    const bundles = readdirSync(outdir).filter((f) => f.startsWith('asset.') && existsSync(path.join(outdir, f, 'index.mjs')));
    expect(bundles).toHaveLength(LAMBDA_HANDLERS.length);
    for (const dir of bundles) {
      const code = readFileSync(path.join(outdir, dir, 'index.mjs'), 'utf8');
      expect(code.includes('process.env.TRAILGUARD_DEPLOYMENT'), dir).toBe(false);
      // esbuild writes the string literal as a template literal or a quoted string: either way the document is there.
      expect(/\{\\?"version\\?":1,\\?"name\\?":\\?"trailguard\\?"/.test(code), dir).toBe(true);
    }
  });
});
