/**
 * Bundles every Lambda function of a synthesis with ONE esbuild run instead of one per function.
 *
 * NodejsFunction bundles each function when it is constructed, with a fresh `npx --no-install
 * esbuild …` process (aws-cdk-lib 2.276 aws-lambda-nodejs/lib/bundling.js, `getLocalBundlingProvider`):
 * ten processes a synthesis, ~1 s of CPU each on a 2-core machine, mostly npx's and esbuild's start.
 * Here each function gets its code from `Code.fromAsset` with the documented local-bundling hook of
 * asset bundling (`BundlingOptions.local`, `ILocalBundling.tryBundle`, which CDK calls before it would
 * use Docker, and which never declines here). The first `tryBundle` of an app runs esbuild's JS API
 * once over every entry point it knows (LAMBDA_ENTRY_POINTS and every entry asked for so far) and
 * keeps the outputs in memory; every later `tryBundle` writes its function's output. esbuild bundles
 * each entry point of a build without code splitting on its own, so each output is byte for byte
 * what a run over that entry alone writes (lambda-bundler.test.ts checks this against NodejsFunction's
 * own bundling), and therefore has the same asset hash.
 *
 * Asset hash: NodejsFunction stages its code with `assetHashType: OUTPUT` unless given an
 * `assetHash` (`Bundling.bundle` in aws-cdk-lib 2.276 aws-lambda-nodejs/lib/bundling.js), and
 * AssetStaging then hashes the bundled output directory (`calculateHash` in core/lib/asset-staging.js:
 * `FileSystem.fingerprint(outputDir)`, the relative file names and their contents). This module passes
 * the same `assetHashType: OUTPUT` from the same source directory (the repository root), so an
 * identical bundle gets the identical, content-derived hash. docs/lambda-bundling.md has the AWS CDK
 * documentation this rests on.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AssetHashType, FeatureFlags, type BundlingOptions as AssetBundlingOptions, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LAMBDA_NODEJS_SDK_V3_EXCLUDE_SMITHY_PACKAGES } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { buildSync, type BuildOptions, type OutputFile } from 'esbuild';
import { KiroCdError } from '../../../src/shared/errors.js';
import { LAMBDA_BUNDLING, LAMBDA_ENTRY_POINTS, REPOSITORY_ROOT } from './lambda-bundling.js';

/**
 * A bundle could not be made, or the bundling options cannot be carried to esbuild: the message names
 * the entry point (when there is one) and carries esbuild's errors.
 */
export class LambdaBundlingError extends KiroCdError {
  constructor(message: string, entry?: string, cause?: unknown) {
    super(message, { code: 'LAMBDA_BUNDLING_FAILED', fault: 'internal', cause, context: entry === undefined ? {} : { entry } });
  }
}

/** One esbuild build that keeps its outputs in memory (esbuild's `buildSync` with `write: false`). */
export type EsbuildBuild = (options: BuildOptions & { readonly write: false }) => { readonly outputFiles?: readonly OutputFile[] };

/** What {@link LambdaBundler} takes. */
export interface LambdaBundlerProps {
  /**
   * The project root: esbuild's working directory, the directory every entry lies under, and the
   * asset's source directory (as NodejsFunction's `projectRoot`).
   * @default REPOSITORY_ROOT
   */
  readonly root?: string;
  /**
   * The entry points the first esbuild run bundles besides those already asked for.
   * @default LAMBDA_ENTRY_POINTS
   */
  readonly entryPoints?: readonly string[];
  /**
   * The bundling options, in NodejsFunction's terms.
   * @default LAMBDA_BUNDLING
   */
  readonly bundling?: BundlingOptions;
  /**
   * Runs one esbuild build.
   * @default esbuild's `buildSync`
   */
  readonly build?: EsbuildBuild;
}

/** The options of NodejsFunction's bundling that {@link esbuildOptionsOf} carries to esbuild. */
const CARRIED_OPTIONS: ReadonlySet<string> = new Set(['format', 'target', 'minify', 'sourceMap', 'forceDockerBundling', 'banner']);

/**
 * The esbuild build options that NodejsFunction's local bundling gives the esbuild CLI for
 * `bundling` (aws-cdk-lib 2.276 `Bundling.buildEsbuildArgs`): `--bundle --platform=node`, the format
 * when set, the target (the runtime's Node version unless set), `--minify`, the externals and the JS
 * banner. An option this does not carry throws rather than being dropped without a word.
 */
