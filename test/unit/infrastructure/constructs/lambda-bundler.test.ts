import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duration, Stack, type App } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../../infrastructure/lib/config/load-config.js';
import { encryptedFunction } from '../../../../infrastructure/lib/constructs/encrypted-function.js';
import { LambdaBundler, esbuildOptionsOf, type EsbuildBuild } from '../../../../infrastructure/lib/constructs/lambda-bundler.js';
import { DEPENDENCIES_LOCK_FILE, LAMBDA_BUNDLING, LAMBDA_ENTRY_POINTS, REPOSITORY_ROOT } from '../../../../infrastructure/lib/constructs/lambda-bundling.js';
import { buildKiroCdApp } from '../../../../infrastructure/lib/kiro-cd-app.js';
import { testApp } from '../../../support/test-app.js';

/** esbuild's buildSync, recording the entry points of every run. */
function countingBuild(runs: string[][]): EsbuildBuild {
  return (options) => {
    runs.push((options.entryPoints as { in: string }[]).map((entry) => entry.in));
    return buildSync(options);
  };
}

/** A stack of `app` with a key, for functions. */
function functionStack(app: App): { stack: Stack; key: kms.Key } {
  const stack = new Stack(app, 'Functions', { env: { account: '111111111111', region: 'us-east-1' } });
  return { stack, key: new kms.Key(stack, 'Key', { enableKeyRotation: true }) };
}

/** One product-style function of `entry` (under `root`) in `stack`. */
function addFunction(stack: Stack, key: kms.Key, id: string, entry: string): NodejsFunction {
  return encryptedFunction(stack, id, {
    entry,
    description: id,
    key,
    timeout: Duration.seconds(10),
    environment: {},
    statements: [],
    logGroupName: `/test/${id}`,
    noVpcReason: 'a test function that is never deployed and reaches no endpoint',
  });
}

/** The hash of a function's code asset (the content fingerprint of its bundle when bundled). */
function assetHashOf(fn: lambda.Function): string {
  const code = fn.node.findChild('Code');
  if (!(code instanceof s3assets.Asset)) throw new Error(`${fn.node.path} has no code asset`);
  return code.assetHash;
}

/** A construct id for an entry point. */
const idOf = (entry: string): string => entry.replace(/[^A-Za-z0-9]/g, '');

const sortedEntries = [...LAMBDA_ENTRY_POINTS].sort();

