/**
 * CDK's built-in CloudFormation validation (aws-cdk-lib 2.276, `@aws/cloudformation-validate`) is a
 * WebAssembly module that compiles its rules into an engine and then checks each template, once per
 * synthesis and for a few seconds only. V8 compiles WebAssembly first with its baseline compiler,
 * Liftoff, and recompiles the functions it finds hot with its optimizing compiler, TurboFan
 * ("WebAssembly compilation pipeline", https://v8.dev/docs/wasm-compilation-pipeline; dynamic
 * tiering, https://v8.dev/blog/wasm-dynamic-tiering). For a job this short the recompiling costs more
 * than the faster code gains: validating the product's assembly alone took 3.8–4.6 CPU-s with tiering
 * and 2.3–3.5 CPU-s with Liftoff alone (7 and 6 runs), with the same findings on an assembly given
 * four (docs/fast-feedback.md). So a process about to validate a synthesis tells V8 to keep
 * Liftoff's code, the `--liftoff-only` flag of that page; applyPolicyPlugins does it, as every
 * validated synthesis (app.ts, the tests' shared one) calls it just before `app.synth()`.
 *
 * The flag holds for the rest of the process and for every WebAssembly module compiled from then on
 * (a module compiled before keeps its tiers); the code it runs is the same, only the compiler
 * differs. Node.js's `v8.setFlagsFromString` is documented as taking effect or not, with no promise
 * (https://nodejs.org/api/v8.html#v8setflagsfromstringflags), so nothing may depend on it but cost.
 */
import { setFlagsFromString } from 'node:v8';

/** Makes V8 compile the WebAssembly modules of this process with Liftoff only, from now on (see the file's comment). */
export function validateWithBaselineWasmCode(): void {
  setFlagsFromString('--liftoff-only');
}
