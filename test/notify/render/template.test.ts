/**
 * Notification templates run on the one template engine (src/util/template.ts) shared with rule summaries: what
 * that changed for `templates.title` / `templates.summary` (the rest is pinned in test/notify/render.test.ts and
 * test/util/template.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { notificationsConfigSchema } from '../../../src/notify/config.js';
import { compileNotifyTemplate, NotifyTemplateError } from '../../../src/notify/render/template.js';
import { MAX_RENDERED_VALUE, TemplateError } from '../../../src/util/template.js';

const context = (finding: unknown) => ({ finding, count: 2, channel: 'slack', severity: 'HIGH' });

describe('notification templates on the shared engine', () => {
  it('a stray "}}" and an empty placeholder are refused with their offset, as in rule templates', () => {
    expect(() => compileNotifyTemplate('{{severity}} }} x')).toThrow(/"}}" without "{{" at offset 13/);
    expect(() => compileNotifyTemplate('x {{ }}')).toThrow(/empty placeholder at offset 2/);
    try {
      compileNotifyTemplate('{{detail.x}}');
    } catch (error) {
      expect(error).toBeInstanceOf(NotifyTemplateError);
      expect(error).toBeInstanceOf(TemplateError);
      expect((error as NotifyTemplateError).offset).toBe(2);
    }
  });

  it('the config refuses such a template at load time', () => {
    const parsed = notificationsConfigSchema.safeParse({ channels: { x: { type: 'stdout' } }, templates: { title: '{{ severity }} }}' } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toMatch(/"}}" without "{{"/);
  });

  it('list items that are absent are left out, an empty list takes the next alternative', () => {
    expect(compileNotifyTemplate('{{finding.resources}}').render(context({ resources: ['sg-1', null, '', 'sg-2'] }))).toBe('sg-1, sg-2');
    expect(compileNotifyTemplate('{{finding.resources || "no resources"}}').render(context({ resources: [] }))).toBe('no resources');
  });

  it(`caps each value at ${MAX_RENDERED_VALUE} characters`, () => {
    expect(compileNotifyTemplate('{{finding.summary}}').render(context({ summary: 's'.repeat(MAX_RENDERED_VALUE * 3) }))).toHaveLength(MAX_RENDERED_VALUE);
  });
});
