/**
 * kill -9 in the middle of a delivery, then a restart on the same store: what was pending and what
 * was in flight is delivered; the receiver, de-duplicating on webhook-id, sees every finding (and
 * every remediation decision) once.
 */
import './support/loopback-only.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { startServer, type RecordedRequest } from './support/http-server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WORKER = fileURLToPath(new URL('./support/outbox-worker.ts', import.meta.url));
const REMEDIATION_WORKER = fileURLToPath(new URL('./support/remediation-worker.ts', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'tg-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function worker(storePath: string, url: string, count: number, script = WORKER): { child: ChildProcess; output: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, storePath, url, String(count)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const output = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, output };
}

describe('crash recovery', () => {
  it('a SIGKILLed sender resumes its outbox after a restart; nothing lost, nothing seen twice', async () => {
    const N = 20;
    const storePath = path.join(dir, 'trailguard.db');
    let killAt: (() => void) | undefined;
    const killed = new Promise<void>((resolve) => (killAt = resolve));
    let phase: 'first' | 'second' = 'first';
    const server = await startServer((_req: RecordedRequest, index: number) => {
      // Before the crash: answer slowly; the 7th request is never answered — the process dies while it is in flight.
      if (phase === 'first') {
        if (index === 6) {
          killAt!();
          return { hang: true };
        }
        return { status: 200, delayMs: 60 };
      }
      return { status: 200 };
    });
    try {
      const first = worker(storePath, `${server.url}/hook`, N);
      await killed;
      first.child.kill('SIGKILL');
      const ended = await first.output;
      expect(ended.signal).toBe('SIGKILL');

      // The dead process left work behind: claimed rows and pending ones.
      const after = openSqliteStore(storePath);
      const states = Object.fromEntries((await after.outbox.counts()).map((c) => [c.state, c.count]));
      await after.close();
      expect(states.sending).toBeGreaterThanOrEqual(1);
      expect(states.delivered ?? 0).toBeLessThan(N);

      phase = 'second';
      const second = worker(storePath, `${server.url}/hook`, N); // enqueueing the same findings again is a no-op
      const done = await second.output;
      expect(done.code, done.stderr).toBe(0);
      expect(done.stderr).toMatch(/recovered \d+ notification\(s\) left in flight by a process that stopped/);

      const final = openSqliteStore(storePath);
      expect((await final.outbox.counts()).map((c) => [c.state, c.count])).toEqual([['delivered', N]]);
      await final.close();

      // The receiver's view: every finding under exactly one webhook-id; a re-sent id carries the same finding.
      const byId = new Map<string, string>();
      for (const r of server.requests) {
        const id = r.headers['webhook-id'] as string;
        const finding = (r.json as { data: { findings: { id: string }[] } }).data.findings[0]!.id;
        if (byId.has(id)) expect(byId.get(id)).toBe(finding);
        byId.set(id, finding);
      }
      expect(byId.size).toBe(N);
      expect(new Set(byId.values()).size).toBe(N);
      expect(server.requests.length).toBeGreaterThan(N); // the in-flight ones were sent again (same id)
    } finally {
      await server.close();
    }
  }, 60_000);

  it('remediation notices too: decided and logged before the crash, each delivered once after the restart', async () => {
    const N = 12;
    const storePath = path.join(dir, 'remediation.db');
    let killAt: (() => void) | undefined;
    const killed = new Promise<void>((resolve) => (killAt = resolve));
    let phase: 'first' | 'second' = 'first';
    const server = await startServer((_req: RecordedRequest, index: number) => {
      if (phase === 'first') {
        if (index === 4) {
          killAt!();
          return { hang: true };
        }
        return { status: 200, delayMs: 60 };
      }
      return { status: 200 };
    });
    try {
      const first = worker(storePath, `${server.url}/hook`, N, REMEDIATION_WORKER);
      await killed;
      first.child.kill('SIGKILL');
      expect((await first.output).signal).toBe('SIGKILL');

      phase = 'second';
      const done = await worker(storePath, `${server.url}/hook`, 0, REMEDIATION_WORKER).output;
      expect(done.code, done.stderr).toBe(0);
      expect(done.stderr).toMatch(/recovered \d+ notification\(s\) left in flight by a process that stopped/);

      const final = openSqliteStore(storePath);
      const logged = await final.remediation.listDecisions({ status: 'dry-run' });
      expect(logged).toHaveLength(N);
      expect((await final.remediation.listDecisions()).map((d) => d.status)).toEqual(Array.from({ length: N }, () => 'dry-run'));
      expect((await final.outbox.counts()).map((c) => [c.state, c.count])).toEqual([['delivered', N]]);
      await final.close();

      const byId = new Map<string, string>();
      for (const r of server.requests) {
        const id = r.headers['webhook-id'] as string;
        const data = (r.json as { type: string; data: { title: string; remediation: { id: string } } }).data;
        expect((r.json as { type: string }).type).toBe('trailguard.remediation');
        expect(data.title).toMatch(/^DRY-RUN: would start logging on trail /);
        if (byId.has(id)) expect(byId.get(id)).toBe(data.remediation.id);
        byId.set(id, data.remediation.id);
      }
      expect(byId.size).toBe(N);
      expect([...byId.values()].sort()).toEqual(logged.map((l) => l.id).sort());
      expect(server.requests.length).toBeGreaterThan(N);
    } finally {
      await server.close();
    }
  }, 60_000);
});
