/**
 * Opt-in record of the CPU each test file costs in a full run (docs/fast-feedback.md, "CPU per
 * file"): `KIRO_FILE_CPU=reports/file-cpu.jsonl npx vitest run` appends one JSON line per file. The
 * junit report's file times include waiting (for the shared synthesis, the emulator, a child process),
 * and timing a file alone charges it with what a full run shares (the emulators' start, the workers'
 * imports of aws-cdk-lib and the AWS SDK); this reads the worker's own CPU and that of the processes
 * it started and waited for, from the file's set-up to its last hook. Not counted: the processes of
 * the main Vitest process (the emulators), and a file's imports that an earlier file of the same
 * worker already loaded (`isolate: false`), which is what the full run pays. What a worker builds once
 * per run for every file (the shared product synthesis, the cross-region app, the CLI bundle:
 * once-per-run.ts) is counted in the file that asked first.
 *
 * Without the variable it does nothing. Run as a set-up file, before each test file's own imports.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { afterAll, expect } from 'vitest';
import { servedCfnLintCpuSeconds } from './cfn-lint-server-process.js';

/**
 * The kernel's clock tick for the times in /proc/<pid>/stat: USER_HZ, 100 on Linux whatever the
 * kernel's own HZ (proc(5): "measured in clock ticks (divide by sysconf(_SC_CLK_TCK))"; glibc returns 100).
 */
const TICKS_PER_SECOND = 100;

/** CPU seconds of the children a process waited for, from the text of its /proc/<pid>/stat. */
export function waitedChildrenCpuSeconds(stat: string): number {
  // Fields after the command name, which is in parentheses and may itself hold spaces or ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).trim().split(/\s+/);
  // proc(5) numbers the fields from 1 (pid) and 2 (comm): cutime is field 16, cstime 17; fields[0] is field 3.
  const [cutime, cstime] = [Number(fields[13]), Number(fields[14])];
  if (!Number.isFinite(cutime) || !Number.isFinite(cstime)) throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  return (cutime + cstime) / TICKS_PER_SECOND;
}

/** One file's line. */
export interface FileCpu {
  /** Relative to the project root. */
  readonly file: string;
  /** CPU seconds of the worker process itself (user + system). */
  readonly workerCpuS: number;
  /** CPU seconds of the processes the worker started and waited for (kiro-cd, tsx, cdk, git, …). */
  readonly childrenCpuS: number;
  readonly wallS: number;
}

const output = process.env.KIRO_FILE_CPU;
if (output !== undefined && output !== '') {
  // The runs the cfn-lint server forked for this worker are its children, not the worker's: counted as the worker's (cfn-lint-server.ts).
  const children = (): number => waitedChildrenCpuSeconds(readFileSync('/proc/self/stat', 'utf8')) + servedCfnLintCpuSeconds();
  const self = process.cpuUsage();
  const childrenAtStart = children();
  const startedAt = performance.now();
  afterAll(() => {
    const own = process.cpuUsage(self);
    const line: FileCpu = {
      file: relative(process.cwd(), expect.getState().testPath ?? '(unknown)'),
      workerCpuS: Number(((own.user + own.system) / 1e6).toFixed(2)),
      childrenCpuS: Number((children() - childrenAtStart).toFixed(2)),
      wallS: Number(((performance.now() - startedAt) / 1000).toFixed(2)),
    };
    appendFileSync(output, `${JSON.stringify(line)}\n`);
  });
}
