import { describe, expect, it } from 'vitest';
import { parseRawLog } from '../../../../src/pipeline/adapters/git/commit-range-files.js';

/** `git log --raw --no-renames --no-abbrev -z --format=%x01%H` output, written as git writes it (seen with git 2.x on this machine). */
const C1 = 'a'.repeat(40);
const C2 = 'b'.repeat(40);
const BLOB_A = '1'.repeat(40);
const BLOB_B = '2'.repeat(40);
const ZERO = '0'.repeat(40);
const raw = (status: string, blob: string, path: string): string => `:100644 100644 ${'9'.repeat(40)} ${blob} ${status}\0${path}\0`;
const commit = (sha: string): string => `\u0001${sha}\0\n`;

describe('parseRawLog', () => {
  it.each([
    {
      why: 'an added and a modified file each give their new version',
      text: commit(C1) + raw('A', BLOB_A, 'src/a.ts') + raw('M', BLOB_B, 'docs/b.md'),
      expected: [
        { commit: C1, path: 'src/a.ts', blob: BLOB_A },
        { commit: C1, path: 'docs/b.md', blob: BLOB_B },
      ],
    },
    {
      why: 'a deletion wrote nothing: the deleted version belongs to the commit that wrote it',
      text: commit(C2) + raw('D', ZERO, 'src/config.ts') + commit(C1) + raw('A', BLOB_A, 'src/config.ts'),
      expected: [{ commit: C1, path: 'src/config.ts', blob: BLOB_A }],
    },
    {
      why: 'each version is attributed to its own commit',
      text: commit(C2) + raw('M', BLOB_B, 'x') + commit(C1) + raw('A', BLOB_A, 'x'),
      expected: [
        { commit: C2, path: 'x', blob: BLOB_B },
        { commit: C1, path: 'x', blob: BLOB_A },
      ],
    },
    { why: 'a path with spaces stays whole (-z, no quoting)', text: commit(C1) + raw('A', BLOB_A, 'test/fixtures/a b.ini'), expected: [{ commit: C1, path: 'test/fixtures/a b.ini', blob: BLOB_A }] },
    { why: 'a commit that changed no file (empty, or a merge) gives nothing', text: commit(C1), expected: [] },
    { why: 'no commits in the range', text: '', expected: [] },
  ])('$why', ({ text, expected }) => {
    expect(parseRawLog(text)).toEqual(expected);
  });
});