export function esbuildOptionsOf(bundling: BundlingOptions, runtime: lambda.Runtime, externals: readonly string[]): BuildOptions {
  const notCarried = Object.keys(bundling).filter((key) => !CARRIED_OPTIONS.has(key));
  if (notCarried.length > 0 || bundling.forceDockerBundling === true || bundling.sourceMap === true) {
    const options = [...notCarried, ...(bundling.forceDockerBundling === true ? ['forceDockerBundling: true'] : []), ...(bundling.sourceMap === true ? ['sourceMap: true'] : [])];
    throw new LambdaBundlingError(
      `The Lambda bundling option(s) ${options.join(', ')} are not carried to the one esbuild run of lambda-bundler.ts; add them to esbuildOptionsOf as NodejsFunction's Bundling.buildEsbuildArgs renders them.`,
    );
  }
  return {
    bundle: true,
    platform: 'node',
    ...(bundling.format === undefined ? {} : { format: bundling.format }),
    target: bundling.target ?? nodeTargetOf(runtime),
    minify: bundling.minify === true,
    external: [...externals],
    ...(bundling.banner === undefined ? {} : { banner: { js: bundling.banner } }),
    logLevel: 'warning',
  };
}

/** NodejsFunction's default target: `node` and the runtime's major version (`toTarget`). */
function nodeTargetOf(runtime: lambda.Runtime): string {
  const version = /nodejs(\d+)/.exec(runtime.name)?.[1];
  if (version === undefined) throw new LambdaBundlingError(`Cannot tell the Node.js version of the runtime ${runtime.name}.`);
  return `node${version}`;
}

/**
 * The modules NodejsFunction leaves to a Node 18+ runtime, which provides AWS SDK v3: `@aws-sdk/*`,
 * and `@smithy/*` too where the feature flag `@aws-cdk/aws-lambda-nodejs:sdkV3ExcludeSmithyPackages`
 * is on (the Bundling constructor in aws-cdk-lib 2.276).
 */
function sdkExternalsOf(scope: IConstruct, runtime: lambda.Runtime): string[] {
  const version = Number(/nodejs(\d+)/.exec(runtime.name)?.[1] ?? 0);
  if (version < 18) throw new LambdaBundlingError(`The runtime ${runtime.name} does not provide AWS SDK v3, which the Lambda bundles leave out.`);
  return FeatureFlags.of(scope).isEnabled(LAMBDA_NODEJS_SDK_V3_EXCLUDE_SMITHY_PACKAGES) === true ? ['@aws-sdk/*', '@smithy/*'] : ['@aws-sdk/*'];
}

/** Where the outputs of a run would go: nothing is written there (`write: false`), it only names them. */
const VIRTUAL_OUTDIR = 'lambda-bundles';

/** The bundles of one set of esbuild options: built by one run, kept in memory. */
class BundleBatch {
  /** The bundle's file name in the asset, as NodejsFunction names it. */
  readonly outputFile: string;
  readonly #outputs = new Map<string, Uint8Array>();
  readonly #pending = new Set<string>();
  #batchFailed = false;

  constructor(
    readonly options: BuildOptions,
    private readonly root: string,
    private readonly build: EsbuildBuild,
    declared: readonly string[],
  ) {
    this.outputFile = options.format === 'esm' ? 'index.mjs' : 'index.js';
    for (const entry of declared) this.#pending.add(entry);
  }

  /** Adds `entry` to what the next run bundles. */
  request(entry: string): void {
    if (!this.#outputs.has(entry)) this.#pending.add(entry);
  }

  /** The bundle of `entry`: from the run that built it, or from a run over everything still pending. */
  bundle(entry: string): Uint8Array {
    const built = this.#outputs.get(entry);
    if (built !== undefined) return built;
    this.#pending.add(entry);
    if (!this.#batchFailed) {
      try {
        this.#run([...this.#pending]);
      } catch (error) {
        // Some entry point does not build. From here on each function is bundled alone, so that the
        // failure is reported by the function whose code fails, as NodejsFunction reports it.
        this.#batchFailed = true;
        process.stderr.write(`One esbuild run over every Lambda failed; bundling each function alone to find which one fails.\n${errorText(error)}\n`);
      }
    }
    const batched = this.#outputs.get(entry);
    if (batched !== undefined) return batched;
    try {
      this.#run([entry]);
    } catch (error) {
      throw new LambdaBundlingError(`esbuild could not bundle ${entry}: ${errorText(error)}`, entry, error);
    }
    const alone = this.#outputs.get(entry);
    if (alone === undefined) throw new LambdaBundlingError(`esbuild wrote no bundle for ${entry}.`, entry);
    return alone;
  }

  #run(entries: readonly string[]): void {
    const outdir = join(this.root, VIRTUAL_OUTDIR);
    const result = this.build({
      ...this.options,
      absWorkingDir: this.root,
      // Relative to the working directory, as NodejsFunction passes the entry to the esbuild CLI.
      entryPoints: entries.map((entry, index) => ({ in: entry, out: String(index) })),
      outdir,
      write: false,
    });
    const files = new Map((result.outputFiles ?? []).map((file) => [file.path, file.contents]));
    entries.forEach((entry, index) => {
      const contents = files.get(join(outdir, `${index}.js`));
      if (contents === undefined) throw new LambdaBundlingError(`esbuild wrote no bundle for ${entry}.`, entry);
      this.#outputs.set(entry, contents);
      this.#pending.delete(entry);
    });
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One function's local bundling. CDK keys its in-process asset cache (and, where bundling is skipped,
 * the asset hash) on the JSON of the bundling options, so the public fields say which entry with
 * which options; the batch is private and stays out of that JSON.
 */
class EntryBundling implements ILocalBundling {
  readonly entry: string;
  readonly esbuild: string;
  readonly #batch: BundleBatch;

