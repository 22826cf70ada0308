/**
 * Every message of the CLI goes through one Output, so tests record and assert on what a command
 * printed instead of capturing the process streams.
 */
export interface Output {
  /** Progress and results, on standard output. */
  info(message: string): void;
  /** Problems, on standard error. */
  error(message: string): void;
  /** A machine-readable result, printed as one JSON document on standard output. */
  json(value: unknown): void;
}

/** Writes to the process streams. */
export const consoleOutput: Output = {
  info: (message) => {
    process.stdout.write(`${message}\n`);
  },
  error: (message) => {
    process.stderr.write(`${message}\n`);
  },
  json: (value) => {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  },
};

/** Keeps every message in memory: for tests and for embedding a command in another. */
/** One line an output was given, and the stream it went to. */
export interface RecordedLine {
  readonly stream: 'out' | 'err';
  readonly text: string;
}

/** Writes recorded lines to `out`, each to its own stream, in order (a phase's held output, printed whole). */
export function replayLines(lines: readonly RecordedLine[], out: Output): void {
  for (const line of lines) {
    if (line.stream === 'err') out.error(line.text);
    else out.info(line.text);
  }
}

export class RecordingOutput implements Output {
  readonly lines: RecordedLine[] = [];

  info(message: string): void {
    this.lines.push({ stream: 'out', text: message });
  }

  error(message: string): void {
    this.lines.push({ stream: 'err', text: message });
  }

  json(value: unknown): void {
    this.lines.push({ stream: 'out', text: JSON.stringify(value, null, 2) });
  }

  /** Everything written to standard output, joined by newlines. */
  get stdout(): string {
    return this.lines.filter((line) => line.stream === 'out').map((line) => line.text).join('\n');
  }

  /** Everything written to standard error, joined by newlines. */
  get stderr(): string {
    return this.lines.filter((line) => line.stream === 'err').map((line) => line.text).join('\n');
  }
}
