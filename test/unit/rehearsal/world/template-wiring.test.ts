/**
 * How the rehearsal finds what the templates wire: a function by its construct path (with the ARN
 * rules and tasks name it by), cross-stack imports, the pipeline structure a commit synthesizes, and
 * the local GitHub that the real commit-status client posts to.
 */
import { describe, expect, it } from 'vitest';
import { exportsOf, resolutionContextFor, resolveIntrinsics, type SynthesizedStack } from '../../../../src/local/synthesized-templates.js';
import { templateFunctions } from '../../../../src/local/template-functions.js';
import { changedDeclaration, PipelineStructures } from '../../../../src/rehearsal/world/pipeline-structures.js';
import { structureOf, type PipelineDeclaration } from '../../../../src/local/codepipeline/declaration.js';
import { startGitHubStatusServer } from '../../../../src/rehearsal/world/github-status-server.js';
import { GitHubCommitStatus } from '../../../../src/pipeline/adapters/github/github-commit-status.js';
import { systemClock } from '../../../../src/shared/clock.js';

const WHERE = { region: 'us-east-1', account: '123456789012' };

function stack(stackName: string, resources: SynthesizedStack['resources'], outputs: SynthesizedStack['outputs'] = {}): SynthesizedStack {
  return { artifactId: stackName, stage: '', stackName, templateFile: `${stackName}.template.json`, resources, outputs };
}

const runtime = stack(
  'KiroCd-PipelineRuntime',
  {
    PipelineEventsRecorder88F98BC3: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { HISTORY_TABLE_NAME: { Ref: 'HistoryTable4479EEA3' } } } } },
    PipelineEventsRecorderServiceRole1A2B3C4D: { Type: 'AWS::IAM::Role' },
    HistoryTable4479EEA3: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'kiro-history' } },
  },
  { ExportsHistory: { Value: { Ref: 'HistoryTable4479EEA3' }, Export: { Name: 'KiroCd-PipelineRuntime:ExportsOutputRefHistoryTable' } } as never },
);


/** The smallest pipeline declaration: one Build stage with one CodeBuild action. */
const ONE_STAGE_DECLARATION: PipelineDeclaration = {
  name: 'p',
  pipelineType: 'V2',
  executionMode: 'SUPERSEDED',
  restartExecutionOnUpdate: true,
  variables: [],
  stages: [{ name: 'Build', beforeEntry: [], onSuccess: [], actions: [{ name: 'Synth', category: 'Build', provider: 'CodeBuild', runOrder: 1, configuration: { EnvironmentVariables: '[]' } }] }],
};

describe('template wiring', () => {
  it('finds a function by its construct path, with its resolved ARN and environment, and nothing else that shares the prefix', () => {
    expect(templateFunctions([runtime], WHERE, 'PipelineEvents/Recorder')).toEqual([
      {
        stackName: 'KiroCd-PipelineRuntime',
        logicalId: 'PipelineEventsRecorder88F98BC3',
        arn: 'arn:aws:lambda:us-east-1:123456789012:function:KiroCd-PipelineRuntime-PipelineEventsRecorder88F98BC3',
        variables: { HISTORY_TABLE_NAME: 'kiro-history' },
      },
    ]);
    expect(templateFunctions([runtime], WHERE, 'PipelineEvents/Notifier')).toEqual([]);
  });

  it('resolves Fn::ImportValue to the exporting stack\'s output, and leaves an unknown import visible', () => {
    const pipeline = stack('KiroCd-Pipeline', {});
    const context = resolutionContextFor(pipeline, { ...WHERE, exports: exportsOf([runtime, pipeline], WHERE) });
    expect(resolveIntrinsics({ 'Fn::Join': ['', ['--history-table ', { 'Fn::ImportValue': 'KiroCd-PipelineRuntime:ExportsOutputRefHistoryTable' }]] }, context)).toBe('--history-table kiro-history');
    expect(resolveIntrinsics({ 'Fn::ImportValue': 'Nope' }, context)).toEqual({ 'Fn::ImportValue': 'Nope' });
  });

  it('a pipeline-changing commit gives every commit after it a new structure, and the commits before it the old one', () => {
    const base = ONE_STAGE_DECLARATION;
    expect(structureOf(changedDeclaration(base, 1))).not.toBe(structureOf(base));
    const history = ['a', 'b', 'c'];
    const structures = new PipelineStructures(base, (ancestor, commit) => history.indexOf(ancestor) <= history.indexOf(commit));
    structures.markChange('b');
    expect(structureOf(structures.declarationFor('a'))).toBe(structureOf(base));
    expect(structureOf(structures.declarationFor('b'))).toBe(structureOf(changedDeclaration(base, 1)));
    expect(structureOf(structures.declarationFor('c'))).toBe(structureOf(changedDeclaration(base, 1)));
  });

  it('a commit whose configuration synthesizes another declaration makes it the base of every commit after it', () => {
    const base = ONE_STAGE_DECLARATION;
    const windowed: PipelineDeclaration = { ...base, stages: base.stages.map((stage) => ({ ...stage, beforeEntry: [{ result: 'FAIL', rules: [{ name: 'DeploymentWindow', provider: 'DeploymentWindow', configuration: { Cron: '* * 3 ? * * *' } }] }] })) };
    const history = ['a', 'b', 'c', 'd'];
    const structures = new PipelineStructures(base, (ancestor, commit) => history.indexOf(ancestor) <= history.indexOf(commit));
    structures.markSynthesized('b', windowed);
    structures.markChange('d');
    expect(structureOf(structures.declarationFor('a'))).toBe(structureOf(base));
    expect(structureOf(structures.declarationFor('c'))).toBe(structureOf(windowed));
    expect(structureOf(structures.declarationFor('d'))).toBe(structureOf(changedDeclaration(windowed, 1)));
  });

  it('the local GitHub records the statuses the real commit-status client posts, with its token', async () => {
    const github = await startGitHubStatusServer();
    try {
      const client = new GitHubCommitStatus({ owner: 'kiro-dev', repository: 'worker', tokenSecretId: 's', secrets: { read: () => Promise.resolve('token') }, clock: systemClock, apiUrl: github.apiUrl });
      await client.publish('a'.repeat(40), { state: 'success', context: 'kiro-cd/test', description: 'deployed', targetUrl: 'https://example.com' });
      expect(github.statuses).toEqual([{ repository: 'kiro-dev/worker', commitId: 'a'.repeat(40), state: 'success', context: 'kiro-cd/test', description: 'deployed', authorised: true }]);
    } finally {
      await github.close();
    }
  });
});
