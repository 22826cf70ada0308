/**
 * Peak resident memory of a process and all its descendants, sampled from Linux's /proc. `npm test`
 * and `npm start` are trees (npm → tsx/vitest → workers, moto_server, cfn-lint, cfn-guard), and a
 * child's own `maxRSS` (getrusage) would report only its largest single process, so the bench sums the
 * resident set of the whole tree every {@link SAMPLE_INTERVAL_MS} and keeps the largest sum. A peak
 * shorter than the interval can be missed; the figure is a lower bound of the true peak.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** How often the tree is sampled. */
export const SAMPLE_INTERVAL_MS = 200;

interface ProcessEntry {
  readonly pid: number;
  readonly parent: number;
  readonly rssKiB: number;
}

function readEntry(pid: number): ProcessEntry | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const parent = /^PPid:\s+(\d+)/m.exec(status)?.[1];
    // Kernel threads and zombies have no VmRSS line: they hold no user memory.
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return parent === undefined ? undefined : { pid, parent: Number(parent), rssKiB: rss === undefined ? 0 : Number(rss) };
  } catch {
    return undefined; // the process ended between readdir and read
  }
}

/** Resident memory of `root` and every descendant now, in KiB. */
export function treeRssKiB(root: number): number {
  const entries = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readEntry(Number(name)))
    .filter((entry): entry is ProcessEntry => entry !== undefined);
  const children = new Map<number, ProcessEntry[]>();
  for (const entry of entries) children.set(entry.parent, [...(children.get(entry.parent) ?? []), entry]);
  let total = entries.find((entry) => entry.pid === root)?.rssKiB ?? 0;
  const queue = [...(children.get(root) ?? [])];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    total += next.rssKiB;
    queue.push(...(children.get(next.pid) ?? []));
  }
  return total;
}

/** A running sampler: `stop` ends it and gives the peak in MiB, or undefined without /proc (not Linux). */
export interface MemorySampler {
  stop(): number | undefined;
}

/** Starts sampling the tree under `root`. */
export function sampleTreeMemory(root: number): MemorySampler {
  if (!existsSync('/proc/self/status')) return { stop: () => undefined };
  let peakKiB = 0;
  const sample = (): void => {
    peakKiB = Math.max(peakKiB, treeRssKiB(root));
  };
  sample();
  const timer = setInterval(sample, SAMPLE_INTERVAL_MS);
  return {
    stop: () => {
      clearInterval(timer);
      return peakKiB / 1024;
    },
  };
}