describe('LambdaBundler: one esbuild run bundles every Lambda of a synthesis, byte for byte as one run per function', () => {
  const directories: string[] = [];
  const outdir = (): string => {
    const directory = mkdtempSync(join(tmpdir(), 'kiro-lambda-bundler-'));
    directories.push(directory);
    return directory;
  };
  afterAll(() => {
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  });

  describe('every product entry point', () => {
    const batchedRuns: string[][] = [];
    const aloneRuns: string[][] = [];
    const batched = new Map<string, string>();
    const alone = new Map<string, string>();
    beforeAll(() => {
      const batchedApp = testApp({ outdir: outdir(), bundling: true });
      LambdaBundler.use(batchedApp, new LambdaBundler({ build: countingBuild(batchedRuns) }));
      const first = functionStack(batchedApp);
      // An app that declares no entry point bundles each function in a run of its own: the
      // per-function esbuild output that NodejsFunction made before.
      const aloneApp = testApp({ outdir: outdir(), bundling: true });
      LambdaBundler.use(aloneApp, new LambdaBundler({ entryPoints: [], build: countingBuild(aloneRuns) }));
      const second = functionStack(aloneApp);
      for (const entry of LAMBDA_ENTRY_POINTS) {
        batched.set(entry, assetHashOf(addFunction(first.stack, first.key, idOf(entry), join(REPOSITORY_ROOT, entry))));
        alone.set(entry, assetHashOf(addFunction(second.stack, second.key, idOf(entry), join(REPOSITORY_ROOT, entry))));
      }
    }, 120_000);

    it('builds all of them in one esbuild run when the first function asks for its code', () => {
      expect(batchedRuns).toHaveLength(1);
      expect([...batchedRuns[0]!].sort()).toEqual(sortedEntries);
    });

    it('gives each function the bundle, and so the asset hash, that a run over its entry alone gives', () => {
      expect(aloneRuns.map((run) => run.length)).toEqual(LAMBDA_ENTRY_POINTS.map(() => 1));
      expect(Object.fromEntries(batched)).toEqual(Object.fromEntries(alone));
      // Ten different bundles: no function was given another's.
      expect(new Set(batched.values()).size).toBe(LAMBDA_ENTRY_POINTS.length);
    });
  });

  // One handler is enough: the options are the same for every entry, and the test above shows every
  // entry's batched bundle equals its bundle alone. Each NodejsFunction costs an npx esbuild process.
  it('writes what NodejsFunction\'s own bundling of LAMBDA_BUNDLING writes (its esbuild CLI run)', () => {
    const directory = outdir();
    const app = testApp({ outdir: directory, bundling: true });
    LambdaBundler.use(app, new LambdaBundler({ entryPoints: [] }));
    const { stack, key } = functionStack(app);
    const entry = join(REPOSITORY_ROOT, 'src/pipeline/handlers/rollback-trigger.ts');
    const ours = addFunction(stack, key, 'Ours', entry);
    const reference = new NodejsFunction(stack, 'Reference', {
      entry,
      handler: 'handler',
      projectRoot: REPOSITORY_ROOT,
      depsLockFilePath: DEPENDENCIES_LOCK_FILE,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      bundling: LAMBDA_BUNDLING,
    });
    expect(assetHashOf(ours)).toBe(assetHashOf(reference));
    // The hash is the bundle's content fingerprint; the bundle itself is the banner and the handler.
    const bundle = readFileSync(join(directory, `asset.${assetHashOf(ours)}`, 'index.mjs'), 'utf8');
    expect(bundle.startsWith(LAMBDA_BUNDLING.banner ?? '-')).toBe(true);
    expect((ours.node.defaultChild as lambda.CfnFunction).handler).toBe((reference.node.defaultChild as lambda.CfnFunction).handler);
  }, 120_000);

  it('bundles the whole product (three environments, every Lambda) with one esbuild run over exactly LAMBDA_ENTRY_POINTS', () => {
    const runs: string[][] = [];
    const directory = outdir();
    const app = testApp({ outdir: directory, bundling: true });
    const bundler = new LambdaBundler({ build: countingBuild(runs) });
    LambdaBundler.use(app, bundler);
    buildKiroCdApp(app, loadDeploymentConfig());
    // Every entry the product's functions ask for is declared, and every declared one is asked for:
    // a missing one would cost a second run, an unused one a bundle nobody deploys.
    expect([...bundler.requestedEntries].sort()).toEqual(sortedEntries);
    expect(runs).toHaveLength(1);
    expect([...runs[0]!].sort()).toEqual(sortedEntries);
    const functions = app.node.findAll().filter((construct): construct is NodejsFunction => construct instanceof NodejsFunction);
    expect(functions.length).toBeGreaterThanOrEqual(LAMBDA_ENTRY_POINTS.length);
    for (const fn of functions) expect(readFileSync(join(directory, `asset.${assetHashOf(fn)}`, 'index.mjs')).length).toBeGreaterThan(0);
  }, 180_000);

  it('runs no esbuild when the synthesis bundles nothing (testApp())', () => {
    const runs: string[][] = [];
    const app = testApp({ outdir: outdir() });
    LambdaBundler.use(app, new LambdaBundler({ build: countingBuild(runs) }));
    const { stack, key } = functionStack(app);
    addFunction(stack, key, 'Poller', join(REPOSITORY_ROOT, 'src/worker/handlers/poller.ts'));
    app.synth();
    expect(runs).toEqual([]);
  });

  describe('a handler that does not build', () => {
    let project: string;
    beforeAll(() => {
      project = outdir();
      mkdirSync(join(project, 'handlers'));
      writeFileSync(join(project, 'handlers', 'good.ts'), 'export const handler = async (): Promise<string> => "ok";\n');
      writeFileSync(join(project, 'handlers', 'broken.ts'), 'export const handler = async (): Promise<string> => {\n  return "unterminated;\n};\n');
    });

    function projectApp(runs: string[][]): { stack: Stack; key: kms.Key } {
      const app = testApp({ outdir: outdir(), bundling: true });
      LambdaBundler.use(app, new LambdaBundler({ root: project, entryPoints: ['handlers/good.ts', 'handlers/broken.ts'], build: countingBuild(runs) }));
      return functionStack(app);
    }

    it('fails the synthesis with an error naming the function, its entry and esbuild\'s message', () => {
      const { stack, key } = projectApp([]);
      expect(() => addFunction(stack, key, 'BrokenHandler', join(project, 'handlers', 'broken.ts'))).toThrow(
        /Functions\/BrokenHandler[\s\S]*handlers\/broken\.ts[\s\S]*Unterminated string literal/,
      );
    });

    it('still bundles the functions that build, alone, once the run over all of them failed', () => {
      const runs: string[][] = [];
      const { stack, key } = projectApp(runs);
      const good = addFunction(stack, key, 'GoodHandler', join(project, 'handlers', 'good.ts'));
      expect(assetHashOf(good)).toMatch(/^[0-9a-f]{64}$/);
      expect(runs).toEqual([['handlers/good.ts', 'handlers/broken.ts'], ['handlers/good.ts']]);
      expect(() => addFunction(stack, key, 'BrokenHandler', join(project, 'handlers', 'broken.ts'))).toThrow(/Functions\/BrokenHandler/);
      // The failed batch is not retried for every function: the broken one runs alone.
      expect(runs.slice(2)).toEqual([['handlers/broken.ts']]);
    });
  });

  it('refuses an entry outside the project root, a missing entry, and an app that already has a bundler', () => {
    const app = testApp({ outdir: outdir() });
    const bundler = new LambdaBundler({ entryPoints: [] });
    LambdaBundler.use(app, bundler);
    const { stack } = functionStack(app);
    expect(() => bundler.code(stack, join(tmpdir(), 'elsewhere.ts'), lambda.Runtime.NODEJS_24_X)).toThrow(/not under the project root/);
    expect(() => bundler.code(stack, join(REPOSITORY_ROOT, 'src/pipeline/handlers/no-such-handler.ts'), lambda.Runtime.NODEJS_24_X)).toThrow(/Functions: cannot find the Lambda entry point/);
    expect(() => {
      LambdaBundler.use(app, new LambdaBundler());
    }).toThrow(/already has a Lambda bundler/);
  });

  it.each([
    ['off (the default): the SDK v3 packages', false, ['@aws-sdk/*']],
    ['on: the Smithy packages too, as NodejsFunction does', true, ['@aws-sdk/*', '@smithy/*']],
  ])('leaves out of the bundle, with the feature flag sdkV3ExcludeSmithyPackages %s', (_why, flag, externals) => {
    const seen: (readonly string[] | undefined)[] = [];
    // A stand-in for esbuild: only the options it is given matter here.
    const build: EsbuildBuild = (options) => {
      seen.push(options.external);
      return { outputFiles: [{ path: join(options.outdir ?? '', '0.js'), contents: new TextEncoder().encode('export {};\n'), hash: '', text: 'export {};\n' }] };
    };
    const app = testApp({ outdir: outdir(), bundling: true, context: { '@aws-cdk/aws-lambda-nodejs:sdkV3ExcludeSmithyPackages': flag } });
    LambdaBundler.use(app, new LambdaBundler({ entryPoints: [], build }));
    const { stack, key } = functionStack(app);
    addFunction(stack, key, 'Poller', join(REPOSITORY_ROOT, 'src/worker/handlers/poller.ts'));
    expect(seen).toEqual([externals]);
  });

  describe('esbuildOptionsOf: the esbuild options NodejsFunction gives its CLI', () => {
    it('carries LAMBDA_BUNDLING: bundle for node, ESM, the target, minified, the SDK left out, the banner, no source map', () => {
      expect(esbuildOptionsOf(LAMBDA_BUNDLING, lambda.Runtime.NODEJS_24_X, ['@aws-sdk/*'])).toEqual({
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        minify: true,
        external: ['@aws-sdk/*'],
        banner: { js: LAMBDA_BUNDLING.banner },
        logLevel: 'warning',
      });
    });

    it.each([
      ['the runtime\'s Node version when no target is given', {}, { target: 'node24', minify: false }],
      ['no format when none is given (esbuild\'s default, as the CLI without --format)', { minify: true }, { target: 'node24', minify: true }],
    ])('takes %s', (_why, bundling, expected) => {
      const options = esbuildOptionsOf(bundling, lambda.Runtime.NODEJS_24_X, []);
      expect(options).toMatchObject(expected);
      expect(options).not.toHaveProperty('format');
    });

    it.each([
      ['an option it does not carry (it would be dropped silently)', { define: { X: '1' } }, /define/],
      ['Docker bundling, which never runs here', { forceDockerBundling: true }, /forceDockerBundling: true/],
      ['a source map, which would be a second output file', { sourceMap: true }, /sourceMap: true/],
    ])('refuses %s', (_why, bundling, message) => {
      expect(() => esbuildOptionsOf(bundling, lambda.Runtime.NODEJS_24_X, [])).toThrow(message);
    });
  });
});
