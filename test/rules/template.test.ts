import { describe, expect, it } from 'vitest';
import { compilePathExpression, compileTemplate, TemplateError } from '../../src/rules/template.js';

const context = {
  rule: { id: 'r1' },
  event: { account: '123456789012', region: 'us-east-1', 'detail-type': 'AWS API Call via CloudTrail' },
  detail: { eventName: 'StopLogging', requestParameters: { name: 'trail-a', list: ['a', 'b'], nested: { x: 1 } }, empty: '', nothing: null },
  actor: { name: 'Admin/alice', mfa: false },
  check: { ports: [22, 3389] },
};

describe('compileTemplate', () => {
  it('renders paths, hyphenated keys, booleans and arrays', () => {
    const t = compileTemplate('{{actor.name}} ran {{detail.eventName}} ({{event.detail-type}}) mfa={{actor.mfa}} ports={{check.ports}}');
    expect(t.render(context)).toBe('Admin/alice ran StopLogging (AWS API Call via CloudTrail) mfa=false ports=22, 3389');
  });

  it('takes the first present alternative, skipping missing, null and empty values', () => {
    expect(compileTemplate('{{detail.missing || detail.nothing || detail.empty || detail.requestParameters.name}}').render(context)).toBe('trail-a');
    expect(compileTemplate('{{detail.missing || "no name"}}').render(context)).toBe('no name');
    expect(compileTemplate("{{detail.missing || 'single'}}").render(context)).toBe('single');
  });

  it('renders the missing marker only when no alternative is present', () => {
    expect(compileTemplate('x={{detail.missing}}').render(context, '(unknown)')).toBe('x=(unknown)');
    expect(compileTemplate('x={{detail.missing}}').render(context)).toBe('x=');
  });

  it('renders objects as compact JSON and indexes arrays', () => {
    expect(compileTemplate('{{detail.requestParameters.nested}}').render(context)).toBe('{"x":1}');
    expect(compileTemplate('{{detail.requestParameters.list.1}}').render(context)).toBe('b');
  });

  it('lists the paths it reads', () => {
    expect(compileTemplate('{{a.b || "x"}}'.replace('a.b', 'detail.eventName') + '{{actor.arn}}').paths).toEqual(['detail.eventName', 'actor.arn']);
  });

  it.each([
    ['{{detail.eventName', 'unclosed "{{" at offset 0'],
    ['a }} b', '"}}" without "{{" at offset 2'],
    ['x {{ }}', 'empty placeholder at offset 2'],
    ['{{record.eventName}}', 'unknown placeholder root "record" at offset 2'],
    ['{{detail..x}}', 'invalid placeholder "detail..x" at offset 2'],
    ['{{detail.a || }}', 'invalid placeholder "" at offset 13'],
  ])('rejects %j with a located message', (source, message) => {
    expect(() => compileTemplate(source)).toThrow(TemplateError);
    expect(() => compileTemplate(source)).toThrow(message);
  });
});

describe('compilePathExpression', () => {
  it('compiles a bare expression with alternatives', () => {
    expect(compilePathExpression('detail.requestParameters.groupId || detail.requestParameters.name').render(context)).toBe('trail-a');
  });
});
