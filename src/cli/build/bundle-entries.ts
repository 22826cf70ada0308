import type { BundleEntry } from '../../pipeline/adapters/tools/bundle-inspector.js';

/** NodejsFunction's default on Node 18+ runtimes: the runtime provides AWS SDK v3, so it is not bundled. */
const LAMBDA_EXTERNALS = ['@aws-sdk/*'];

const lambda = (name: string, entry: string): BundleEntry => ({ name, entry, external: LAMBDA_EXTERNALS });

/**
 * Every bundle the CDK app builds, with its entry point: the pipeline's Lambda handlers and the
 * worker's two Lambdas (the customer's command runs in CodeBuild from its buildspec, no bundle).
 * test/unit/cli/build/bundle-entries.test.ts checks this list against the constructs.
 */
export const BUNDLE_ENTRIES: readonly BundleEntry[] = [
  lambda('worker-poller', 'src/worker/handlers/poller.ts'),
  lambda('worker-build-end', 'src/worker/handlers/build-state-change.ts'),
  ...['health-monitor', 'alarm-state-change', 'rollback-trigger', 'rollback-advance', 'record-pipeline-event', 'notify-pipeline-event', 'publish-delivery-metrics', 'update-commit-status'].map((name) =>
    lambda(name, `src/pipeline/handlers/${name}.ts`),
  ),
];
