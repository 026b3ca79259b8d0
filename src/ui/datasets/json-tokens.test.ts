import { describe, expect, it } from 'vitest';
import { prettyJson, tokenizeJson } from './json-tokens';

describe('tokenizeJson', () => {
  it('tells keys from string values and types every piece', () => {
    const toks = tokenizeJson('{"size": 0, "query": {"term": {"r": "a\\"b"}}, "x": [true, null, -1.5e3]}').filter((t) => t.kind !== 'space');
    expect(toks.filter((t) => t.kind === 'key').map((t) => t.text)).toEqual(['"size"', '"query"', '"term"', '"r"', '"x"']);
    expect(toks.filter((t) => t.kind === 'string').map((t) => t.text)).toEqual(['"a\\"b"']);
    expect(toks.filter((t) => t.kind === 'number').map((t) => t.text)).toEqual(['0', '-1.5e3']);
    expect(toks.filter((t) => t.kind === 'literal').map((t) => t.text)).toEqual(['true', 'null']);
  });
  it('round-trips any text, malformed or hostile, exactly', () => {
    for (const text of ["{'a': 1,}", '{"a": "unterminated\n, "b": 2}', '<img src=x onerror=alert(1)> {"a":1} trailing', '']) {
      expect(tokenizeJson(text).map((t) => t.text).join('')).toBe(text);
    }
  });
  it('records offsets', () => {
    const toks = tokenizeJson('{"a": 12}');
    expect(toks.find((t) => t.kind === 'number')).toEqual({ kind: 'number', text: '12', start: 6 });
  });
});

describe('prettyJson', () => {
  it('indents JSON that parses and leaves broken JSON as written', () => {
    expect(prettyJson('{"a":{"b":1}}')).toEqual({ text: '{\n  "a": {\n    "b": 1\n  }\n}', parses: true });
    expect(prettyJson('{"a":')).toEqual({ text: '{"a":', parses: false });
    expect(prettyJson('{"a": 1, "a": 2}')).toEqual({ text: '{"a": 1, "a": 2}', parses: true });
  });
});
