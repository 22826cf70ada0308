/**
 * An ASCII spelling of `\w` in cfn-guard rule files, for templates whose every string is ASCII.
 *
 * cfn-guard 3.1 compiles a rule's regular expression again at every comparison, and `\w` is Unicode
 * aware in Rust's regex crate (letters, marks, digits and connector punctuation of every script):
 * compiling that class takes milliseconds. Control Tower's CT.IAM.PR.3 and CT.IAM.PR.5 compare every
 * IAM action with `/^[\w]*[:]*\*$/`, so over this product's pipeline template (about a thousand
 * actions, the wildcard-action expansion) that one rule file cost ~4.7 s of CPU of the gate's ~20 s,
 * and ~0.5 s with `[A-Za-z0-9_]` (docs/policy-gates.md, "cfn-guard's CPU").
 *
 * The two spellings match the same ASCII text: Unicode `\w` (UTS #18: Alphabetic, marks, decimal
 * digits, connector punctuation, join controls) holds exactly `A-Z`, `a-z`, `0-9` and `_` of the
 * ASCII range. A rule only ever compares strings of the template it is run over, or literals of its
 * own text; so when both are ASCII, and the rule calls no function that could make a non-ASCII
 * string out of ASCII (`json_parse` of a `\u` escape, `url_decode`, `parse_char`), the rewritten
 * rule reports exactly what the original reports. A template with any non-ASCII key or string is run
 * with the original files.
 */

/** `\w` outside a character class, and the same characters inside one. */
const WORD_CLASS = '[A-Za-z0-9_]';
const WORD_CLASS_MEMBERS = 'A-Za-z0-9_';

/** cfn-guard functions whose result can hold characters their ASCII arguments do not. */
const NON_ASCII_FROM_ASCII = /\b(json_parse|url_decode|parse_char)\s*\(/;

// eslint-disable-next-line no-control-regex -- the ASCII range is what is tested
const NON_ASCII = /[^\x00-\x7f]/;

/** Whether every key and string inside a parsed JSON value is ASCII. */
export function isAsciiOnly(value: unknown): boolean {
  if (typeof value === 'string') return !NON_ASCII.test(value);
  if (Array.isArray(value)) return value.every(isAsciiOnly);
  if (typeof value === 'object' && value !== null) return Object.entries(value).every(([key, child]) => !NON_ASCII.test(key) && isAsciiOnly(child));
  return true;
}

/** Rewrites the `\w` escapes of one regular expression literal's body (between the slashes). */
function asciiRegexBody(body: string): string {
  let out = '';
  let classDepth = 0;
  for (let i = 0; i < body.length; i++) {
    const char = body.charAt(i);
    if (char === '\\') {
      const next = body.charAt(i + 1);
      out += next === 'w' ? (classDepth > 0 ? WORD_CLASS_MEMBERS : WORD_CLASS) : `\\${next}`;
      i++;
    } else if (char === '[') {
      classDepth++;
      out += char;
      // A `]` right after `[` or `[^` is a literal member, not the end of the class.
      if (body.charAt(i + 1) === '^') out += body.charAt(++i);
      if (body.charAt(i + 1) === ']') out += body.charAt(++i);
    } else {
      if (char === ']' && classDepth > 0) classDepth--;
      out += char;
    }
  }
  return out;
}

/**
 * The rule text with every `\w` of its regular expression literals spelled in ASCII, or `undefined`
 * when there is nothing to rewrite or the rewrite could change what the file reports: the text is
 * not ASCII, calls a function listed in NON_ASCII_FROM_ASCII, or does not scan (an unterminated
 * string, message or regular expression). Strings (`"…"`, `'…'`), custom messages (`<< … >>`) and
 * comments are copied untouched, so the findings' messages stay the same.
 */
export function asciiWordClassRule(ruleText: string): string | undefined {
  if (NON_ASCII.test(ruleText)) return undefined;
  let out = '';
  let changed = false;
  let i = 0;
  while (i < ruleText.length) {
    const char = ruleText.charAt(i);
    if (char === '#') {
      const end = ruleText.indexOf('\n', i);
      const stop = end === -1 ? ruleText.length : end;
      out += ruleText.slice(i, stop);
      i = stop;
    } else if (char === '"' || char === "'") {
      let j = i + 1;
      while (j < ruleText.length && ruleText[j] !== char) j += ruleText[j] === '\\' ? 2 : 1;
      if (j >= ruleText.length) return undefined;
      out += ruleText.slice(i, j + 1);
      i = j + 1;
    } else if (ruleText.startsWith('<<', i)) {
      const end = ruleText.indexOf('>>', i + 2);
      if (end === -1) return undefined;
      out += ruleText.slice(i, end + 2);
      i = end + 2;
    } else if (char === '/') {
      let j = i + 1;
      while (j < ruleText.length && ruleText[j] !== '/' && ruleText[j] !== '\n') j += ruleText[j] === '\\' ? 2 : 1;
      if (j >= ruleText.length || ruleText[j] !== '/') return undefined;
      const body = ruleText.slice(i + 1, j);
      const rewritten = asciiRegexBody(body);
      changed ||= rewritten !== body;
      out += `/${rewritten}/`;
      i = j + 1;
    } else {
      out += char;
      i++;
    }
  }
  if (!changed) return undefined;
  // Checked on code only: a comment or message naming json_parse does not call it.
  if (NON_ASCII_FROM_ASCII.test(withoutStringsAndComments(ruleText))) return undefined;
  return out;
}

/** The code of a rule file with comments, strings and messages blanked (for the function check). */
function withoutStringsAndComments(ruleText: string): string {
  return ruleText.replace(/<<[\s\S]*?>>|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|#[^\n]*/g, ' ');
}
