import fc from 'fast-check';
import type { SourceChanges, StackDiffOutcome, StackDiffStatus } from '../../../../../src/pipeline/domain/change-detection/decide-infrastructure-change.js';

const segment = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
const fileName = fc.tuple(segment, fc.constantFrom('.ts', '.json', '.md', '.yml', '')).map(([name, ext]) => `${name}${ext}`);

/** A path under infrastructure/: always relevant to the templates. */
export const infrastructurePath = fc.array(segment, { maxLength: 3 }).chain((dirs) => fileName.map((file) => ['infrastructure', ...dirs, file].join('/')));

/** A path that never affects infrastructure: worker code, pipeline runtime, tests, docs. */
export const applicationPath = fc
  .tuple(fc.constantFrom('src/worker', 'src/pipeline', 'src/cli', 'test/unit', 'docs', 'scripts'), fc.array(segment, { maxLength: 2 }), fileName)
  .map(([root, dirs, file]) => [root, ...dirs, file].join('/'));

/** Any path a commit may touch, root files included. */
export const anyPath = fc.oneof(
  infrastructurePath,
  applicationPath,
  fc.constantFrom('package.json', 'package-lock.json', 'cdk.json', 'README.md', 'tsconfig.json', '.gitignore'),
);

/** A 40-character commit id. */
export const commitId = fc.stringMatching(/^[0-9a-f]{40}$/);

const stackName = fc.constantFrom('KiroWorker-Test-Core', 'KiroWorker-Test-Data', 'KiroWorker-Test-Network');

/** A `cdk diff` outcome. */
export const stackOutcome = (status: fc.Arbitrary<StackDiffStatus> = fc.constantFrom('changed', 'unchanged', 'error')): fc.Arbitrary<StackDiffOutcome> =>
  fc.record({ stack: stackName, status, detail: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }) }).map(({ detail, ...rest }) => (detail === undefined ? rest : { ...rest, detail }));

/** At least one stack, every one unchanged. */
export const unchangedStacks = fc.array(stackOutcome(fc.constant('unchanged')), { minLength: 1, maxLength: 3 });

/** Any source-side situation. */
export const sourceChanges: fc.Arbitrary<SourceChanges> = fc.oneof(
  fc.constant({ kind: 'first-deployment' } as const),
  fc.record({ kind: fc.constant('diff' as const), from: commitId, paths: fc.array(anyPath, { maxLength: 8 }) }),
  fc.record({ kind: fc.constant('unavailable' as const), from: commitId, reason: fc.constant('bad object') }),
);