  constructor(batch: BundleBatch, entry: string) {
    this.#batch = batch;
    this.entry = entry;
    this.esbuild = JSON.stringify(batch.options);
  }

  tryBundle(outputDir: string): boolean {
    const bundle = this.#batch.bundle(this.entry);
    mkdirSync(outputDir, { recursive: true });
    writeFileSync(join(outputDir, this.#batch.outputFile), bundle);
    return true;
  }
}

/** The bundler of each app (the root of the construct tree). */
const BUNDLERS = new WeakMap<IConstruct, LambdaBundler>();

/**
 * The Lambda bundles of one app: every function's code, made by one esbuild run. Get it with
 * {@link LambdaBundler.of}.
 */
export class LambdaBundler {
  /** The bundler of the app `scope` is in; the product's (repository root, LAMBDA_ENTRY_POINTS, LAMBDA_BUNDLING) unless {@link LambdaBundler.use} set another. */
  static of(scope: IConstruct): LambdaBundler {
    const root = scope.node.root;
    let bundler = BUNDLERS.get(root);
    if (bundler === undefined) {
      bundler = new LambdaBundler();
      BUNDLERS.set(root, bundler);
    }
    return bundler;
  }

  /** Makes `bundler` the one of `app`'s tree; only before any function of the app asked for its code. */
  static use(app: IConstruct, bundler: LambdaBundler): void {
    if (BUNDLERS.has(app.node.root)) throw new LambdaBundlingError(`${app.node.path || 'The app'} already has a Lambda bundler: set it before adding any function.`);
    BUNDLERS.set(app.node.root, bundler);
  }

  private readonly root: string;
  private readonly entryPoints: readonly string[];
  private readonly bundling: BundlingOptions;
  private readonly build: EsbuildBuild;
  private readonly batches = new Map<string, BundleBatch>();
  private readonly requested = new Set<string>();

  constructor(props: LambdaBundlerProps = {}) {
    this.root = resolve(props.root ?? REPOSITORY_ROOT);
    this.bundling = props.bundling ?? LAMBDA_BUNDLING;
    this.build = props.build ?? ((options) => buildSync(options));
    this.entryPoints = (props.entryPoints ?? LAMBDA_ENTRY_POINTS).map((entry) => this.relativeEntry(entry));
  }

  /** The entry points functions asked for, relative to the root, in the order asked. */
  get requestedEntries(): readonly string[] {
    return [...this.requested];
  }

  /**
   * The code of a function whose handler is in `entry` (a TypeScript file under the root), for
   * `runtime`: an asset bundled by the app's one esbuild run, hashed by its content.
   */
  code(scope: IConstruct, entry: string, runtime: lambda.Runtime): lambda.Code {
    const relativeEntry = this.relativeEntry(entry);
    if (!existsSync(join(this.root, relativeEntry))) throw new LambdaBundlingError(`${scope.node.path}: cannot find the Lambda entry point ${entry}.`, relativeEntry);
    const options = esbuildOptionsOf(this.bundling, runtime, sdkExternalsOf(scope, runtime));
    const key = JSON.stringify(options);
    let batch = this.batches.get(key);
    if (batch === undefined) {
      batch = new BundleBatch(options, this.root, this.build, this.entryPoints);
      this.batches.set(key, batch);
    }
    batch.request(relativeEntry);
    this.requested.add(relativeEntry);
    const bundling: AssetBundlingOptions = {
      // Required by the type; never used, as the local bundling below never declines (no Docker here).
      image: runtime.bundlingImage,
      local: new EntryBundling(batch, relativeEntry),
    };
    // The same source directory and hash type as NodejsFunction's own asset (see the top of this file).
    return lambda.Code.fromAsset(this.root, { assetHashType: AssetHashType.OUTPUT, bundling });
  }

  /** `entry` relative to the root with `/` separators; an entry outside the root is refused, as NodejsFunction refuses it. */
  private relativeEntry(entry: string): string {
    const path = relative(this.root, resolve(this.root, entry));
    if (path === '' || path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path)) {
      throw new LambdaBundlingError(`The Lambda entry point ${entry} is not under the project root ${this.root}.`, entry);
    }
    return path.split(sep).join('/');
  }
}
