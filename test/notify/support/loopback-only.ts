/**
 * Import first in every notify/store test file: any TCP connection to something other than the
 * loopback interface throws (and is recorded), so a test can never reach Slack, PagerDuty, AWS or
 * an instance metadata endpoint — and can assert that nothing tried. Connection attempts are checked
 * before DNS, so no lookup leaves the machine either.
 */
import net from 'node:net';

export const blockedConnections: string[] = [];
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '::ffff:127.0.0.1']);
const original = net.Socket.prototype.connect;

function target(args: unknown[]): { host?: string; port?: unknown; path?: string } {
  let first = args[0];
  // Node passes already-normalised [options, callback] arrays internally.
  if (Array.isArray(first)) first = first[0];
  if (typeof first === 'string') return { path: first };
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) return { host: typeof args[1] === 'string' ? args[1] : undefined, port: first };
  if (first && typeof first === 'object') {
    const o = first as { host?: string; port?: unknown; path?: string };
    return { host: o.host, port: o.port, path: o.path };
  }
  return {};
}

net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const t = target(args);
  if (t.path === undefined && t.host !== undefined && !LOOPBACK.has(t.host)) {
    const where = `${t.host}:${String(t.port)}`;
    blockedConnections.push(where);
    throw new Error(`test network guard: connection to ${where} refused (tests may only talk to 127.0.0.1)`);
  }
  return (original as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect;
