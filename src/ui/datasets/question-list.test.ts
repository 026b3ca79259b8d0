import { describe, expect, it } from 'vitest';
import { parseQuestionList } from './question-list';

describe('parseQuestionList', () => {
  it('reads pasted lines, dropping blanks and repeats', () => {
    expect(parseQuestionList('How many sales?\n\n  Top regions  \nhow many sales\n')).toEqual({ questions: ['How many sales?', 'Top regions'], skipped: [], duplicates: 1 });
  });
  it('reads JSONL and JSON with question or prompt fields', () => {
    expect(parseQuestionList('{"question": "a"}\n{"prompt": "b"}\n"c"\n{"x": 1}\nnope', 'q.jsonl')).toEqual({ questions: ['a', 'b', 'c'], skipped: ['line 4: no question field', 'line 5: not JSON'], duplicates: 0 });
    expect(parseQuestionList('["a", {"question": "b"}]', 'q.json').questions).toEqual(['a', 'b']);
    expect(parseQuestionList('{}', 'q.json').skipped[0]).toContain('expected a JSON array');
  });
  it('reads the question column of a CSV, with RFC 4180 quoting', () => {
    const csv = 'id,prompt,dsl\n1,"Sales in ""Europe"", 2020",{}\n2,Top products,{}\n';
    expect(parseQuestionList(csv, 'q.csv').questions).toEqual(['Sales in "Europe", 2020', 'Top products']);
    expect(parseQuestionList('first q\nsecond q\n', 'q.csv').questions).toEqual(['first q', 'second q']);
  });
});
