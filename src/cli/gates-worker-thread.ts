/**
 * The gates' worker thread (started by gates-worker.ts): runs the gates phase of `npm start` over the
 * cloud assembly in `workerData.cwd` and posts its exit code and lines back. A module of its own, so
 * main-job.ts can import the launcher without an import cycle through this thread's entry point.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { GatesOutcome } from './gates-worker.js';
import { runGatesPhase } from './main-job.js';
import { RecordingOutput } from './output.js';

const cwd = (workerData as { cwd?: unknown } | undefined)?.cwd;
if (parentPort === null || typeof cwd !== 'string') throw new Error('gates-worker-thread.ts runs only as the worker thread that gates-worker.ts starts.');
const recorded = new RecordingOutput();
const code = await runGatesPhase({ cwd, out: recorded, now: () => Date.now() }, recorded);
parentPort.postMessage({ code, lines: recorded.lines } satisfies GatesOutcome);
