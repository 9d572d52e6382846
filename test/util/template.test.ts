/**
 * The one template engine (src/util/template.ts) behind rule templates (src/rules/template.ts) and notification
 * templates (src/notify/render/template.ts): same syntax, same rendering, same limits, same errors.
 */
import { describe, expect, it } from 'vitest';
import { compileTemplate, TemplateError as RuleTemplateError } from '../../src/rules/template.js';
import { compileNotifyTemplate, NotifyTemplateError } from '../../src/notify/render/template.js';
import { compileTemplateIn, MAX_RENDERED_VALUE, TemplateError } from '../../src/util/template.js';

const language = { roots: ['a', 'b'] as const, examplePath: 'a.x' };

describe('the template engine', () => {
  it('renders paths, alternatives, literals, arrays and objects', () => {
    const t = compileTemplateIn(language, '{{a.x}} {{a.missing || b.list}} {{a.nothing || "none"}} {{b.obj}} {{ b.empty || b.nulls || \'-\' }}');
    expect(t.render({ a: { x: 'hi', nothing: null }, b: { list: [1, null, 'two', '', [3]], obj: { k: [1] }, empty: [], nulls: [null, ''] } })).toBe('hi 1, two, 3 none {"k":[1]} -');
    expect(t.paths).toEqual(['a.x', 'a.missing', 'b.list', 'a.nothing', 'b.obj', 'b.empty', 'b.nulls']);
  });

  it(`caps every rendered value at ${MAX_RENDERED_VALUE} characters: strings, joined arrays and JSON alike`, () => {
    const t = compileTemplateIn(language, '[{{a.s}}][{{a.list}}][{{a.obj}}]');
    const out = t.render({ a: { s: 'x'.repeat(2000), list: Array.from({ length: 400 }, () => 'ab'), obj: { k: 'y'.repeat(2000) } } });
    const values = out.slice(1, -1).split('][');
    expect(values).toHaveLength(3);
    for (const value of values) {
      expect(value).toHaveLength(MAX_RENDERED_VALUE);
      expect(value.endsWith('…')).toBe(true);
    }
  });

  it('never cuts a character in two', () => {
    const out = compileTemplateIn(language, '{{a.s}}').render({ a: { s: `${'x'.repeat(MAX_RENDERED_VALUE - 2)}😀😀😀` } });
    expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(out.length).toBeLessThanOrEqual(MAX_RENDERED_VALUE);
  });

  it.each([
    ['{{a.x', 'unclosed "{{" at offset 0', 0],
    ['a }} b', '"}}" without "{{" at offset 2', 2],
    ['x {{ }}', 'empty placeholder at offset 2', 2],
    ['{{c.x}}', 'unknown placeholder root "c" at offset 2: use one of a, b', 2],
    ['{{a..x}}', 'invalid placeholder "a..x" at offset 2: expected a path like a.x or a quoted literal', 2],
    ['{{a.x || }}', 'invalid placeholder "" at offset 8', 8],
  ])('refuses %j with the offset', (source, message, offset) => {
    let error: unknown;
    try {
      compileTemplateIn(language, source);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).message).toContain(message);
    expect((error as TemplateError).offset).toBe(offset);
  });
});

describe('rule and notification templates are the same engine', () => {
  const finding = { actor: { name: 'alice' }, resources: ['sg-1', 'sg-2'], facts: {}, eventName: 'StopLogging' };

  it('the same template renders the same text in both (only the roots differ)', () => {
    const rule = compileTemplate('{{actor.name}} ran {{detail.eventName}} on {{detail.resources || "?"}}').render({ actor: finding.actor, detail: finding });
    const notify = compileNotifyTemplate('{{finding.actor.name}} ran {{finding.eventName}} on {{finding.resources || "?"}}').render({ finding, count: 1, channel: 'c', severity: 'LOW' });
    expect(notify).toBe(rule);
    expect(rule).toBe('alice ran StopLogging on sg-1, sg-2');
  });

  it('with the same limit on a value', () => {
    const long = 'z'.repeat(5000);
    const rule = compileTemplate('{{detail.x}}').render({ detail: { x: long } });
    const notify = compileNotifyTemplate('{{finding.x}}').render({ finding: { x: long }, count: 1, channel: 'c', severity: 'LOW' });
    expect(rule).toHaveLength(MAX_RENDERED_VALUE);
    expect(notify).toBe(rule);
  });

  it('with the same checks and messages; each caller keeps its error class, both TemplateErrors', () => {
    for (const source of ['a }} b', '{{ }}', '{{x.y}}']) {
      const ruleError = catchError(() => compileTemplate(source.replace('x.y', 'record.y')));
      const notifyError = catchError(() => compileNotifyTemplate(source.replace('x.y', 'record.y')));
      expect(ruleError).toBeInstanceOf(RuleTemplateError);
      expect(notifyError).toBeInstanceOf(NotifyTemplateError);
      expect(notifyError).toBeInstanceOf(TemplateError);
      expect(notifyError.message.replace(/finding, count, channel, severity/, 'ROOTS')).toBe(ruleError.message.replace(/rule, event, detail, actor, check/, 'ROOTS'));
      expect(notifyError.offset).toBe(ruleError.offset);
    }
  });

  it('an empty list counts as absent in both (the next alternative is taken)', () => {
    expect(compileNotifyTemplate('{{finding.resources || "none"}}').render({ finding: { resources: [] }, count: 1, channel: 'c', severity: 'LOW' })).toBe('none');
    expect(compileTemplate('{{detail.resources || "none"}}').render({ detail: { resources: [] } })).toBe('none');
  });
});

function catchError(fn: () => unknown): TemplateError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error('expected a TemplateError');
}
