import { describe, expect, it } from 'vitest';
import { closestName, didYouMean, editDistance } from '../../src/util/suggest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['exclude', 'exlude', 1],
    ['tags', 'tgas', 1], // a swap of neighbours is one edit
    ['root-console-login', 'root-console-logn', 1],
    ['kitten', 'sitting', 3],
    ['ca', 'abc', 3], // optimal string alignment: no edit of a transposed pair
  ])('%j → %j = %d', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('closestName / didYouMean', () => {
  const keys = ['builtin', 'paths', 'only', 'exclude', 'severity'];

  it('suggests the closest known name within two edits (one for short names), without case', () => {
    expect(closestName('exlude', keys)).toBe('exclude');
    expect(closestName('Exclude', keys)).toBe('exclude');
    expect(closestName('serverity', keys)).toBe('severity');
    expect(closestName('onyl', keys)).toBe('only');
    expect(closestName('colour', keys)).toBeUndefined();
    expect(closestName('x', ['id', 'x1'])).toBeUndefined();
    expect(closestName('nope', ['none', 'rope'])).toBe('none');
    expect(closestName('nope', ['nobody'])).toBeUndefined();
  });

  it('the first of equally close names wins; the name itself is never suggested', () => {
    expect(closestName('cat', ['bat', 'hat'])).toBe('bat');
    expect(closestName('only', ['only'])).toBeUndefined();
  });

  it('formats the suggestion, quoted for keys and bare for ids', () => {
    expect(didYouMean('exlude', keys)).toBe(' (did you mean "exclude"?)');
    expect(didYouMean('root-console-logn', ['root-console-login', 'root-account-usage'], { quote: false })).toBe(' (did you mean root-console-login?)');
    expect(didYouMean('colour', keys)).toBe('');
  });
});
