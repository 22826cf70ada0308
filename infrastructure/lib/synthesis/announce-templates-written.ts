/**
 * Tells another process the moment the cloud assembly is complete, before CDK validates it.
 *
 * Why this moment exists (aws-cdk-lib 2.276, `core/lib/private/synthesis.js`, function `synthesize`):
 * `synthNestedAssemblies` writes every nested Stage's assembly (templates and manifest) first; then
 * `synthesizeTree` writes the App's own stack templates; then `builder.buildAssembly()` writes the
 * root `manifest.json`, which names every artifact; only then does `validateTemplates`
 * (`synthesis-validation.js`) run the validation plugins (cdk-nag) and the built-in CloudFormation
 * validator over the written templates and write `validation-report.json`. Validation plugins are
 * handed template *paths* (`IPolicyValidationPlugin.validate` gets `templatePaths`), so the
 * templates are final by then; a plugin that changed them would break CDK's own check
 * (`IllegalPluginOperation`). Validation is a large share of the synthesis (~10 s of 25 s idle).
 *
 * There is no public hook between the two steps, so the root builder's `buildAssembly` (a public
 * method of the public `CloudAssemblyBuilder`) is wrapped: when the App's builder (the one without
 * a parent; nested Stages' builders have one) has written its manifest, and every template the
 * assembly names exists, `announce` is called once, synchronously, while validation has not begun.
 * If a later aws-cdk-lib moved validation before `buildAssembly`, the announcement would come after
 * validation: later than it could, never early. test/unit/infrastructure/synthesis/announce-templates-written.test.ts
 * pins the order on a real synthesis.
 */
import { existsSync } from 'node:fs';
import { CloudAssemblyBuilder } from 'aws-cdk-lib/cx-api';

/**
 * Calls `announce` once, the first time an App's cloud assembly has been written (templates, nested
 * assemblies and root manifest) and before CDK validates it. Returns a function that removes the
 * hook again (tests; `npm run synth` ends with the process).
 */
export function announceTemplatesWritten(announce: () => void): () => void {
  const prototype = CloudAssemblyBuilder.prototype;
  const original = Object.getOwnPropertyDescriptor(prototype, 'buildAssembly');
  if (original === undefined || typeof original.value !== 'function') throw new Error('aws-cdk-lib changed: CloudAssemblyBuilder has no buildAssembly method to follow.');
  const build = original.value as CloudAssemblyBuilder['buildAssembly'];
  let announced = false;
  prototype.buildAssembly = function buildAssembly(this: CloudAssemblyBuilder, ...args: Parameters<CloudAssemblyBuilder['buildAssembly']>) {
    const assembly = build.apply(this, args);
    // `parentBuilder` is declared private; only a nested Stage's builder has one.
    const nested = (this as unknown as { readonly parentBuilder?: unknown }).parentBuilder !== undefined;
    if (!announced && !nested && assembly.stacksRecursively.every((stack) => existsSync(stack.templateFullPath))) {
      announced = true;
      announce();
    }
    return assembly;
  };
  return () => {
    Object.defineProperty(prototype, 'buildAssembly', original);
  };
}
