import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that take far longer than the rest (measured: the rehearsal ~80 s, the drift test's synthesis and rehearsal, the policy gates over
 * every template, two app shapes, ~55 s of the ~200 s the suite spends in tests; the gates now in two
 * files, one per app shape). On a clean clone Vitest has no
 * timings cached and orders by file size, so the rehearsal could start last and run alone for a
 * minute while the other worker idles; starting the slow ones first keeps both workers busy.
 */
export const SLOW_FILES = [
  'test/integration/rehearsal/rehearsal.test.ts',
  // Synthesizes the cross-region app (cross-region-assembly.ts) at the start, beside the rehearsal's synthesis of the product (shared-assembly.ts).
  'test/integration/gates/all-templates-cross-region.test.ts',
  'test/integration/gates/all-templates.test.ts',
  'test/integration/rehearsal/pipeline-drift.test.ts',
  // Runs every deployed function, post-deployment suite and operator command against the emulator
  // over the shared synthesis (223 s of a 30-minute run at load ~18, the fifth longest file).
  'test/iam/least-privilege.test.ts',
] as const;

/** Vitest's own order (cached failures and durations, then size), with the known slow files first. */
export default class SlowFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification): number => {
      const index = SLOW_FILES.findIndex((slow) => file.moduleId.replaceAll('\\', '/').endsWith(slow));
      return index < 0 ? SLOW_FILES.length : index;
    };
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}
