import { describe, expect, it } from 'vitest';
import { parseQuestionList, readQuestionFile } from './question-list';

describe('parseQuestionList', () => {
  it('reads pasted lines, dropping blanks and repeats', () => {
    expect(parseQuestionList('How many sales?\n\n  Top regions  \nhow many sales\n')).toEqual({ questions: ['How many sales?', 'Top regions'], skipped: [], duplicates: 1 });
  });
});

describe('readQuestionFile (through the dataset importer)', () => {
  it('reads JSONL with a question or prompt field, and plain strings, listing bad lines', async () => {
    const list = await readQuestionFile('{"question": "a"}\n"b"\n{"x": 1}\nnope\n{"question": "A "}', 'q.jsonl');
    expect(list.questions).toEqual(['a', 'b']);
    expect(list.duplicates).toBe(1);
    expect(list.skipped).toEqual(['line 3: missing or empty: question (column "question")', expect.stringMatching(/^line 4: line is not valid JSON/)]);
    expect((await readQuestionFile('{"prompt": "p1"}\n{"prompt": "p2"}\n', 'q.jsonl')).questions).toEqual(['p1', 'p2']);
  });

  it('reads a JSON array of strings or objects, and a .json file that is really JSONL', async () => {
    expect((await readQuestionFile('["a", {"question": "b"}]', 'q.json')).questions).toEqual(['a', 'b']);
    expect((await readQuestionFile('{"question": "a"}\n{"question": "b"}\n', 'q.json')).questions).toEqual(['a', 'b']);
  });

  it('takes the question column of a CSV and never sends its header as a question', async () => {
    const csv = 'id,prompt,dsl\n1,"Sales in ""Europe"", 2020",{}\n2,Top products,{}\n';
    expect((await readQuestionFile(csv, 'q.csv')).questions).toEqual(['Sales in "Europe", 2020', 'Top products']);
    expect((await readQuestionFile('nl_query\nfirst q\nsecond q\n', 'q.csv')).questions).toEqual(['first q', 'second q']);
    // One column and no known header: every line is a question.
    expect((await readQuestionFile('first q\nsecond q\n', 'q.csv')).questions).toEqual(['first q', 'second q']);
    await expect(readQuestionFile('a,b\nc,d\n', 'q.csv')).rejects.toThrow(/cannot tell which column holds the question/);
  });

  it('reads .txt files line by line', async () => {
    expect((await readQuestionFile('x\n{"question": "y"}\n', 'q.txt')).questions).toEqual(['x', '{"question": "y"}']);
  });
});
