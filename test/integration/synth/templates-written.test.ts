/**
 * The real `npm run synth` process (infrastructure/bin/synth.ts) and the main job's real reader of it
 * (`synthesizeAll`), on a copy of the repository whose CDK app is a small one with a slow validation
 * plugin (issue 17, item 2): the "templates written" line reaches the main job while the synthesis is
 * still blocked in validation, and at that moment the assembly is complete and not yet validated.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSEMBLY_DIR, SYNTH_FAILED, synthesizeAll } from '../../../src/cli/main-job.js';
import type { KiroCdError } from '../../../src/shared/errors.js';
import { copyRepository, type RepositoryCopy } from '../../support/repository-copy.js';

/**
 * How long the app's validation plugin blocks the synthesis's thread, as cdk-nag and CDK's validator
 * do (synchronously: no timer, no I/O callback and no asynchronous write runs meanwhile). It sleeps in
 * `Atomics.wait`, which Node.js allows on the main thread, instead of spinning: the event loop is held
 * the same, and the three syntheses of this file no longer burn 1.5 s of CPU each on a shared machine.
 */
const VALIDATION_MS = 1500;

/** A CDK app with a stack at the top and one in a nested Stage, validated by a plugin that blocks its thread for VALIDATION_MS; it may throw after synthesis. It notes its parent process id beside the assembly. */
const smallApp = `
import { writeFileSync } from 'node:fs';
import { App, Stack, Stage, Validations } from 'aws-cdk-lib';
import { CfnTopic } from 'aws-cdk-lib/aws-sns';
writeFileSync(\`\${process.env.CDK_OUTDIR}.parent-pid\`, String(process.ppid));
const env = { account: '111111111111', region: 'us-east-1' };
const app = new App({ outdir: process.env.CDK_OUTDIR, builtinCloudFormationValidation: false });
new CfnTopic(new Stack(app, 'Top', { env }), 'Topic');
new CfnTopic(new Stack(new Stage(app, 'Production-Application'), 'Inner', { env }), 'Topic');
Validations.of(app).addPlugins({ name: 'slow', validate: () => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${VALIDATION_MS}); return { success: true, violations: [] }; } });
app.synth();
if (process.env.KIRO_TEST_THROW_AFTER_SYNTH === '1') throw new Error('validation crashed after the templates were written');
`;

describe('the templates-written line of a real synthesis', () => {
  let repo: RepositoryCopy;
  beforeAll(() => {
    repo = copyRepository();
    repo.write('infrastructure/bin/app.ts', smallApp);
  });
  afterAll(() => {
    repo.remove();
    delete process.env.KIRO_TEST_THROW_AFTER_SYNTH;
  });

  /** Runs synthesizeAll on the copy, noting what the assembly held when the line came and how long before the end it came. */
  async function synthesize(): Promise<{ seen: { manifest: boolean; templates: boolean; report: boolean } | undefined; leadMs: number; error?: KiroCdError }> {
    const outdir = join(repo.dir, ASSEMBLY_DIR);
    let seen: { manifest: boolean; templates: boolean; report: boolean } | undefined;
    let seenAt = 0;
    const onTemplatesWritten = (): void => {
      seenAt = Date.now();
      seen = {
        manifest: existsSync(join(outdir, 'manifest.json')),
        templates: existsSync(join(outdir, 'Top.template.json')) && existsSync(join(outdir, 'assembly-Production-Application', 'manifest.json')),
        report: existsSync(join(outdir, 'validation-report.json')),
      };
    };
    try {
      await synthesizeAll(repo.dir, { onTemplatesWritten });
      return { seen, leadMs: Date.now() - seenAt };
    } catch (thrown) {
      return { seen, leadMs: Date.now() - seenAt, error: thrown as KiroCdError };
    }
  }

  it('arrives while validation still runs, when every template and manifest is written and no validation report yet', async () => {
    const { seen, leadMs, error } = await synthesize();
    expect(error).toBeUndefined();
    expect(seen).toEqual({ manifest: true, templates: true, report: false });
    // The line left before the blocking validation, not with the rest of the output at the end.
    expect(leadMs).toBeGreaterThanOrEqual(VALIDATION_MS - 300);
    expect(existsSync(join(repo.dir, ASSEMBLY_DIR, 'validation-report.json'))).toBe(true);
    // The app ran in the process the main job started itself, not behind the tsx CLI's own node process (~0.1 CPU-s and its start-up).
    expect(readFileSync(`${join(repo.dir, ASSEMBLY_DIR)}.parent-pid`, 'utf8')).toBe(String(process.pid));
  }, 120_000);

  it('a synthesis that fails after the line still fails the main job with its own message and code', async () => {
    process.env.KIRO_TEST_THROW_AFTER_SYNTH = '1';
    const { seen, error } = await synthesize();
    delete process.env.KIRO_TEST_THROW_AFTER_SYNTH;
    expect(seen).toBeDefined();
    expect(error?.code).toBe(SYNTH_FAILED);
    expect(error?.message).toMatch(/^Synthesis failed \(exit 4\):\n[\s\S]*validation crashed after the templates were written/);
  }, 120_000);

  it('npm start (src/cli/start.ts): a synthesis that fails after the line fails the main job as before, and nothing of the rehearsal it started is shown', async () => {
    repo.write('infrastructure/bin/app.ts', smallApp.replace("process.env.KIRO_TEST_THROW_AFTER_SYNTH === '1'", 'true'));
    try {
      const run = await repo.tsx('src/cli/start.ts', ['--scenario', 'clean-release']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^main job: Synthesis failed \(exit 4\):\n[\s\S]*validation crashed after the templates were written/m);
      expect(run.stderr).not.toContain('rehearsal:');
      expect(run.stdout).not.toMatch(/Rehearsal|Synthesized in|Main job passed/);
    } finally {
      repo.write('infrastructure/bin/app.ts', smallApp);
    }
  }, 120_000);
});
