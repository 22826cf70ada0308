import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CdkStackDiff, interpretCdkDiff } from '../../../../src/pipeline/adapters/cdk/cdk-stack-diff.js';

const FAKE_CDK = fileURLToPath(new URL('../../../fixtures/build-tools/cdk/fake-cdk.sh', import.meta.url));
const REAL_CDK = fileURLToPath(new URL('../../../../node_modules/.bin/cdk', import.meta.url));

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'kiro-cdk-diff-'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('interpretCdkDiff: exit code and output to an outcome', () => {
  it.each([
    { why: 'no differences', exit: 0, output: 'Stack A\nThere were no differences\n✨  Number of stacks with differences: 0', status: 'unchanged' },
    { why: 'differences with --fail', exit: 1, output: 'Stack A\n[~] AWS::SNS::Topic\n✨  Number of stacks with differences: 1', status: 'changed' },
    { why: 'exit 1 without a completed diff: no credentials, not "changed"', exit: 1, output: 'Need to perform AWS calls for account 1, but no credentials have been configured', status: 'error' },
    { why: 'unknown stack', exit: 1, output: 'No stacks match the name(s) X', status: 'error' },
    { why: 'another exit code', exit: 2, output: 'Error: boom', status: 'error' },
    { why: 'killed on timeout', exit: null, output: '', status: 'error' },
    { why: 'exit 0 without the closing line (an older cdk, or output lost)', exit: 0, output: '', status: 'error' },
    { why: 'exit 0 with differences (someone dropped --fail)', exit: 0, output: '✨  Number of stacks with differences: 1', status: 'error' },
  ] as const)('$why → $status', ({ exit, output, status }) => {
    expect(interpretCdkDiff('A', exit, output).status).toBe(status);
  });
});

describe('CdkStackDiff with a fake cdk first on PATH', () => {
  let bin: string;
  let log: string;
  let adapter: CdkStackDiff;

  beforeAll(() => {
    bin = join(work, 'bin');
    log = join(work, 'cdk-args.log');
    // The adapter runs plain `cdk`: a directory holding the fake, first on PATH, answers.
    mkdirSync(bin, { recursive: true });
    copyFileSync(FAKE_CDK, join(bin, 'cdk'));
    chmodSync(join(bin, 'cdk'), 0o755);
    adapter = new CdkStackDiff({ app: 'cdk.out', cwd: work, env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`, FAKE_CDK_LOG: log } });
  });

  it.each([
    ['Unchanged', 'unchanged'],
    ['Changed', 'changed'],
    ['NoCredentials', 'error'],
    ['Crashes', 'error'],
    ['Silent', 'error'],
    ['Missing', 'error'],
  ] as const)('%s → %s', async (stack, status) => {
    expect((await adapter.diff(stack)).status).toBe(status);
  });

  it('passes --fail, the assembly, the template method and the stack', async () => {
    await adapter.diff('Changed');
    const calls = readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as string[]);
    expect(calls.at(-1)).toEqual(['diff', '--app', 'cdk.out', '--fail', '--no-notices', '--method=template', 'Changed']);
  });

  it('keeps what changed as the detail, for the log and the approval summary', async () => {
    expect((await adapter.diff('Changed')).detail).toContain('[~] AWS::SNS::Topic T TD925BC7E');
  });

  it('reports an executable that cannot start as an error', async () => {
    const missing = new CdkStackDiff({ app: 'cdk.out', cwd: work, cdk: join(work, 'no-such-cdk') });
    expect(await missing.diff('Core')).toMatchObject({ status: 'error', detail: expect.stringMatching(/could not run .*ENOENT/) });
  });
});

describe('CdkStackDiff with the real cdk CLI, offline', () => {
  let assembly: string;
  let sameTemplate: string;
  let otherTemplate: string;

  beforeAll(() => {
    const synth = (outdir: string, displayName: string): string => {
      const app = new App({ outdir, builtinCloudFormationValidation: false });
      const stack = new Stack(app, 'DiffProbe', { env: { account: '123456789012', region: 'us-east-1' } });
      new Topic(stack, 'Topic', { displayName });
      app.synth();
      return join(outdir, 'DiffProbe.template.json');
    };
    assembly = join(work, 'assembly');
    sameTemplate = synth(assembly, 'current');
    otherTemplate = synth(join(work, 'assembly-before'), 'before');
  });

  const offlineEnv = (): Record<string, string> => ({
    PATH: process.env.PATH ?? '',
    HOME: work,
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_VERSION_CHECK: 'true',
  });

  it('reads "unchanged" and "changed" from cdk diff --template', async () => {
    const against = (template: string) => new CdkStackDiff({ app: assembly, cwd: work, cdk: REAL_CDK, env: offlineEnv(), baselineTemplate: () => template });
    expect((await against(sameTemplate).diff('DiffProbe')).status).toBe('unchanged');
    const changed = await against(otherTemplate).diff('DiffProbe');
    expect(changed.status).toBe('changed');
    expect(changed.detail).toMatch(/DisplayName/);
  });

  it('reads a diff against the deployed stack without credentials as an error, although cdk exits 1 as for differences', async () => {
    const outcome = await new CdkStackDiff({ app: assembly, cwd: work, cdk: REAL_CDK, env: offlineEnv() }).diff('DiffProbe');
    expect(outcome.status).toBe('error');
    expect(outcome.detail).toMatch(/exited 1: .*credentials/);
  });
});
