/**
 * `npm start -- --keep-emulator`: what the kept emulator holds, and stopping it with the main job.
 * The emulator is a child process (python3 running moto); without these handlers a `kill` of the
 * main job (SIGTERM, or a closed terminal's SIGHUP) left moto running with no owner.
 */

/** What an operator needs to point `kiro-cd` at the kept emulator. */
export interface KeptEmulator {
  readonly endpoint: string;
  /** The emulator's process id, when known. */
  readonly emulatorPid?: number;
  /** The process that owns it (the main job): stopping this stops the emulator. */
  readonly ownerPid: number;
  readonly historyTable: string;
  readonly ledgerTable: string;
  readonly teamTopicArn: string;
  readonly environmentTopicArns: Readonly<Record<string, string | undefined>>;
}

/** The banner printed when the emulator is kept: where it is, its tables and topics, and how to stop it. */
export function keptEmulatorBanner(kept: KeptEmulator): string[] {
  const topics = Object.entries(kept.environmentTopicArns).flatMap(([environment, arn]) => (arn === undefined ? [] : [`  ${`${environment} topic`.padEnd(18)} ${arn}`]));
  return [
    '',
    `The emulator keeps running at ${kept.endpoint}${kept.emulatorPid === undefined ? '' : ` (moto PID ${kept.emulatorPid})`}: one endpoint, CodePipeline answered by the local CodePipeline, every other service by moto.`,
    `  ${'history table'.padEnd(18)} ${kept.historyTable}`,
    `  ${'ledger table'.padEnd(18)} ${kept.ledgerTable}`,
    `  ${'team topic'.padEnd(18)} ${kept.teamTopicArn}`,
    ...topics,
    'Read the history back with:',
    `  AWS_ACCESS_KEY_ID=rehearsal AWS_SECRET_ACCESS_KEY=rehearsal npx kiro-cd history --endpoint-url ${kept.endpoint} --history-table ${kept.historyTable}`,
    `  AWS_ACCESS_KEY_ID=rehearsal AWS_SECRET_ACCESS_KEY=rehearsal npx kiro-cd status --endpoint-url ${kept.endpoint} --history-table ${kept.historyTable}`,
    `  (rollback, dora and the CodePipeline API work too; docs/cli.md, "Works locally / needs AWS").`,
    `Stop it with Ctrl-C or kill ${String(kept.ownerPid)} (PID of this main job): the emulator stops with it.`,
  ];
}

/** The signals that end a kept main job: Ctrl-C, kill, a closed terminal. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Stops the emulator when the main job is told to stop, then exits with the signal's conventional
 * code (128 + signal number), so the emulator never outlives its owner.
 */
export function stopEmulatorWithOwner(stop: () => Promise<void>, owner: NodeJS.Process = process): void {
  const codes: Record<(typeof STOP_SIGNALS)[number], number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
  for (const signal of STOP_SIGNALS) {
    owner.once(signal, () => {
      void stop().finally(() => owner.exit(codes[signal]));
    });
  }
}
