/** Running contenders in interleaved rounds, with a full GC before each run so one run's garbage is not billed to the next. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gcFn: (() => void) | undefined;

/** A full garbage collection (the flag is set at run time, so `npm run bench` needs no node options). */
export function fullGc(): void {
  if (gcFn === undefined) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
}

export interface Contender<T> {
  name: string;
  run(): Promise<T> | T;
}

export interface InterleaveOptions {
  rounds: number;
  /** Untimed runs of each contender first (JIT, page cache). Default 1. */
  warmup?: number;
  /** One line per run, e.g. on stderr; default none. */
  log?: (line: string) => void;
  /** Describes a run's result for the log. */
  describe?: (result: unknown) => string;
}

/**
 * Runs every contender `rounds` times, interleaved: round r runs them in the list order rotated by r, so each one
 * goes first equally often and slow drifts of the machine hit all of them alike. Returns each contender's results
 * in round order (index i of two lists = the same round).
 */
export async function interleave<T>(contenders: readonly Contender<T>[], options: InterleaveOptions): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>(contenders.map((c) => [c.name, []]));
  const log = options.log ?? (() => {});
  const describe = options.describe ?? (() => '');
  for (let w = 0; w < (options.warmup ?? 1); w++) {
    for (const c of contenders) {
      fullGc();
      const r = await c.run();
      log(`warm-up  ${c.name} ${describe(r)}`);
    }
  }
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + round) % contenders.length]!;
      fullGc();
      const r = await c.run();
      results.get(c.name)!.push(r);
      log(`round ${round + 1}/${options.rounds} ${c.name} ${describe(r)}`);
    }
  }
  return results;
}

/** Wall time of one call, in milliseconds. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}
