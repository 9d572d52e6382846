import { describe, expect, it } from 'vitest';
import { Cursor } from '../../../../src/patterns/filter/syntax/cursor.js';
import { parseNumberText, readValue } from '../../../../src/patterns/filter/syntax/parse-value.js';

function value(text: string) {
  const cursor = new Cursor(text);
  return { value: readValue(cursor, '=', ')}&|,]'), rest: text.slice(cursor.pos) };
}

describe('readValue', () => {
  // "Strings that consist entirely of alphanumeric characters do not need to be quoted" (before 2023), and the guide's
  // unquoted examples: 123.123.*, 4*, *html*, kms.amazonaws.com (CIS), +1000.
  it('reads unquoted words up to the next delimiter', () => {
    expect(value('ConsoleLogin)')).toEqual({ value: { kind: 'string', text: 'ConsoleLogin', quoted: false, offset: 0 }, rest: ')' });
    expect(value('kms.amazonaws.com}').value).toMatchObject({ kind: 'string', text: 'kms.amazonaws.com' });
    expect(value('123.123.* ').value).toMatchObject({ kind: 'string', text: '123.123.*' });
    expect(value('us-east-1&&').value).toMatchObject({ kind: 'string', text: 'us-east-1' });
    expect(value('*.html*,').value).toMatchObject({ kind: 'string', text: '*.html*' });
  });

  // NUMBER: "An integer with an optional + or - sign, a decimal with an optional + or - sign, or a number in scientific
  // notation, which is an integer or a decimal with an optional + or - sign, followed by 'e', followed by an integer
  // with an optional + or - sign." (before 2023)
  it('reads unquoted numbers as numbers, keeping how they were written', () => {
    expect(value('400').value).toEqual({ kind: 'number', text: '400', value: 400, offset: 0 });
    expect(value('+1000').value).toMatchObject({ kind: 'number', value: 1000 });
    expect(value('-5').value).toMatchObject({ kind: 'number', value: -5 });
    expect(value('55.5').value).toMatchObject({ kind: 'number', value: 55.5 });
    expect(value('10e3').value).toMatchObject({ kind: 'number', value: 10000 });
    expect(value('10e-3').value).toMatchObject({ kind: 'number', value: 0.01 });
    expect(value('1e+3').value).toMatchObject({ kind: 'number', value: 1000 });
    expect(value('123456789012').value).toMatchObject({ kind: 'number', text: '123456789012', value: 123456789012 });
    expect(value('1.2.3').value).toMatchObject({ kind: 'string', text: '1.2.3' });
    expect(value('4*').value).toMatchObject({ kind: 'string', text: '4*' });
    expect(value('1e').value).toMatchObject({ kind: 'string', text: '1e' });
  });

  it('reads quoted strings, with \\" and \\\\ as the only escapes', () => {
    expect(value('"Failed authentication"').value).toEqual({ kind: 'string', text: 'Failed authentication', quoted: true, offset: 0 });
    expect(value('"say \\"hi\\""').value).toMatchObject({ text: 'say "hi"' });
    expect(value('"C:\\\\dir"').value).toMatchObject({ text: 'C:\\dir' });
    expect(value('"a\\b"').value).toMatchObject({ text: 'a\\b' });
    expect(value('"400"').value).toMatchObject({ kind: 'string', text: '400', quoted: true });
    expect(value('""').value).toMatchObject({ kind: 'string', text: '' });
  });

  it('reads %regex%', () => {
    expect(value('%^a.c$%)')).toEqual({ value: { kind: 'regex', source: '^a.c$', offset: 0 }, rest: ')' });
  });
});

describe('parseNumberText', () => {
  it('accepts the documented number forms and nothing else', () => {
    for (const text of ['0', '-0', '+7', '1.5', '.5', '5.', '1e3', '1E3', '-2.5e-3']) expect(parseNumberText(text), text).toBe(Number(text));
    for (const text of ['', '+', '-', 'e3', '1e', '0x10', '1_000', 'Infinity', 'NaN', ' 1', '1 ', '1.2.3']) expect(parseNumberText(text), text).toBeUndefined();
  });
});
