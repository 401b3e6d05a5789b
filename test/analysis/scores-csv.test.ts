import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src-shared/analysis/csvParse';
import { parseScoresCsv } from '../../src-shared/analysis/scoresCsv';
import { InputError } from '../../src-shared/errors';

describe('CSV parsing', () => {
  it('handles quotes, doubled quotes, embedded commas and line breaks, CRLF, BOM', () => {
    const text = '\ufeffa,b,c\r\n1,"x, ""y""",3\r\n\r\n"multi\nline",,"end"\n';
    expect(parseCsv(text, 'f.csv')).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['1', 'x, "y"', '3'] },
      { line: 4, fields: ['multi\nline', '', 'end'] },
    ]);
  });

  it('keeps a last record without a final newline and empty trailing fields', () => {
    expect(parseCsv('a,b\n1,', 'f.csv')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', ''] },
    ]);
  });

  it('names the file and line of an unterminated quote', () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3\n', 'bad.csv')).toThrow(
      'bad.csv: line 2: unterminated quoted field',
    );
  });

  it('rejects text after a closing quote, naming the column', () => {
    expect(() => parseCsv('a,b\n"x"y,1\n', 'bad.csv')).toThrow(
      'bad.csv: line 2: field "column 1": unexpected text after a closing quote',
    );
  });
});

describe('score rows from CSV', () => {
  it('reads plw, benchmark, score and the optional dataset and model columns in any order', () => {
    const rows = parseScoresCsv(
      'Model,score,benchmark,PLW,dataset,extra\ntiny,0.5,arc,0.1,"alpaca, short",x\n,0.25,piqa,0,,\n',
      's.csv',
    );
    expect(rows).toEqual([
      { plw: 0.1, benchmark: 'arc', score: 0.5, dataset: 'alpaca, short', model: 'tiny' },
      { plw: 0, benchmark: 'piqa', score: 0.25, dataset: null, model: null },
    ]);
  });

  it('reads a results table as `plw export --format csv` writes it (one metric per benchmark)', () => {
    const rows = parseScoresCsv(
      'dataset,model,plw,benchmark,metric,score\nd,m,0,arc,acc_norm,0.4\nd,m,0,piqa,acc,0.6\n',
      'r.csv',
    );
    expect(rows.map((r) => r.benchmark)).toEqual(['arc', 'piqa']);
  });

  it.each([
    ['plw,benchmark\n0,arc\n', 'line 1: field "score": the header has no "score" column'],
    ['plw,benchmark,score\n0,arc,abc\n', 'line 2: field "score": expected a number, got "abc"'],
    [
      'plw,benchmark,score\n0,arc,0.5\n1.5,arc,0.4\n',
      'line 3: field "plw": PLW 1.5 is outside [0, 1]',
    ],
    ['plw,benchmark,score\n0,,0.5\n', 'line 2: field "benchmark": empty benchmark name'],
    ['plw,benchmark,score\n0,arc\n', 'line 2: field "score": missing value'],
    ['plw,benchmark,score\n0,arc,\n', 'line 2: field "score": expected a number, got ""'],
    ['plw,benchmark,score\n', 'no data rows'],
    ['', 'the file is empty'],
    [
      'plw,benchmark,metric,score\n0,arc,acc,0.5\n0,arc,acc_norm,0.6\n',
      'line 3: field "metric": benchmark "arc" has scores for metric "acc" (line 2) and "acc_norm"',
    ],
  ])('rejects %j with an error naming file, line and column', (text, message) => {
    let error: unknown;
    try {
      parseScoresCsv(text, 'scores.csv');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain(`scores.csv: ${message}`);
  });
});
