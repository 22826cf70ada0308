/** Finding synthesis's "templates written" line in its standard output as it arrives in pieces (issue 17, item 2). */
import { describe, expect, it } from 'vitest';
import { TEMPLATES_WRITTEN_LINE, watchForLine } from '../../../src/shared/templates-written-line.js';

describe('watchForLine', () => {
  it.each([
    ['the line whole in one piece, among others', ['Bundling asset ...\n', `${TEMPLATES_WRITTEN_LINE}\n`, 'Synthesized ...\n'], 1],
    ['the line cut in two by the pipe', [`Bundling\n${TEMPLATES_WRITTEN_LINE.slice(0, 10)}`, `${TEMPLATES_WRITTEN_LINE.slice(10)}\nmore\n`], 1],
    ['a Windows line ending', [`${TEMPLATES_WRITTEN_LINE}\r\n`], 1],
    ['twice: announced once', [`${TEMPLATES_WRITTEN_LINE}\n${TEMPLATES_WRITTEN_LINE}\n`], 1],
    ['not yet ended by its newline: the rest may still differ', [TEMPLATES_WRITTEN_LINE], 0],
    ['a line that only contains it', [`echo ${TEMPLATES_WRITTEN_LINE}\n`], 0],
    ['nothing like it (a synthesis that failed early)', ['Synthesis stopped: environment "test", key "account"\n'], 0],
  ])('%s', (_why, pieces, expected) => {
    let seen = 0;
    const feed = watchForLine(TEMPLATES_WRITTEN_LINE, () => (seen += 1));
    for (const piece of pieces) feed(piece);
    expect(seen).toBe(expected);
  });
});
