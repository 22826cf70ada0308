/**
 * A small pipeline declaration and a local CodePipeline around it, for the behaviour-table tests.
 * Runners are scripted per action name; time runs 100,000 times faster than the wall clock, so a
 * one-hour action timeout passes in 36 ms.
 */
import { CompressedClock } from '../../../../src/local/compressed-clock.js';
import type { ActionResult, ActionRunner } from '../../../../src/local/codepipeline/action-runner.js';
import type { ActionDeclaration, PipelineDeclaration, StageDeclaration } from '../../../../src/local/codepipeline/declaration.js';
import { LocalCodePipeline } from '../../../../src/local/codepipeline/local-codepipeline.js';
import type { CodePipelineEvent } from '../../../../src/local/codepipeline-events.js';

export const FACTOR = 100_000;

/** An action with defaults: a CodeBuild build in run order 1. */
export function action(name: string, extra: Partial<ActionDeclaration> = {}): ActionDeclaration {
  return { name, category: 'Build', provider: 'CodeBuild', runOrder: 1, configuration: {}, ...extra };
}

/** A stage with no conditions. */
export function stage(name: string, actions: readonly ActionDeclaration[], extra: Partial<StageDeclaration> = {}): StageDeclaration {
  return { name, actions, beforeEntry: [], onSuccess: [], ...extra };
}

export const SOURCE = stage('Source', [action('Source', { category: 'Source', provider: 'CodeStarSourceConnection', namespace: 'SourceVariables' })]);

/** A pipeline: Source, then the given stages. */
export function declaration(stages: readonly StageDeclaration[], extra: Partial<PipelineDeclaration> = {}): PipelineDeclaration {
  return {
    name: 'demo',
    pipelineType: 'V2',
    executionMode: 'SUPERSEDED',
    restartExecutionOnUpdate: false,
    variables: [{ name: 'KIRO_ROLLBACK', defaultValue: 'false' }],
    stages: [SOURCE, ...stages],
    ...extra,
  };
}

/** What each action does, by name: a fixed result, or a function of the invocation. */
export type Script = Record<string, ActionResult | ActionRunner>;

let counter = 0;

/** Builds the pipeline; the source action answers the override or `head`. */
export function localPipeline(
  decl: PipelineDeclaration,
  script: Script = {},
  options: { alarms?: Record<string, string>; head?: string; start?: Date } = {},
): { pipeline: LocalCodePipeline; events: CodePipelineEvent[]; clock: CompressedClock; calls: string[] } {
  const events: CodePipelineEvent[] = [];
  const calls: string[] = [];
  const clock = new CompressedClock(FACTOR, options.start ?? new Date('2026-12-07T10:00:00Z'));
  const pipeline = new LocalCodePipeline({
    declaration: decl,
    clock,
    ids: { next: () => `00000000-0000-4000-8000-${String((counter += 1)).padStart(12, '0')}` },
    account: '111111111111',
    region: 'us-east-1',
    alarms: { stateOf: (name) => Promise.resolve(options.alarms?.[name]) },
    runners: (_stage, declared) => {
      const scripted = script[declared.name];
      if (declared.category === 'Source' && scripted === undefined) {
        return (invocation) => {
          calls.push(`${invocation.stageName}.${declared.name}`);
          return Promise.resolve({ status: 'Succeeded', outputVariables: { CommitId: invocation.sourceRevision ?? options.head ?? 'head' } });
        };
      }
      return async (invocation) => {
        calls.push(`${invocation.stageName}.${declared.name}`);
        if (scripted === undefined) return { status: 'Succeeded' };
        return typeof scripted === 'function' ? scripted(invocation) : scripted;
      };
    },
    onEvent: (event) => {
      events.push(event);
      return Promise.resolve();
    },
  });
  return { pipeline, events, clock, calls };
}

/** Waits for an approval to be pending and returns its token. */
export async function pendingToken(pipeline: LocalCodePipeline, stageName: string, actionName: string): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    for (const execution of pipeline.executions.values()) {
      const token = pipeline.approvals.tokenFor(execution.id, stageName, actionName);
      // eslint-disable-next-line security/detect-possible-timing-attacks -- a test helper polling for a local approval token, not a secret comparison
      if (token !== undefined) return token;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no approval pending in ${stageName}.${actionName}`);
}

/** Runs `start` and waits until the pipeline is idle. */
export async function startAndSettle(pipeline: LocalCodePipeline, input: Parameters<LocalCodePipeline['startPipelineExecution']>[0] = {}): Promise<string> {
  const { pipelineExecutionId } = pipeline.startPipelineExecution({ name: 'demo', ...input });
  await pipeline.settled();
  return pipelineExecutionId;
}
