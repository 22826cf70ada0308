import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { HISTORY_TABLE } from '../../../src/pipeline/domain/history/table-keys.js';
import { applicationStageName, infrastructureStageName } from '../../../src/pipeline/domain/stage-names.js';
import type { EnvironmentName } from '../../../src/shared/config/schema.js';

/** Properties of {@link OperatorPolicy}. */
export interface OperatorPolicyProps {
  /** The pipeline's name: the policy is `<pipelineName>-operator`, and the pipeline the commands control. */
  readonly pipelineName: string;
  /** The environments whose stages `kiro-cd rollback` may roll back. */
  readonly environments: readonly EnvironmentName[];
  /** The deployment history every operational command reads (and `rollback` writes its events to). */
  readonly historyTable: dynamodb.ITable;
  /** The rollback ledger whose lease `rollback` takes. */
  readonly ledgerTable: dynamodb.ITable;
  /** The topic `rollback --notify-topic` publishes its notices to. */
  readonly teamTopic: sns.ITopic;
  /** The customer key of the tables and the topic. */
  readonly key: kms.IKey;
  /** The name of the health monitor's state machine, whose review pauses `approve`/`reject` answer. */
  readonly healthMonitorName: string;
}

/**
 * `<pipelineName>-operator`: a customer-managed policy for the on-call engineer who runs `kiro-cd`
 * (status, history, dora, rollback, approve, reject) and nothing else. Every statement is one the
 * CLI's recorded calls need, on the resources they name: the least-privilege proof
 * (test/iam/least-privilege.test.ts) runs each command with the call recorder on, simulates every
 * call against this policy and fails on a denied call or an unused grant. It lives in the pipeline
 * runtime stack, beside the tables, topic and state machine it names; docs/cli.md says how to
 * attach it to a role or an IAM Identity Center permission set.
 */
export class OperatorPolicy extends Construct {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: OperatorPolicyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const pipelineArn = stack.formatArn({ service: 'codepipeline', resource: props.pipelineName });
    const history = props.historyTable.tableArn;
    const healthMonitorArn = stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: props.healthMonitorName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      managedPolicyName: `${props.pipelineName}-operator`,
      description: `Runs every kiro-cd operational command on ${props.pipelineName} (status, history, dora, rollback, approve, reject) and nothing else`,
      statements: [
        // The commands find the history and ledger tables among this stack's resources (ListStackResources by stack name, authorized on the stack's ARN).
        new iam.PolicyStatement({ sid: 'FindRuntimeTables', actions: ['cloudformation:ListStackResources'], resources: [stack.stackId] }),
        // PutItem authorizes on the table only; Query on the table and on each index it reads (Service Authorization Reference, DynamoDB).
        // UpdateItem: a rollback's restart marker names a commit, so it also enters the execution's summary item (docs/history-summary.md).
        new iam.PolicyStatement({ sid: 'History', actions: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [history] }),
        new iam.PolicyStatement({ sid: 'HistoryIndexes', actions: ['dynamodb:Query'], resources: Object.values(HISTORY_TABLE.indexes).map((index) => `${history}/index/${index.name}`) }),
        new iam.PolicyStatement({ sid: 'RollbackLease', actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [props.ledgerTable.tableArn] }),
        new iam.PolicyStatement({ sid: 'ReadAndRestartPipeline', actions: ['codepipeline:GetPipelineState', 'codepipeline:GetPipelineExecution', 'codepipeline:ListPipelineExecutions', 'codepipeline:StartPipelineExecution'], resources: [pipelineArn] }),
        // RollbackStage is authorized on the stage (`<pipeline ARN>/<stage>`): only the stages that deploy an environment.
        new iam.PolicyStatement({
          sid: 'RollBackEnvironmentStages',
          actions: ['codepipeline:RollbackStage'],
          resources: props.environments.flatMap((environment) => [infrastructureStageName(environment), applicationStageName(environment)].map((stage) => `${pipelineArn}/${stage}`)),
        }),
        new iam.PolicyStatement({ sid: 'NotifyRollback', actions: ['sns:Publish'], resources: [props.teamTopic.topicArn] }),
        // Step Functions authorizes SendTask* against the state machine that issued the token (docs/policy-gates.md, "SendTask* resource").
        new iam.PolicyStatement({ sid: 'AnswerReview', actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [healthMonitorArn] }),
        // DynamoDB and SNS use the customer key on the caller's behalf; only through those services.
        new iam.PolicyStatement({
          sid: 'UseKeyThroughServices',
          actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
          resources: [props.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': [`dynamodb.${stack.region}.amazonaws.com`, `sns.${stack.region}.amazonaws.com`] } },
        }),
      ],
    });
  }
}
