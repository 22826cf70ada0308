/**
 * The CDK App for tests that read template shape (resources, properties, policies, definitions)
 * and never a Lambda bundle or an asset hash. Two things every such synthesis paid for and no such
 * test reads are switched off:
 *
 * - **Lambda bundling.** The context key `aws:cdk:bundling-stacks` lists the stacks whose assets
 *   are bundled (the CDK CLI sets it for `cdk deploy --exclusively`); an empty list bundles none.
 *   aws-cdk-lib's AssetStaging then runs no esbuild, stages nothing into the assembly, and gives the
 *   asset a hash of its construct path instead of the bundle's content: the template's shape is the
 *   same, only the S3 key of each function's code differs (docs/synthesis-in-tests.md;
 *   test/unit/support/test-app.test.ts proves it on a stack with two functions). A bundling app otherwise
 *   builds every Lambda entry point in one esbuild run (infrastructure/lib/constructs/lambda-bundler.ts,
 *   docs/lambda-bundling.md), whichever functions it defines.
 * - **CDK's built-in CloudFormation validation** (~10 s a synthesis, GROUND.md): the suite keeps one
 *   full-validation synthesis, the shared one (synthesize-product.ts).
 *
 * A test that reads a bundle or depends on the asset hash passes `bundling: true`.
 */
import { App, type AppProps } from 'aws-cdk-lib';

/** CDK's context key naming the stacks whose assets are bundled (cx-api `BUNDLING_STACKS`). */
export const BUNDLING_STACKS_CONTEXT = 'aws:cdk:bundling-stacks';

/** What {@link testApp} takes: App props, and whether to bundle. */
export interface TestAppProps extends AppProps {
  /**
   * Bundle every Lambda function with esbuild, as `cdk synth` does.
   * @default false
   */
  readonly bundling?: boolean;
}

/** An App with built-in validation off and (unless `bundling: true`) no asset bundled. */
export function testApp(props: TestAppProps = {}): App {
  const { bundling = false, context, ...rest } = props;
  return new App({
    builtinCloudFormationValidation: false,
    ...rest,
    context: { ...context, ...(bundling ? {} : { [BUNDLING_STACKS_CONTEXT]: [] }) },
  });
}
