import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSEMBLY_DIR, formatMainJobPhases, runMainJob, SYNTH_FAILED, type MainJobDeps, type SynthesisProgress } from '../../../src/cli/main-job.js';
import { KiroCdError } from '../../../src/shared/errors.js';
import type { PreparedRehearsal } from '../../../src/rehearsal/rehearsal-phase.js';
import type { PhaseTiming } from '../../../src/rehearsal/run-rehearsal.js';
import type { ExitCodeValue } from '../../../src/cli/command.js';
import { RecordingOutput } from '../../../src/cli/output.js';
import type { AssemblyStack } from '../../../src/pipeline/adapters/tools/cloud-assembly.js';
import type { GatesRun } from '../../../src/pipeline/adapters/tools/run-gates.js';
import type { GateResult } from '../../../src/pipeline/domain/policy-gates/gate-finding.js';
import type { GateResult as BuildGateResult } from '../../../src/pipeline/domain/build-gates/gate-result.js';
import type { BundleSize } from '../../../src/pipeline/domain/bundles/bundle-size-limit.js';

/** A pipeline stack template in the shape CDK synthesizes (see cdk.out/KiroCd-Pipeline.template.json), cut down to one environment. */
const pipelineTemplate = {
  Resources: {
    PipelineC660917D: {
      Type: 'AWS::CodePipeline::Pipeline',
      Properties: {
        Name: 'kiro-codebuild-worker',
        PipelineType: 'V2',
        ExecutionMode: 'SUPERSEDED',
        Triggers: [{ ProviderType: 'CodeStarSourceConnection', GitConfiguration: { Push: [{ Branches: { Includes: ['main'] } }], SourceActionName: 'GitHub_Source' } }],
        Stages: [
          { Name: 'Source', Actions: [{ Name: 'GitHub_Source', ActionTypeId: { Category: 'Source', Provider: 'CodeStarSourceConnection' }, Configuration: { FullRepositoryId: 'kiro-dev/kiro-codebuild-worker', BranchName: 'main' }, RunOrder: 1 }] },
          { Name: 'Build', Actions: [{ Name: 'Synth', ActionTypeId: { Category: 'Build', Provider: 'CodeBuild' }, Configuration: { ProjectName: { Ref: 'SynthProject' } }, RunOrder: 1 }] },
          {
            Name: 'Approve-Production',
            Actions: [{ Name: 'Approve', ActionTypeId: { Category: 'Approval', Provider: 'Manual' }, RunOrder: 1, TimeoutInMinutes: 1440 }],
          },
          {
            Name: 'Production-Application',
            Actions: [{ Name: 'Deploy', ActionTypeId: { Category: 'Deploy', Provider: 'CloudFormation' }, Configuration: { StackName: 'KiroWorker-Production-Application', ActionMode: 'CHANGE_SET_EXECUTE' }, RunOrder: 2 }],
            OnFailure: { Result: 'ROLLBACK' },
          },
        ],
      },
    },
  },
};

