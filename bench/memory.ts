/**
 * (c) Peak RSS of the built CLI scanning >= 1 GB of CloudTrail JSON, in a child process, next to a child that only
 * reads + gunzips + JSON.parses the same files and to an empty `node -e ''`.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT, type GeneratedTree } from './data.js';
import { interleave } from './harness.js';
import { goalLine, table, verdict, type GoalResult } from './report.js';
import { mapSummary, ms, num, sig, spread, summarize } from './stats.js';

export const RSS_GOAL_MB = 300;
export const CLI = path.join(REPO_ROOT, 'dist/cli/main.js');
const PARSE_ONLY = path.join(REPO_ROOT, 'bench/children/parse-only.mjs');
const GNU_TIME = '/usr/bin/time';
/** Fallback when GNU time is absent: the child reports its own peak RSS (KiB) on exit. */
const RSS_PRELOAD = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\nTRAILGUARD_BENCH_MAXRSS '+process.resourceUsage().maxRSS+'\\n'))`;

interface ChildRun {
  /** Peak resident set size, bytes. */
  rss: number;
  ms: number;
}

async function runChild(args: readonly string[]): Promise<ChildRun> {
  const useTime = existsSync(GNU_TIME);
  const dir = await mkdtemp(path.join(tmpdir(), 'trailguard-bench-rss-'));
  const timeFile = path.join(dir, 'time');
  const [cmd, argv] = useTime ? [GNU_TIME, ['-f', '%M', '-o', timeFile, process.execPath, ...args]] : [process.execPath, ['--import', RSS_PRELOAD, ...args]];
  const started = performance.now();
  try {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < 1 << 16) stderr += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stderr }));
    });
    const elapsed = performance.now() - started;
    const text = useTime ? await readFile(timeFile, 'utf8') : (/TRAILGUARD_BENCH_MAXRSS (\d+)/.exec(stderr)?.[1] ?? '');
    const kib = Number.parseInt(text.trim().split('\n').pop() ?? '', 10);
    if (code !== 0 || !Number.isFinite(kib)) throw new Error(`${args.join(' ')} exited with ${code}: ${stderr.trim().slice(0, 2000)}`);
    return { rss: kib * 1024, ms: elapsed };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Why the built CLI cannot be measured, or a warning that it is older than src/; undefined when all is well. */
export function cliProblem(): { skip?: string; warn?: string } {
  if (!existsSync(CLI)) return { skip: `${path.relative(REPO_ROOT, CLI)} not found: run npm run build` };
  if (newestMtime(path.join(REPO_ROOT, 'src')) > statSync(CLI).mtimeMs) return { warn: 'dist/ is older than src/: the CLI measured may not be the current code (npm run build)' };
  return {};
}

export interface MemoryResult {
  text: string;
  goal: GoalResult;
}

const mbOf = (bytes: number): string => num(bytes / 1e6, 1);

export async function measureMemory(tree: GeneratedTree, rounds: number, log: (line: string) => void): Promise<MemoryResult> {
  const results = await interleave<ChildRun>(
    [
      { name: 'trailguard scan (CLI)', run: () => runChild([CLI, 'scan', tree.scanDir, '--format', 'jsonl', '-o', '/dev/null', '-q', '--no-progress']) },
      { name: 'read+gunzip+parse child', run: () => runChild([PARSE_ONLY, tree.scanDir]) },
      { name: "node -e ''", run: () => runChild(['-e', '']) },
    ],
    {
      rounds,
      warmup: 0,
      log: (line) => log(`[c] ${line}`),
      describe: (r) => `${mbOf((r as ChildRun).rss)} MB peak RSS, ${ms((r as ChildRun).ms)}`,
    },
  );
  const rows = [...results].map(([name, runs]) => {
    const rss = summarize(runs.map((r) => r.rss));
    const time = summarize(runs.map((r) => r.ms));
    const perSecond = name.startsWith('node -e') ? '—' : spread(mapSummary(time, (v) => tree.records / (v / 1000)), (v) => num(v));
    return [name, spread(rss, mbOf), spread(time, ms), perSecond];
  });
  const cliRss = summarize(results.get('trailguard scan (CLI)')!.map((r) => r.rss));
  const goal: GoalResult = {
    measurement: `peak RSS, CLI scan of ${num(tree.rawBytes / 1e9, 2)} GB JSON`,
    figure: `${spread(cliRss, mbOf)} MB`,
    goal: `<= ${RSS_GOAL_MB} MB`,
    verdict: verdict(cliRss.median <= RSS_GOAL_MB * 1e6),
  };
  const text = [
    `${tree.label}: ${num(tree.files.length)} files, ${num(tree.records)} records, ${mbOf(tree.storedBytes)} MB stored, ${mbOf(tree.rawBytes)} MB JSON; ${rounds} rounds interleaved; peak RSS via ${existsSync(GNU_TIME) ? '/usr/bin/time -f %M' : 'process.resourceUsage().maxRSS'} (1 MB = 10^6 bytes)`,
    table(['child', 'peak RSS MB', 'wall time', 'records/s'], rows, [1, 2, 3]),
    `CLI: ${sig(tree.rawBytes / 1e6 / (summarize(results.get('trailguard scan (CLI)')!.map((r) => r.ms)).median / 1000))} MB/s of JSON (median)`,
    goalLine(goal),
  ].join('\n');
  return { text, goal };
}
