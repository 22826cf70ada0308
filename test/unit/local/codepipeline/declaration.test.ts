import { describe, expect, it } from 'vitest';
import { parsePipelineDeclaration } from '../../../../src/local/codepipeline/declaration.js';

const source = { Name: 'Source', Actions: [{ Name: 'GitHub_Source', ActionTypeId: { Category: 'Source', Provider: 'CodeStarSourceConnection' }, Configuration: { BranchName: 'main' } }] };

describe('parsePipelineDeclaration (the local CodePipeline reads the resource through the project\'s one reader)', () => {
  it('takes variables, namespaces, conditions and OnFailure from the resolved properties', () => {
    const declaration = parsePipelineDeclaration({
      Name: 'kiro',
      PipelineType: 'V2',
      ExecutionMode: 'SUPERSEDED',
      RestartExecutionOnUpdate: true,
      Variables: [{ Name: 'KIRO_ROLLBACK', DefaultValue: 'false' }],
      Stages: [
        source,
        {
          Name: 'Deploy',
          Actions: [{ Name: 'Run', ActionTypeId: { Category: 'Build', Provider: 'CodeBuild' }, RunOrder: 2, Namespace: 'RunVars', Configuration: { ProjectName: 'p' } }],
          BeforeEntry: { Conditions: [{ Result: 'SKIP', Rules: [{ Name: 'Rollback', RuleTypeId: { Provider: 'VariableCheck' }, Configuration: { Variable: '#{variables.KIRO_ROLLBACK}', Value: 'true', Operator: 'EQ' } }] }] },
          OnFailure: { Result: 'ROLLBACK' },
        },
      ],
    });
    expect(declaration.restartExecutionOnUpdate).toBe(true);
    expect(declaration.variables).toEqual([{ name: 'KIRO_ROLLBACK', defaultValue: 'false' }]);
    const deploy = declaration.stages[1];
    expect(deploy?.actions[0]).toMatchObject({ name: 'Run', runOrder: 2, namespace: 'RunVars', configuration: { ProjectName: 'p' } });
    expect(deploy?.beforeEntry).toEqual([{ result: 'SKIP', rules: [{ name: 'Rollback', provider: 'VariableCheck', configuration: { Variable: '#{variables.KIRO_ROLLBACK}', Value: 'true', Operator: 'EQ' } }] }]);
    expect(deploy?.onFailure).toEqual({ result: 'ROLLBACK', rules: [] });
  });

  it('refuses a stage without actions, naming where', () => {
    expect(() => parsePipelineDeclaration({ Name: 'kiro', Stages: [source, { Name: 'Empty', Actions: [] }] })).toThrow(/kiro is not a pipeline declaration: Stages\.1\.Actions: a stage needs at least one action/);
  });

  it('refuses properties that are no pipeline at all', () => {
    expect(() => parsePipelineDeclaration({ Stages: [] })).toThrow(/has no Name or Stages/);
  });
});