describe('runMainJob', () => {
  let directory: string;
  let pipelineStack: AssemblyStack;
  let runtimeStack: AssemblyStack;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'kiro-main-job-'));
    const write = (name: string, template: unknown): AssemblyStack => {
      const templatePath = join(directory, `${name}.template.json`);
      writeFileSync(templatePath, JSON.stringify(template));
      return { stage: '', displayName: name, stackName: name, environment: 'aws://111111111111/us-east-1', templatePath, templateName: `${name}.template.json`, resourceCount: Object.keys((template as { Resources: object }).Resources).length };
    };
    runtimeStack = write('KiroCd-PipelineRuntime', { Resources: { Table: { Type: 'AWS::DynamoDB::Table' } } });
    pipelineStack = write('KiroCd-Pipeline', pipelineTemplate);
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  const clean: GateResult[] = [
    { gate: 'cfn-lint', templatesChecked: 2, findings: [] },
    { gate: 'cfn-guard', templatesChecked: 2, findings: [] },
  ];
  // Stacks in nested stage assemblies are never the pipeline: this one points at the pipeline's template on purpose.
  const nested = (): AssemblyStack => ({ ...pipelineStack, stage: 'KiroCd-Pipeline/Production-Application', stackName: 'KiroWorker-Production-Application', resourceCount: 7 });

  const supplyChainPassed: readonly BuildGateResult[] = [
    { tool: 'secrets', verdict: 'pass', ran: true, findings: [], summary: 'passed: 0 secrets found in 3 files' },
    { tool: 'licences', verdict: 'pass', ran: true, findings: [], summary: 'passed: 0 licence problems in 2 production packages and 9 bundles' },
  ];

  const smallBundles: readonly BundleSize[] = [
    { name: 'PipelineEvents/Recorder', bytes: 160_768, asset: 'asset.1' },
    { name: 'Worker/WorkerBundle', bytes: 358_208, asset: 'asset.2' },
  ];

  async function mainJob(run: GatesRun, supplyChain: readonly BuildGateResult[] = supplyChainPassed, bundles: readonly BundleSize[] = smallBundles): Promise<{ code: number; out: RecordingOutput; assemblyDirs: string[] }> {
    const out = new RecordingOutput();
    const assemblyDirs: string[] = [];
    let clock = 0;
    const code = await runMainJob({
      cwd: directory,
      out,
      now: () => (clock += 1000),
      synthesize: () => Promise.resolve(),
      runGates: (assemblyDir) => {
        assemblyDirs.push(assemblyDir);
        return Promise.resolve(run);
      },
      runSupplyChainGates: () => Promise.resolve(supplyChain),
      bundleSizes: () => bundles,
    });
    return { code, out, assemblyDirs };
  }

  it('prints the pipeline of the synthesized template per environment, then the stacks and the gates, and passes', async () => {
    const { code, out, assemblyDirs } = await mainJob({ stacks: [runtimeStack, pipelineStack, nested()], results: clean });
    expect(code).toBe(0);
    expect(assemblyDirs).toEqual([join(directory, ASSEMBLY_DIR)]);
    const lines = out.stdout.split('\n');
    const pipelineSection = lines.slice(0, lines.indexOf('') === -1 ? undefined : lines.indexOf(''));
    expect(pipelineSection).toEqual([
      'Pipeline kiro-codebuild-worker (V2, SUPERSEDED, push to main):',
      '  pipeline-wide:',
      '    Source',
      '       1. GitHub_Source  CodeStarSourceConnection  kiro-dev/kiro-codebuild-worker@main',
      '    Build',
      '       1. Synth  CodeBuild  ${Ref:SynthProject}',
      '  production:',
      '    Approve-Production',
      '       1. Approve  Manual  timeout 1440 min',
      '    Production-Application',
      '       2. Deploy  CloudFormation  KiroWorker-Production-Application (CHANGE_SET_EXECUTE)',
      '      on failure: ROLLBACK',
    ]);
    expect(out.stdout).toMatch(/\nStacks:\n {2}\(top level\) +KiroCd-PipelineRuntime +1 resources {2}aws:\/\/111111111111\/us-east-1\n/);
    expect(out.stdout).toMatch(/ {2}KiroCd-Pipeline\/Production-Application +KiroWorker-Production-Application +7 resources/);
    expect(out.stdout).toContain('\nPolicy gates:\n  cfn-lint           0 finding(s)');
    expect(out.stdout).toContain('\nBundle sizes (docs/build-gates.md, "Bundle sizes"):\n  Worker/WorkerBundle       349.8 KB   70 %\n  PipelineEvents/Recorder   157.0 KB   31 %\n  (limit 500.0 KB a bundle)\n');
    // The build-stage gates beside the template gates (issue 18, item 5): the two npm start runs with their results, the others named.
    expect(out.stdout).toContain('\nBuild-stage gates (docs/build-gates.md):\n  secrets   passed: 0 secrets found in 3 files\n');
    expect(out.stdout).toMatch(/\n {2}sast {6}in the Build action: kiro-cd gate eslint/);
    expect(out.stdout).toContain('\n  licences  passed: 0 licence problems');
    expect(out.stdout).toMatch(/\n {2}sbom {6}in the Build action: kiro-cd sbom --output-dir cdk.out\/sbom/);
    expect(out.stdout).toContain('Main job passed: zero unaccepted findings.');
    expect(out.stderr).toBe('');
  });

  it('fails when a supply-chain gate blocks, although the policy gates are clean', async () => {
    const blocked: BuildGateResult = { tool: 'secrets', verdict: 'block', ran: true, findings: [{ severity: 'error', id: '@secretlint/secretlint-rule-aws/AWSAccessKeyID', message: 'found AWS Access Key ID: ****', location: 'src/a.ts:1:1', blocking: true, why: 'remove it' }], summary: 'BLOCKED: 1 secrets found in 3 files' };
    const { code, out } = await mainJob({ stacks: [pipelineStack], results: clean }, [blocked]);
    expect(code).toBe(1);
    expect(out.stderr).toContain('✗ blocks error @secretlint/secretlint-rule-aws/AWSAccessKeyID at src/a.ts:1:1');
    expect(out.stdout).toContain('Main job FAILED: 0 unaccepted finding(s); blocked: secrets.');
  });

  it('fails when a bundle is over the size limit, naming it', async () => {
    const { code, out } = await mainJob({ stacks: [pipelineStack], results: clean }, supplyChainPassed, [{ name: 'Worker/WorkerBundle', bytes: 600_000, asset: 'asset.2' }]);
    expect(code).toBe(1);
    expect(out.stdout).toContain('  Worker/WorkerBundle   585.9 KB  117 %  OVER THE LIMIT');
    expect(out.stdout).toContain('Main job FAILED: 0 unaccepted finding(s); bundles over the size limit: Worker/WorkerBundle.');
  });

  it('still shows the pipeline when a gate finds something, and fails', async () => {
    const finding = { gate: 'cfn-lint', ruleId: 'W3005', severity: 'warning', message: 'redundant DependsOn' } as const;
    const { code, out } = await mainJob({ stacks: [pipelineStack], results: [{ gate: 'cfn-lint', templatesChecked: 1, findings: [finding] }] });
    expect(code).toBe(1);
    expect(out.stdout).toContain('Pipeline kiro-codebuild-worker (V2, SUPERSEDED, push to main):');
    expect(out.stdout).toContain('Main job FAILED: 1 unaccepted finding(s).');
  });

  it('fails as the user\'s fault, naming the templates it looked in, when no top-level stack holds the pipeline', async () => {
    const { code, out } = await mainJob({ stacks: [runtimeStack, nested()], results: clean });
    expect(code).toBe(2);
    expect(out.stderr).toContain('main job: No top-level stack of the cloud assembly declares a V2 CodePipeline pipeline (looked in: KiroCd-PipelineRuntime.template.json)');
  });

  it('reports a synthesis failure without running the gates', async () => {
    const out = new RecordingOutput();
    const code = await runMainJob({
      cwd: directory,
      out,
      now: () => 0,
      synthesize: () => Promise.reject(new Error('boom')),
      runGates: () => Promise.reject(new Error('the gates must not run')),
      runSupplyChainGates: () => Promise.reject(new Error('the gates must not run')),
      bundleSizes: () => {
        throw new Error('nothing to measure');
      },
    });
    expect(code).toBe(4);
    expect(out.stderr).toBe('main job: boom');
  });

  /**
   * npm start's phases side by side (issue 17, item 2): synthesis with the rehearsal's preparations
   * beside it, then the gates and the rehearsal together, their output held and printed whole, gates
   * first. Every fake records when it starts and ends in one log; each yields to the event loop before
   * it ends, so one that did not overlap with another shows up in the order of the log.
   */
  describe('with the rehearsal side by side', () => {
    /** Lets every other pending callback and timer of this turn run first. */
    const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

    interface Scene {
      readonly synthesize?: (log: string[], progress: SynthesisProgress) => Promise<void>;
      readonly gates?: GatesRun | Error;
      readonly rehearsalCode?: ExitCodeValue;
      /** Turns the rehearsal yields before it asks for the phases (its report), to outlast a synthesis. @default 1 */
      readonly rehearsalTurns?: number;
    }

    /** A synthesis that says when its templates are written, then validates for `turns` turns more, then ends or throws `error`. */
    const announcing =
      (turns: number, error?: Error) =>
      async (log: string[], progress: SynthesisProgress): Promise<void> => {
        log.push('synthesis started');
        await yieldTurn();
        log.push('templates written');
        progress.onTemplatesWritten();
        for (let turn = 0; turn < turns; turn += 1) await yieldTurn();
        if (error !== undefined) {
          log.push('synthesis failed');
          throw error;
        }
        log.push('synthesis ended');
      };

    async function sideBySide(scene: Scene = {}): Promise<{ code: number; out: RecordingOutput; log: string[]; phases: (readonly PhaseTiming[])[] }> {
      const out = new RecordingOutput();
      const log: string[] = [];
      const phases: (readonly PhaseTiming[])[] = [];
      let clock = 0;
      const rehearsal: PreparedRehearsal = {
        async run(context) {
          log.push('rehearsal started');
          context.signal?.addEventListener('abort', () => log.push('rehearsal aborted'));
          context.out.info('REHEARSAL LINE 1');
          context.out.error('rehearsal: a problem line');
          for (let turn = 0; turn < (scene.rehearsalTurns ?? 1); turn += 1) await yieldTurn();
          if (typeof context.phases === 'function') {
            try {
              phases.push(await context.phases());
            } catch (thrown) {
              // As runRehearsal does: no phases, no report, and the rehearsal ends failed.
              log.push(`no phases: ${thrown instanceof Error ? thrown.message : String(thrown)}`);
              context.out.info('Rehearsal passed: written although there was nothing to rehearse');
              return 1;
            }
          }
          context.out.info('REHEARSAL LINE 2');
          log.push('rehearsal ended');
          return scene.rehearsalCode ?? 0;
        },
        cancel() {
          log.push('rehearsal cancelled');
          return Promise.resolve();
        },
      };
      const deps: MainJobDeps = {
        cwd: directory,
        out,
        now: () => (clock += 1000),
        synthesize: (_cwd, progress) =>
          scene.synthesize?.(log, progress) ??
          (async () => {
            // A synthesis that never says its templates are written (as one that cannot tell).
            log.push('synthesis started');
            await yieldTurn();
            log.push('synthesis ended');
          })(),
        runGates: async () => {
          log.push('gates started');
          await yieldTurn();
          await yieldTurn();
          log.push('gates ended');
          if (scene.gates instanceof Error) throw scene.gates;
          return scene.gates ?? { stacks: [runtimeStack, pipelineStack], results: clean };
        },
        runSupplyChainGates: () => Promise.resolve(supplyChainPassed),
        bundleSizes: () => smallBundles,
        prepareRehearsal: () => {
          log.push('rehearsal prepared');
          return rehearsal;
        },
      };
      const code = await runMainJob(deps);
      return { code, out, log, phases };
    }

    it('prepares the rehearsal (emulator, variant) while synthesis runs, and rehearses while the gates run', async () => {
      const { code, log } = await sideBySide();
      expect(code).toBe(0);
      // Sequentially it would be: synthesis, gates, then the rehearsal prepared and run.
      // This synthesis never says its templates are written, so the rehearsal waits for its end, and starts with the gates.
      expect(log).toEqual(['synthesis started', 'rehearsal prepared', 'synthesis ended', 'rehearsal started', 'gates started', 'gates ended', 'rehearsal ended']);
    });

    it('starts the rehearsal when the templates are written, while synthesis still validates them; the gates only when synthesis has ended', async () => {
      const { code, log, out } = await sideBySide({ synthesize: announcing(3), rehearsalTurns: 6 });
      expect(code).toBe(0);
      expect(log).toEqual(['synthesis started', 'rehearsal prepared', 'templates written', 'rehearsal started', 'synthesis ended', 'gates started', 'gates ended', 'rehearsal ended']);
      // The fake clock moves 1 s a reading: start 1 s, templates 2 s, synthesis ended 3 s.
      expect(out.lines[0]?.text).toBe("Synthesized in 2.0 s. The gates and the rehearsal now run side by side (the rehearsal since 1.0 s, when the templates were written); each one's output follows, whole, when both have ended.\n");
      expect(out.lines.at(-1)?.text).toMatch(/^\nPhases \(wall clock\): synthesis 2\.0 s, then side by side: policy and build-stage gates \d+\.\d s, rehearsal \d+\.\d s \(started at 1\.0 s, when the templates were written, during CDK's validation\)\.$/);
    });

    it.each([
      ['the CDK app failed', 1, new KiroCdError('Synthesis failed (exit 4): validation crashed', { code: SYNTH_FAILED, fault: 'internal' })],
      ['the configuration is invalid', 2, new KiroCdError('environment "test", key "account": ...', { code: 'CONFIG_INVALID', fault: 'user' })],
    ])('synthesis failing after the templates were written (%s) aborts the rehearsal, shows none of it, runs no gate, and exits %i as before', async (_why, expected, error) => {
      const { code, out, log } = await sideBySide({ synthesize: announcing(2, error), rehearsalTurns: 10 });
      expect(code).toBe(expected);
      expect(log.slice(0, 5)).toEqual(['synthesis started', 'rehearsal prepared', 'templates written', 'rehearsal started', 'synthesis failed']);
      expect(log).toContain('rehearsal aborted');
      expect(log).not.toContain('gates started');
      // Exactly what a synthesis failing before the rehearsal prints: its message, nothing of the rehearsal.
      expect(out.stderr).toBe(`main job: ${error.message}`);
      expect(out.stdout).toBe('');
    });

    it('a rehearsal that reaches its report before synthesis fails gets no phases, so it cannot write a passing report, and none of it is shown', async () => {
      const error = new KiroCdError('Synthesis failed (exit 4): validation crashed', { code: SYNTH_FAILED, fault: 'internal' });
      const { code, out, log } = await sideBySide({ synthesize: announcing(4, error), rehearsalTurns: 0 });
      expect(code).toBe(1);
      expect(log).toContain(`no phases: ${error.message}`);
      expect(log).not.toContain('rehearsal ended');
      expect(out.stdout).not.toContain('Rehearsal passed');
      expect(out.stderr).toBe(`main job: ${error.message}`);
    });

    it('prints the gates whole first, then the rehearsal whole, then the phases, although the rehearsal wrote first', async () => {
      const { out } = await sideBySide();
      const texts = out.lines.map((line) => line.text);
      const gatesTable = texts.indexOf('\nPolicy gates:');
      const verdict = texts.indexOf('Main job passed: zero unaccepted findings.');
      const first = texts.indexOf('REHEARSAL LINE 1');
      expect(texts[0]).toMatch(/^Synthesized in 1\.0 s\. The gates and the rehearsal now run side by side/);
      expect(gatesTable).toBeGreaterThan(0);
      expect(verdict).toBeGreaterThan(gatesTable);
      expect(texts.slice(first, first + 3)).toEqual(['REHEARSAL LINE 1', 'rehearsal: a problem line', 'REHEARSAL LINE 2']);
      expect(first).toBeGreaterThan(verdict);
      // Each line keeps its stream.
      expect(out.stderr).toBe('rehearsal: a problem line');
      expect(texts.at(-1)).toMatch(/^\nPhases \(wall clock\): synthesis \d+\.\d s, then side by side: policy and build-stage gates \d+\.\d s, rehearsal \d+\.\d s\.$/);
    });

    it('gives the report truthful phases: synthesis, and the gates marked as side by side with the rehearsal', async () => {
      const { phases } = await sideBySide();
      expect(phases).toHaveLength(1);
      const [synthesis, gates] = phases[0] ?? [];
      expect(synthesis).toEqual({ name: 'synthesis', durationMs: 1000 });
      expect(gates?.name).toMatch(/^policy and build-stage gates \(side by side with the rehearsal, 1\.0 s to \d+\.\d s after the start\)$/);
      expect(gates?.durationMs).toBeGreaterThan(0);
    });

    it.each([
      ['the gates pass and the rehearsal passes', undefined, 0, 0],
      ['a gate finds something: the gates decide, although the rehearsal passed', { stacks: [], results: [{ gate: 'cfn-lint', templatesChecked: 1, findings: [{ gate: 'cfn-lint', ruleId: 'W3005', severity: 'warning', message: 'redundant DependsOn' }] }] }, 0, 1],
      ['the rehearsal fails while the gates pass', undefined, 1, 1],
      ['both fail: the gates\' code comes first', new KiroCdError('cfn-guard crashed', { code: 'GATE_TOOL_FAILED', fault: 'internal' }), 1, 4],
      ['a gate tool is missing (the user\'s to fix), the rehearsal passed', new KiroCdError('cfn-lint is not installed', { code: 'CONFIG_INVALID', fault: 'user' }), 0, 2],
    ] as const)('exit code when %s', async (_why, gates, rehearsalCode, expected) => {
      const pipelineGates = gates instanceof Error || gates === undefined ? gates : { ...gates, stacks: [pipelineStack] };
      const { code, out, log } = await sideBySide({ ...(pipelineGates === undefined ? {} : { gates: pipelineGates }), rehearsalCode });
      expect(code).toBe(expected);
      // The rehearsal ran to its end and was printed in every case: it is never silently dropped.
      expect(log).toContain('rehearsal ended');
      expect(out.stdout).toContain('REHEARSAL LINE 2');
    });

    it('says above the rehearsal that the main job fails on the gates whatever the rehearsal found', async () => {
      const { out } = await sideBySide({ gates: new KiroCdError('cfn-guard crashed', { code: 'GATE_TOOL_FAILED', fault: 'internal' }) });
      const texts = out.lines.map((line) => line.text);
      const notice = texts.findIndex((text) => text.includes('The gates failed, so the main job fails whatever the rehearsal finds'));
      expect(texts.indexOf('main job: cfn-guard crashed')).toBeLessThan(notice);
      expect(notice).toBeLessThan(texts.indexOf('REHEARSAL LINE 1'));
    });

    it.each([
      ['the CDK app failed', 1, new KiroCdError('Synthesis failed (exit 4): boom', { code: SYNTH_FAILED, fault: 'internal' })],
      ['the configuration is invalid', 2, new KiroCdError('environment "test", key "account": ...', { code: 'CONFIG_INVALID', fault: 'user' })],
    ])('a synthesis that fails before it says the templates are written (%s) exits %i, cancels the prepared rehearsal and runs no gate', async (_why, expected, error) => {
      const { code, out, log } = await sideBySide({
        synthesize: async () => {
          await yieldTurn();
          throw error;
        },
      });
      expect(code).toBe(expected);
      expect(log).toEqual(['rehearsal prepared', 'rehearsal cancelled']);
      expect(out.stderr).toBe(`main job: ${error.message}`);
      expect(out.stdout).toBe('');
    });
  });
});

describe('formatMainJobPhases', () => {
  it.each([
    ['the gates alone, one after synthesis', { synthesisMs: 16_600, gatesMs: 30_050 }, 'Phases (wall clock): synthesis 16.6 s, then policy and build-stage gates 30.1 s.'],
    ['the gates and the rehearsal side by side: their times overlap and do not add up', { synthesisMs: 16_600, gatesMs: 30_000, rehearsalMs: 80_400 }, 'Phases (wall clock): synthesis 16.6 s, then side by side: policy and build-stage gates 30.0 s, rehearsal 80.4 s.'],
  ])('%s', (_why, phases, line) => {
    expect(formatMainJobPhases(phases)).toBe(line);
  });
});
