import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Stage, Tags } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAssemblyStacks } from '../../../../src/pipeline/adapters/cdk/cloud-assembly-stacks.js';
import { MalformedInputError } from '../../../../src/shared/errors.js';

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'kiro-assembly-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('readAssemblyStacks on a synthesized assembly', () => {
  it('finds top-level stacks and stacks inside stages, with their names, selectors and tags', () => {
    const outdir = join(work, 'cdk.out');
    const app = new App({ outdir, builtinCloudFormationValidation: false });
    const env = { account: '123456789012', region: 'us-east-1' };
    const top = new Stack(app, 'Pipeline', { env });
    new Topic(top, 'Topic');
    const stage = new Stage(app, 'Test', { env });
    const core = new Stack(stage, 'Core', { stackName: 'KiroWorker-Test-Core' });
    new Topic(core, 'Topic');
    Tags.of(core).add('kiro-cd:layer', 'infrastructure');
    const application = new Stack(stage, 'App', { stackName: 'KiroWorker-Test-App' });
    new Topic(application, 'Topic');
    Tags.of(application).add('kiro-cd:layer', 'application');
    app.synth();

    return readAssemblyStacks(outdir).then((stacks) => {
      expect(stacks.sort((a, b) => a.selector.localeCompare(b.selector))).toEqual([
        { selector: 'Pipeline', stackName: 'Pipeline', tags: {} },
        { selector: 'Test/App', stackName: 'KiroWorker-Test-App', tags: { 'kiro-cd:layer': 'application' } },
        { selector: 'Test/Core', stackName: 'KiroWorker-Test-Core', tags: { 'kiro-cd:layer': 'infrastructure' } },
      ]);
    });
  });

  it.each([
    { why: 'no manifest (not synthesized)', manifest: undefined, message: /run "npm run synth" first/ },
    { why: 'a manifest without artifacts', manifest: '{"version": "48.0.0"}', message: /not a cloud assembly manifest/ },
    { why: 'a manifest that is not JSON', manifest: '{', message: /not a cloud assembly manifest/ },
  ])('rejects $why', async ({ manifest, message }) => {
    const directory = mkdtempSync(join(work, 'broken-'));
    mkdirSync(directory, { recursive: true });
    if (manifest !== undefined) writeFileSync(join(directory, 'manifest.json'), manifest);
    await expect(readAssemblyStacks(directory)).rejects.toBeInstanceOf(MalformedInputError);
    await expect(readAssemblyStacks(directory)).rejects.toThrow(message);
  });
});
