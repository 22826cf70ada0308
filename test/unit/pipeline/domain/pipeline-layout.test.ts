import { beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../../../src/shared/config/schema.js';
import { readCloudAssembly } from '../../../../src/pipeline/adapters/tools/cloud-assembly.js';
import { readPipelineTemplate } from '../../../../src/pipeline/adapters/tools/pipeline-template.js';
import { productAssembly } from '../../../support/shared-assembly.js';
import { formatPipelineLayout } from '../../../../src/pipeline/domain/format-pipeline-layout.js';
import { pipelineLayout, v2PipelineIds, type LayoutStage, type PipelineLayout } from '../../../../src/pipeline/domain/pipeline-layout.js';
import { renderValue } from '../../../../src/pipeline/domain/template-value.js';
import { applicationStageName, approvalStageName, infrastructureStageName, PIPELINE_STAGES } from '../../../../src/pipeline/domain/stage-names.js';
import { MalformedInputError } from '../../../../src/shared/errors.js';

/** A template with one V2 pipeline whose properties are `properties` (Stages defaults to one Source stage). */
function templateWith(properties: Record<string, unknown>): unknown {
  const stages = [{ Name: 'Source', Actions: [{ Name: 'Checkout', ActionTypeId: { Category: 'Source', Provider: 'CodeStarSourceConnection' }, RunOrder: 1 }] }];
  return { Resources: { Pipeline: { Type: 'AWS::CodePipeline::Pipeline', Properties: { PipelineType: 'V2', Stages: stages, ...properties } } } };
}

function stageOf(layout: PipelineLayout, name: string): LayoutStage {
  const found = layout.stages.find((stage) => stage.name === name);
  if (found === undefined) throw new Error(`no stage ${name} in ${layout.stages.map((stage) => stage.name).join(', ')}`);
  return found;
}

const conditionLines = (stage: LayoutStage): string[] => stage.conditions.map((condition) => `${condition.when}: ${condition.text}`);

describe('pipelineLayout over the synthesized pipeline stack', () => {
  // The real product, built as `npm start` builds it: the run's shared synthesis (test/support/shared-assembly.ts).
  let layout: PipelineLayout;
  beforeAll(async () => {
    layout = pipelineLayout(readPipelineTemplate(readCloudAssembly(await productAssembly())).template);
    // Waits for the run's one synthesis, which may still be running (shared-assembly.ts allows it 300 s).
  }, 300_000);

  const position = (name: string): number => layout.stages.findIndex((stage) => stage.name === name);

  it('reads name, type, execution mode and the push trigger from the template', () => {
    expect(layout).toMatchObject({ name: 'kiro-codebuild-worker', pipelineType: 'V2', executionMode: 'SUPERSEDED', triggers: [{ event: 'push', branches: ['main'] }] });
  });

  it('orders Build before Test-* before Staging-* before Approve-Production before Production-*', () => {
    const order = [
      PIPELINE_STAGES.build,
      infrastructureStageName('test'),
      applicationStageName('test'),
      infrastructureStageName('staging'),
      applicationStageName('staging'),
      approvalStageName('production'),
      infrastructureStageName('production'),
      applicationStageName('production'),
    ].map(position);
    expect(order.every((index) => index >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('groups the stages per environment in the order the pipeline reaches them, the rest pipeline-wide', () => {
    expect(layout.environments.map((environment) => environment.environment)).toEqual(['test', 'staging', 'production']);
    expect(layout.environments.find((environment) => environment.environment === 'production')?.stages.map((stage) => stage.name)).toEqual([
      approvalStageName('production'),
      infrastructureStageName('production'),
      applicationStageName('production'),
    ]);
    expect(layout.pipelineWide.map((stage) => stage.name)).toEqual(expect.arrayContaining([PIPELINE_STAGES.source, PIPELINE_STAGES.build, PIPELINE_STAGES.updatePipeline, PIPELINE_STAGES.assets]));
    expect(layout.pipelineWide.every((stage) => stage.role.kind === 'pipeline')).toBe(true);
  });

  it("runs every environment's change detection beside the asset publishing: one Assets stage, one run order, no entry condition", () => {
    const assets = stageOf(layout, PIPELINE_STAGES.assets);
    expect(assets.conditions).toEqual([]);
    expect(assets.actions.map((action) => action.name).sort()).toEqual(['Detect-production', 'Detect-staging', 'Detect-test', 'FileAssets']);
    expect(new Set(assets.actions.map((action) => action.runOrder))).toEqual(new Set([1]));
    expect(layout.pipelineWide.map((stage) => stage.name)).toEqual([PIPELINE_STAGES.source, PIPELINE_STAGES.build, PIPELINE_STAGES.updatePipeline, PIPELINE_STAGES.assets]);
  });

  it('asks for production approval with a manual action and the timeout the template carries', () => {
    const [approve] = stageOf(layout, approvalStageName('production')).actions;
    expect(approve).toMatchObject({ category: 'Approval', provider: 'Manual', timeoutMinutes: 1440, target: 'timeout 1440 min' });
    expect(approve?.configuration.CustomData).toContain('#{SourceVariables.CommitId}');
  });

  it.each(ENVIRONMENT_NAMES)('rolls the %s application stage back on failure, a failed health check included (its alarms are in another account)', (environment) => {
    const application = stageOf(layout, applicationStageName(environment));
    expect(conditionLines(application)).toContain('on failure: ROLLBACK');
    expect(conditionLines(application).some((line) => line.startsWith('on success:'))).toBe(false);
    expect(application.actions.map((action) => action.provider)).toContain('StepFunctions');
  });

  it.each(ENVIRONMENT_NAMES)('skips the %s infrastructure stage unless its own change detection says deploy', (environment) => {
    expect(conditionLines(stageOf(layout, infrastructureStageName(environment)))).toContain(`entry: VariableCheck INFRA_${environment.toUpperCase()} EQ deploy else SKIP`);
  });

  it('deploys each stack with one CloudFormation CREATE_UPDATE action (the plan\'s direct stack deployment), named after the stack', () => {
    const actions = stageOf(layout, infrastructureStageName('test')).actions;
    expect(actions.map((action) => [action.runOrder, action.provider, action.target])).toEqual([[1, 'CloudFormation', 'KiroWorker-Test-Core (CREATE_UPDATE)']]);
    const application = stageOf(layout, applicationStageName('test')).actions.filter((action) => action.provider === 'CloudFormation');
    expect(application.map((action) => action.target)).toEqual(['KiroWorker-Test-Application (CREATE_UPDATE)']);
  });

  it('prints a heading, the pipeline-wide stages, then each environment with its stages, actions and conditions', () => {
    const lines = formatPipelineLayout(layout);
    expect(lines[0]).toBe('Pipeline kiro-codebuild-worker (V2, SUPERSEDED, push to main):');
    expect(lines[1]).toBe('  pipeline-wide:');
    const headings = lines.filter((line) => /^ {2}\S/.test(line));
    expect(headings).toEqual(['  pipeline-wide:', '  test:', '  staging:', '  production:']);
    const production = lines.slice(lines.indexOf('  production:'));
    expect(production).toContain('    Approve-Production');
    expect(production).toContain('       1. Approve  Manual  timeout 1440 min');
    expect(production).toContain('      entry: VariableCheck INFRA_PRODUCTION EQ deploy else SKIP');
  });
});

describe('renderValue', () => {
  it.each([
    ['a plain string stays as it is', 'main', 'main'],
    ['numbers and booleans print as text', 1440, '1440'],
    ['a Ref shows the logical id', { Ref: 'ProjectX' }, '${Ref:ProjectX}'],
    ['a GetAtt array joins with a dot', { 'Fn::GetAtt': ['Role', 'Arn'] }, '${GetAtt:Role.Arn}'],
    ['a GetAtt string is kept', { 'Fn::GetAtt': 'Role.Arn' }, '${GetAtt:Role.Arn}'],
    ['a Join renders its parts, intrinsics included', { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::1:role/x']] }, 'arn:${Ref:AWS::Partition}:iam::1:role/x'],
    ['a Sub shows its template string', { 'Fn::Sub': 'arn:${AWS::Partition}:iam::1:role/x' }, 'arn:${AWS::Partition}:iam::1:role/x'],
    ['a Sub with variables shows its template string', { 'Fn::Sub': ['${A}-b', { A: 'a' }] }, '${A}-b'],
    ['other functions show their name and argument', { 'Fn::ImportValue': 'Runtime:Topic' }, '${ImportValue:Runtime:Topic}'],
    ['a malformed Join does not crash', { 'Fn::Join': 'oops' }, '${Join:oops}'],
    ['a plain object prints as JSON', { a: 1, b: 2 }, '{"a":1,"b":2}'],
    ['missing values print as nothing', undefined, ''],
    ['null prints as nothing', null, ''],
  ])('%s', (_why, value, expected) => {
    expect(renderValue(value)).toBe(expected);
  });
});

describe('pipelineLayout over hand-written templates', () => {
  it('renders intrinsics in names, configuration and conditions instead of failing on them', () => {
    const layout = pipelineLayout(
      templateWith({
        Name: { Ref: 'PipelineName' },
        Stages: [
          {
            Name: 'Build',
            Actions: [{ Name: 'Synth', ActionTypeId: { Category: 'Build', Provider: 'CodeBuild' }, Configuration: { ProjectName: { Ref: 'SynthProject' } } }],
          },
          {
            Name: infrastructureStageName('test'),
            Actions: [
              {
                Name: 'Deploy',
                ActionTypeId: { Category: 'Deploy', Provider: 'CloudFormation' },
                RunOrder: '2',
                Configuration: { StackName: { 'Fn::Join': ['-', ['Kiro', { Ref: 'Env' }]] }, RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] } },
              },
            ],
            BeforeEntry: { Conditions: [{ Result: 'SKIP', Rules: [{ RuleTypeId: { Provider: 'VariableCheck' }, Configuration: { Variable: { Ref: 'Var' }, Operator: 'EQ', Value: 'deploy' } }] }] },
            OnSuccess: { Conditions: [{ Result: 'ROLLBACK', Rules: [{ RuleTypeId: { Provider: 'CloudWatchAlarm' }, Configuration: { AlarmName: { 'Fn::ImportValue': 'Alarm' } } }] }] },
          },
        ],
      }),
    );
    expect(layout.name).toBe('${Ref:PipelineName}');
    expect(layout.stages[0]?.actions[0]).toMatchObject({ provider: 'CodeBuild', runOrder: 1, target: '${Ref:SynthProject}' });
    const infrastructure = layout.stages[1]!;
    expect(infrastructure.actions[0]).toMatchObject({ runOrder: 2, target: 'Kiro-${Ref:Env}', configuration: { RoleArn: '${GetAtt:Role.Arn}' } });
    expect(conditionLines(infrastructure)).toEqual(['entry: VariableCheck ${Ref:Var} EQ deploy else SKIP', 'on success: CloudWatchAlarm ${ImportValue:Alarm} else ROLLBACK']);
    expect(layout.environments).toEqual([{ environment: 'test', stages: [infrastructure] }]);
  });

  it('falls back to CloudFormation\'s defaults and the logical id when the template leaves them out', () => {
    const template = templateWith({});
    delete (template as { Resources: { Pipeline: { Properties: Record<string, unknown> } } }).Resources.Pipeline.Properties.Name;
    expect(pipelineLayout(template)).toMatchObject({ name: 'Pipeline', logicalId: 'Pipeline', executionMode: 'SUPERSEDED', triggers: [] });
    expect(formatPipelineLayout(pipelineLayout(template))[0]).toBe('Pipeline Pipeline (V2, SUPERSEDED, no triggers):');
  });

  it.each([
    [
      'a failure result with retry and failure conditions',
      { OnFailure: { Result: 'RETRY', RetryConfiguration: { RetryMode: 'FAILED_ACTIONS' }, Conditions: [{ Result: 'ROLLBACK', Rules: [{ RuleTypeId: { Provider: 'LambdaInvoke' }, Configuration: { FunctionName: 'check' } }] }] } },
      ['on failure: RETRY (FAILED_ACTIONS)', 'on failure: LambdaInvoke check → ROLLBACK'],
    ],
    [
      'failure conditions without a stage-level result',
      { OnFailure: { Conditions: [{ Result: 'ROLLBACK', Rules: [{ RuleTypeId: { Provider: 'LambdaInvoke' }, Configuration: { FunctionName: 'check' } }] }] } },
      ['on failure: LambdaInvoke check → ROLLBACK'],
    ],
    ['an on-failure block with nothing in it', { OnFailure: {} }, ['on failure: (no result)']],
    [
      'a deployment window, and a rule provider the layout does not know, shown by its settings',
      {
        BeforeEntry: {
          Conditions: [
            { Result: 'FAIL', Rules: [{ RuleTypeId: { Provider: 'DeploymentWindow' }, Configuration: { Cron: '0 9-17 ? * MON-FRI *', TimeZone: 'Europe/Berlin' } }] },
            { Result: 'FAIL', Rules: [{ RuleTypeId: { Provider: 'Commits' }, Configuration: { ContainsFilePaths: 'src/*' } }] },
          ],
        },
      },
      ['entry: DeploymentWindow 0 9-17 ? * MON-FRI * Europe/Berlin else FAIL', 'entry: Commits ContainsFilePaths=src/* else FAIL'],
    ],
    [
      'alarms watched differently are listed one by one',
      {
        OnSuccess: {
          Conditions: [
            {
              Result: 'ROLLBACK',
              Rules: [
                { RuleTypeId: { Provider: 'CloudWatchAlarm' }, Configuration: { AlarmName: 'a', AlarmStates: 'ALARM', WaitTime: '1' } },
                { RuleTypeId: { Provider: 'CloudWatchAlarm' }, Configuration: { AlarmName: 'b', AlarmStates: 'ALARM,INSUFFICIENT_DATA', WaitTime: '5' } },
              ],
            },
          ],
        },
      },
      ['on success: CloudWatchAlarm a (1 min) and CloudWatchAlarm b in ALARM,INSUFFICIENT_DATA (5 min) else ROLLBACK'],
    ],
    ['a condition without rules', { BeforeEntry: { Conditions: [{ Result: 'FAIL' }] } }, ['entry: (no rules) else FAIL']],
    ['a condition without result', { OnSuccess: { Conditions: [{ Rules: [{ RuleTypeId: { Provider: 'LambdaInvoke' }, Configuration: { FunctionName: 'f' } }] }] } }, ['on success: LambdaInvoke f else (no result)']],
  ])('renders %s', (_why, stageConditions, expected) => {
    const layout = pipelineLayout(templateWith({ Stages: [{ Name: 'Gate', Actions: [{ Name: 'Noop', ActionTypeId: { Category: 'Test', Provider: 'Custom' } }], ...stageConditions }] }));
    expect(conditionLines(layout.stages[0]!)).toEqual(expected);
  });

  it.each([
    ['a source connection shows repository and branch', 'CodeStarSourceConnection', { FullRepositoryId: 'org/repo', BranchName: 'main' }, undefined, 'org/repo@main'],
    ['a CodeCommit source without branch says so', 'CodeCommit', { RepositoryName: 'repo' }, undefined, 'repo@(default branch)'],
    ['a source without repository has no target', 'CodeStarSourceConnection', {}, undefined, undefined],
    ['a state machine shows its name, not its ARN', 'StepFunctions', { StateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:monitor' }, undefined, 'monitor'],
    ['a Lambda action shows its function', 'Lambda', { FunctionName: 'fn' }, undefined, 'fn'],
    ['an approval without timeout waits CodePipeline\'s default 7 days', 'Manual', {}, undefined, 'timeout 7 days (default)'],
    ['an approval with timeout shows it', 'Manual', {}, 60, 'timeout 60 min'],
    ['a CloudFormation action without stack has no target', 'CloudFormation', { ActionMode: 'CREATE_UPDATE' }, undefined, undefined],
    ['a CloudFormation action without mode shows the stack', 'CloudFormation', { StackName: 's' }, undefined, 's'],
    ['an unknown provider has no target', 'S3', { BucketName: 'b' }, undefined, undefined],
  ])('%s', (_why, provider, configuration, timeout, target) => {
    const layout = pipelineLayout(templateWith({ Stages: [{ Name: 'Only', Actions: [{ Name: 'A', ActionTypeId: { Category: 'X', Provider: provider }, Configuration: configuration, TimeoutInMinutes: timeout }] }] }));
    expect(layout.stages[0]?.actions[0]?.target).toBe(target);
  });

  it('reads push and pull-request triggers with their included and excluded branches', () => {
    const layout = pipelineLayout(
      templateWith({
        Triggers: [
          { ProviderType: 'CodeStarSourceConnection', GitConfiguration: { Push: [{ Branches: { Includes: ['main'], Excludes: ['wip/*'] } }, { Tags: { Includes: ['v*'] } }], PullRequest: [{ Branches: { Includes: ['main'] } }] } },
          { ProviderType: 'CodeStarSourceConnection' },
        ],
      }),
    );
    expect(layout.triggers).toEqual([
      { event: 'push', branches: ['main', '!wip/*'] },
      { event: 'push', branches: [] },
      { event: 'pull request', branches: ['main'] },
    ]);
    expect(formatPipelineLayout(layout)[0]).toBe('Pipeline Pipeline (V2, SUPERSEDED, push to main, !wip/*; push (no branch filter); pull request to main):');
  });

  it('prints no pipeline-wide heading when every stage belongs to an environment', () => {
    const layout = pipelineLayout(templateWith({ Stages: [{ Name: approvalStageName('production'), Actions: [{ Name: 'Approve', ActionTypeId: { Category: 'Approval', Provider: 'Manual' }, TimeoutInMinutes: 30 }] }] }));
    expect(formatPipelineLayout(layout).slice(1)).toEqual(['  production:', '    Approve-Production', '       1. Approve  Manual  timeout 30 min']);
  });

  it('recognises only the environments it is given', () => {
    const layout = pipelineLayout(templateWith({ Stages: [{ Name: applicationStageName('staging'), Actions: [{ Name: 'Deploy', ActionTypeId: { Provider: 'CloudFormation' } }] }] }), ['test']);
    expect(layout.pipelineWide.map((stage) => stage.name)).toEqual(['Staging-Application']);
    expect(layout.environments).toEqual([]);
  });

  it.each([
    ['a template without resources', {}, /no AWS::CodePipeline::Pipeline resource with PipelineType V2/],
    ['not an object at all', 'template', /no AWS::CodePipeline::Pipeline resource/],
    ['a V1 pipeline only', { Resources: { Old: { Type: 'AWS::CodePipeline::Pipeline', Properties: { PipelineType: 'V1', Stages: [] } } } }, /no AWS::CodePipeline::Pipeline resource/],
    [
      'two V2 pipelines',
      { Resources: { A: { Type: 'AWS::CodePipeline::Pipeline', Properties: { PipelineType: 'V2' } }, B: { Type: 'AWS::CodePipeline::Pipeline', Properties: { PipelineType: 'V2' } } } },
      /2 AWS::CodePipeline::Pipeline resources of type V2 \(A, B\); expected one/,
    ],
    ['a pipeline without stages', templateWith({ Stages: [] }), /Properties\.Stages: a pipeline needs at least one stage/],
    ['a pipeline whose Stages is missing', templateWith({ Stages: undefined }), /Pipeline Pipeline does not have the shape of a CodePipeline pipeline: Properties\.Stages/],
    ['a stage without actions', templateWith({ Stages: [{ Name: 'Empty', Actions: [] }] }), /Properties\.Stages\.0\.Actions: a stage needs at least one action/],
    ['a stage without name', templateWith({ Stages: [{ Actions: [{ Name: 'A', ActionTypeId: { Provider: 'Manual' } }] }] }), /Properties\.Stages\.0\.Name: is required/],
    ['an action without provider', templateWith({ Stages: [{ Name: 'S', Actions: [{ Name: 'A', ActionTypeId: {} }] }] }), /Properties\.Stages\.0\.Actions\.0\.ActionTypeId\.Provider: is required/],
    ['a run order that is no integer', templateWith({ Stages: [{ Name: 'S', Actions: [{ Name: 'A', ActionTypeId: { Provider: 'Manual' }, RunOrder: { Ref: 'Order' } }] }] }), /RunOrder of action A in stage S must be an integer, not \$\{Ref:Order\}/],
  ])('rejects %s with a clear error', (_why, template, message) => {
    expect(() => pipelineLayout(template)).toThrow(MalformedInputError);
    expect(() => pipelineLayout(template)).toThrow(message);
  });

  it('finds only V2 pipelines', () => {
    expect(v2PipelineIds({ Resources: { A: { Type: 'AWS::CodePipeline::Pipeline', Properties: { PipelineType: 'V2' } }, B: { Type: 'AWS::S3::Bucket', Properties: { PipelineType: 'V2' } }, C: 'junk' } })).toEqual(['A']);
  });
});
