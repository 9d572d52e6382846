import { describe, expect, it } from 'vitest';
import { COMPLEX, MISSING, plainPathReader, withEventScope } from '../../../../src/patterns/eventbridge/matching/plain-path.js';
import { compileEventPattern } from '../../../../src/patterns/eventbridge/index.js';

describe('plainPathReader', () => {
  const read = plainPathReader('detail.userIdentity.type');

  it('reads a scalar along plain objects, and says MISSING when the name certainly has no value', () => {
    expect(read({ detail: { userIdentity: { type: 'Root' } } })).toBe('Root');
    expect(read({ detail: { userIdentity: { type: null } } })).toBeNull();
    expect(read({ detail: { userIdentity: { type: 7 } } })).toBe(7);
    expect(read({ detail: { userIdentity: {} } })).toBe(MISSING);
    expect(read({ detail: { userIdentity: 'Root' } })).toBe(MISSING);
    expect(read({ detail: {} })).toBe(MISSING);
    expect(read({})).toBe(MISSING);
  });

  it('leaves to the full search what plain reading cannot judge', () => {
    expect(read({ detail: [{ userIdentity: { type: 'Root' } }] })).toBe(COMPLEX);
    expect(read({ detail: { userIdentity: { type: ['Root'] } } })).toBe(COMPLEX);
    expect(read({ detail: { userIdentity: { type: { x: 1 } } } })).toBe(COMPLEX);
    expect(read({ 'detail.userIdentity': { type: 'Root' }, detail: {} })).toBe(COMPLEX);
    expect(read({ detail: { 'userIdentity.type': 'Root' } })).toBe(COMPLEX);
    expect(read({ detail: { userIdentity: { type: () => 'Root' } } })).toBe(COMPLEX);
    expect(read(Object.assign(Object.create({ detail: { userIdentity: { type: 'Root' } } }) as object, {}))).toBe(COMPLEX);
    expect(read('not an object')).toBe(COMPLEX);
  });

  it('does not take a key for the reader code: names are data', () => {
    const key = 'a"]+(()=>{throw new Error("injected")})()+["';
    const odd = plainPathReader(`${key}.b\\`);
    expect(odd({ [key]: { 'b\\': 'x' } })).toBe('x');
    expect(odd({ [key]: {} })).toBe(MISSING);
  });

  it('remembers its answer only inside an event scope, for that event', () => {
    const pattern = compileEventPattern({ detail: { userIdentity: { type: ['Root'] } } });
    const event = { detail: { userIdentity: { type: 'Root' } } };
    expect(pattern.matches(event)).toBe(true);
    event.detail.userIdentity.type = 'IAMUser';
    expect(pattern.matches(event)).toBe(false);
    withEventScope(event, () => {
      expect(pattern.matches(event)).toBe(false);
      expect(pattern.matches({ detail: { userIdentity: { type: 'Root' } } })).toBe(true);
    });
    event.detail.userIdentity.type = 'Root';
    expect(withEventScope(event, () => pattern.matches(event))).toBe(true);
  });
});
