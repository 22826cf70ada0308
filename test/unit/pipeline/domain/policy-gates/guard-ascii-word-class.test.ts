import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asciiWordClassRule, isAsciiOnly } from '../../../../../src/pipeline/domain/policy-gates/guard-ascii-word-class.js';

/** CT.IAM.PR.5's shape: the regular expression in a `let`, a custom message, comments. */
const controlTowerStyle = `#
# Checks [\\w] actions; see /docs/ for more
#
let WILDCARD_ACTION_PATTERN = /^[\\w]*[:]*\\*$/
rule check_no_wildcard_action(actions) {
  %actions[*] {
    this != %WILDCARD_ACTION_PATTERN
    <<
      [CT.IAM.PR.5]: no "service:*" or /^[\\w]*$/ actions
    >>
  }
}
`;

describe('asciiWordClassRule', () => {
  it('spells \\w in ASCII inside regular expressions only, leaving comments and messages as they are', () => {
    const rewritten = asciiWordClassRule(controlTowerStyle);
    expect(rewritten).toBe(controlTowerStyle.replace('let WILDCARD_ACTION_PATTERN = /^[\\w]*[:]*\\*$/', 'let WILDCARD_ACTION_PATTERN = /^[A-Za-z0-9_]*[:]*\\*$/'));
  });

  it.each([
    // [what the row pins, regular expression body, rewritten body]
    ['\\w outside a class becomes a class', 'a\\w+b', 'a[A-Za-z0-9_]+b'],
    ['\\w beside other class members joins them', '[\\w.-]+', '[A-Za-z0-9_.-]+'],
    ['a negated class keeps its negation', '[^\\w]', '[^A-Za-z0-9_]'],
    ['a ] right after [ is a member, so the class is still open at \\w', '[]\\w]', '[]A-Za-z0-9_]'],
    ['an escaped backslash before w is a literal w', '\\\\w', undefined],
    ['an escaped slash does not end the literal', 'a\\/\\w', 'a\\/[A-Za-z0-9_]'],
    ['\\W, \\d and \\s are left alone (their compilation is cheap)', '\\W\\d\\s', undefined],
  ])('%s', (_why, body, expected) => {
    const rule = `rule r { Resources.*.Properties.Name == /${body}/ }\n`;
    expect(asciiWordClassRule(rule)).toBe(expected === undefined ? undefined : `rule r { Resources.*.Properties.Name == /${expected}/ }\n`);
  });

  it.each([
    ['no regular expression uses \\w', 'rule r { Resources.*.Type == "AWS::S3::Bucket" }\n'],
    ['\\w only in a string', 'rule r { Resources.*.Properties.P == "/\\w/" }\n'],
    ['the file is not ASCII (a literal could hold a non-ASCII word character)', 'let a = "é"\nrule r { %a == /^\\w$/ }\n'],
    ['the file calls json_parse, which can decode \\u escapes', 'let p = json_parse(Resources.*.Properties.Doc)\nrule r { %p.Name == /^\\w+$/ }\n'],
    ['the file calls url_decode', 'let p = url_decode(Resources.*.Properties.Url)\nrule r { %p == /^\\w+$/ }\n'],
    ['an unterminated regular expression', 'rule r { Resources.*.Properties.P == /^\\w+$ }\n'],
    ['an unterminated message', 'rule r { Resources.*.Properties.P == /^\\w+$/ << open\n}\n'],
  ])('keeps the original when %s', (_why, rule) => {
    expect(asciiWordClassRule(rule)).toBeUndefined();
  });

  it('does not mistake a function named in a comment or message for a call', () => {
    const rule = '# json_parse(x) is not used\nrule r { Resources.*.Properties.P == /^\\w+$/ << url_decode( is not called >> }\n';
    expect(asciiWordClassRule(rule)).toBe(rule.replace('/^\\w+$/', '/^[A-Za-z0-9_]+$/'));
  });

  it('changes nothing outside regular expression literals (property)', () => {
    const piece = fc.constantFrom('rule r {', '}', ' ', '\n', '"a/\\w/b"', "'x\\w'", '<< msg /\\w/ >>', '# c /\\w/\n', '/[\\w]/', '/\\w+/', 'Resources.*', '==', '!=');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        const rewritten = asciiWordClassRule(text);
        if (rewritten === undefined) return;
        const outside = (rule: string): string => rule.replace(/\/(?:\\.|[^/\\\n])*\//g, '/RE/');
        expect(outside(rewritten)).toBe(outside(text));
        expect(rewritten.replace(/<<[\s\S]*?>>|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|#[^\n]*/g, '')).not.toContain('\\w');
      }),
    );
  });
});

describe('isAsciiOnly', () => {
  it.each([
    ['an ASCII template', { Resources: { A: { Type: 'AWS::IAM::Policy', Properties: { Actions: ['s3:GetObject', 1, true, null] } } } }, true],
    ['a non-ASCII string value deep in a list', { Resources: { A: { Properties: { Actions: ['s3:GetObject', 'café:*'] } } } }, false],
    ['a non-ASCII key', { Resources: { Café: { Type: 'AWS::S3::Bucket' } } }, false],
    ['an em dash in a description', { Description: 'the pipeline — runtime' }, false],
  ])('%s', (_why, value, expected) => {
    expect(isAsciiOnly(value)).toBe(expected);
  });
});
