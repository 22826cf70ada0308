import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { AssetHashType, DockerImage, Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { acknowledgeLogStreamWildcard } from './log-stream-acknowledgement.js';
import type { WorkerCoreReferences } from './worker-core-references.js';
import { WORKER_ENVIRONMENT } from '../../../../src/worker/domain/build-environment.js';
import { CODEBUILD_NODE_VERSION } from '../../../../src/pipeline/domain/plan/codebuild-actions.js';

const WORKER_ENTRY = fileURLToPath(new URL('../../../../src/worker/handlers/run-work-item-entry.ts', import.meta.url));
const WORKER_SOURCE_DIR = fileURLToPath(new URL('../../../../src/worker', import.meta.url));
const BUNDLE_FILE = 'run-work-item.mjs';

/** Properties of {@link WorkerProject}. */
export interface WorkerProjectProps extends WorkerCoreReferences {
  /**
   * The command that implements a work item. It runs with KIRO_WORK_ITEM_ID, KIRO_REPOSITORY and
   * KIRO_BRANCH set; exit code 0 marks the item done, anything else failed. Either way the worker
   * build itself succeeds once the item is recorded: only the worker's own anomalies fail the build
   * (and count towards the worker-build-failures alarm).
   */
  readonly implementationCommand: string;
  /**
   * Longest a build may run; the poller's lock lease is derived from it.
   * @default Duration.minutes(60)
   */
  readonly timeout?: Duration;
  /**
   * How long before the build's timeout the implementation command is stopped, so the worker can
   * record the item failed instead of the build timing out (a TIMED_OUT build counts in FailedBuilds).
   * @default Duration.minutes(10)
   */
  readonly commandDeadlineMargin?: Duration;
}

/**
 * The CodeBuild project that runs the worker: its source is the worker bundled by esbuild at synth
 * time (an S3 asset, no Docker), its buildspec only calls that bundle. The role is built here with
 * explicit actions and handed to the project immutable, so CodeBuild's own grants (which include
 * wildcard actions such as `s3:GetObject*`) are not added.
 */
export class WorkerProject extends Construct {
  readonly project: codebuild.Project;
  readonly role: iam.Role;
  /** Build timeout, for the lock lease. */
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: WorkerProjectProps) {
    super(scope, id);
    this.timeout = props.timeout ?? Duration.minutes(60);
    const deadline = this.timeout.minus(props.commandDeadlineMargin ?? Duration.minutes(10));
    if (deadline.toSeconds() <= 0) throw new Error(`The worker build timeout (${this.timeout.toHumanString()}) must be longer than the command deadline margin.`);
    const bundle = new s3assets.Asset(this, 'WorkerBundle', {
      path: WORKER_SOURCE_DIR,
      // Hash the bundle, not src/worker: it also holds src/shared, src/pipeline/ports and the SDK, and a
      // source hash would leave a changed bundle unpublished and undeployed (CDK AssetStaging).
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Local bundling always succeeds, so this image is never pulled: no Docker is needed.
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:20-slim'),
        local: {
          tryBundle(outputDir: string): boolean {
            buildSync({
              entryPoints: [WORKER_ENTRY],
              outfile: `${outputDir}/${BUNDLE_FILE}`,
              bundle: true,
              platform: 'node',
              target: 'node20',
              format: 'esm',
              minify: true,
              logLevel: 'error',
              // The AWS SDK's CommonJS parts call require(); give the ESM bundle one.
              banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
            });
            return true;
          },
        },
      },
    });

    const logGroup = logs.LogGroup.fromLogGroupName(this, 'LogGroup', props.logGroupName);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
      description: 'Kiro worker builds: read the worker bundle, update work items and locks, write logs',
    });
    const statements = [
      new iam.PolicyStatement({ sid: 'WriteBuildLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
      new iam.PolicyStatement({ sid: 'ReadWorkerBundle', actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [bundle.bucket.arnForObjects(bundle.s3ObjectKey)] }),
      new iam.PolicyStatement({ sid: 'LocateWorkerBundle', actions: ['s3:GetBucketAcl', 's3:GetBucketLocation'], resources: [bundle.bucket.bucketArn] }),
      new iam.PolicyStatement({ sid: 'UseKey', actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [props.key.keyArn] }),
      new iam.PolicyStatement({ sid: 'UpdateWorkItems', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [props.workItemsTableArn] }),
      new iam.PolicyStatement({ sid: 'ReleaseLocks', actions: ['dynamodb:DeleteItem'], resources: [props.lockTableArn] }),
    ];
    for (const statement of statements) this.role.addToPrincipalPolicy(statement);
    acknowledgeLogStreamWildcard(this.role, props.logGroupName);

    this.project = new codebuild.Project(this, 'Project', {
      description: 'Kiro CodeBuild Worker: implements one work item per build (started by the poller)',
      role: this.role.withoutPolicyUpdates(),
      source: codebuild.Source.s3({ bucket: bundle.bucket, path: bundle.s3ObjectKey }),
      encryptionKey: props.key,
      timeout: this.timeout,
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL },
      environmentVariables: {
        [WORKER_ENVIRONMENT.workItemsTable]: { value: props.workItemsTableName },
        [WORKER_ENVIRONMENT.lockTable]: { value: props.lockTableName },
        [WORKER_ENVIRONMENT.implementationCommand]: { value: props.implementationCommand },
        [WORKER_ENVIRONMENT.commandDeadlineSeconds]: { value: String(deadline.toSeconds()) },
      },
      logging: { cloudWatch: { logGroup } },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          install: { 'runtime-versions': { nodejs: CODEBUILD_NODE_VERSION } },
          build: { commands: [`node ${BUNDLE_FILE}`] },
        },
      }),
    });
    // CodeBuild checks the role when the project is created; make sure its policy exists first.
    this.project.node.addDependency(this.role);
  }
}
