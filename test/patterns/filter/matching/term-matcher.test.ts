import { describe, expect, it } from 'vitest';
import { compileFilterPattern } from '../../../../src/patterns/filter/index.js';

function matching(pattern: string, messages: readonly string[]): string[] {
  const compiled = compileFilterPattern(pattern);
  return messages.filter((message) => compiled.matches(message));
}

// Filter pattern syntax, "Using filter patterns to match terms in unstructured log events" (today's examples).
const guideMessages = ['[ERROR 400] BAD REQUEST', '[ERROR 401] UNAUTHORIZED REQUEST', '[ERROR 419] MISSING ARGUMENTS', '[ERROR 420] INVALID ARGUMENTS'];

describe('term patterns: the guide examples', () => {
  it('Match a single term: ERROR', () => {
    expect(matching('ERROR', guideMessages)).toEqual(guideMessages);
  });

  it('Match multiple terms: ERROR ARGUMENTS', () => {
    expect(matching('ERROR ARGUMENTS', guideMessages)).toEqual(['[ERROR 419] MISSING ARGUMENTS', '[ERROR 420] INVALID ARGUMENTS']);
  });

  it('Match optional terms: ?ERROR ?ARGUMENTS', () => {
    expect(matching('?ERROR ?ARGUMENTS', guideMessages)).toEqual(guideMessages);
    expect(matching('?BAD ?INVALID', guideMessages)).toEqual(['[ERROR 400] BAD REQUEST', '[ERROR 420] INVALID ARGUMENTS']);
  });

  // "If you combine "?" with other filter patterns, all question mark terms will be ignored. For example, the
  // following filter pattern matches all events containing the word REQUEST": ?ERROR ?ARGUMENTS REQUEST
  it('? terms next to other terms are ignored', () => {
    const messages = ['[INFO] REQUEST FAILED', '[WARN] UNAUTHORIZED REQUEST', '[ERROR] 400 BAD REQUEST', '[ERROR] 500 SERVER DOWN'];
    expect(matching('?ERROR ?ARGUMENTS REQUEST', messages)).toEqual(messages.slice(0, 3));
    expect(matching('?ERROR -REQUEST', messages)).toEqual(['[ERROR] 500 SERVER DOWN']);
  });

  it('Match exact phrases: "INTERNAL SERVER ERROR"', () => {
    expect(matching('"INTERNAL SERVER ERROR"', ['[ERROR 500] INTERNAL SERVER ERROR', 'INTERNAL ERROR SERVER', 'internal server error'])).toEqual([
      '[ERROR 500] INTERNAL SERVER ERROR',
    ]);
  });

  it('Include and exclude terms: ERROR -ARGUMENTS', () => {
    expect(matching('ERROR -ARGUMENTS', guideMessages)).toEqual(['[ERROR 400] BAD REQUEST', '[ERROR 401] UNAUTHORIZED REQUEST']);
  });

  // 2019-2022 revisions: three log events and four patterns.
  it('OR pattern matching: ERROR, ?ERROR ?WARN, ERROR WARN, ERROR -WARN', () => {
    const events = ['ERROR WARN message', 'ERROR message', 'WARN message'];
    expect(matching('ERROR', events)).toEqual(events.slice(0, 2));
    expect(matching('?ERROR ?WARN', events)).toEqual(events);
    expect(matching('ERROR WARN', events)).toEqual(events.slice(0, 1));
    expect(matching('ERROR -WARN', events)).toEqual(['ERROR message']);
  });

  // "The filter pattern "ERROR" matches ... [ERROR] A fatal exception has occurred; Exiting with ERRORCODE: -1"; with
  // "ERROR" - "Exiting" the second "would be excluded"; "Failed to process the request" matches "[WARN] Failed to
  // process the request" and "[ERROR] Unable to continue: Failed to process the request" (2019-2022 revisions).
  it('a term is found inside longer words and next to punctuation', () => {
    const events = ['[ERROR] A fatal exception has occurred', 'Exiting with ERRORCODE: -1'];
    expect(matching('ERROR', events)).toEqual(events);
    expect(matching('"ERROR" - "Exiting"', events)).toEqual(events.slice(0, 1));
    expect(matching('"Failed to process the request"', ['[WARN] Failed to process the request', '[ERROR] Unable to continue: Failed to process the request', 'Failed to process a request'])).toEqual([
      '[WARN] Failed to process the request',
      '[ERROR] Unable to continue: Failed to process the request',
    ]);
  });
});

describe('term patterns: case and boundaries', () => {
  // "Filter patterns are case sensitive."
  it('is case sensitive', () => {
    expect(matching('ERROR', ['error=cannot process ticket', 'rpc error', 'Error: entity not found!', 'NotFoundError', 'ErRoR', 'ERRORNEOUS PROGRAM'])).toEqual([
      'ERRORNEOUS PROGRAM',
    ]);
  });

  it('an exact phrase must appear as written, spaces included', () => {
    expect(matching('?"clean up" ?xyz', ['map clean up', 'xyz', 'xyz will do clean up', 'abc xy yz xz', 'map is cleaned up'])).toEqual([
      'map clean up',
      'xyz',
      'xyz will do clean up',
    ]);
    expect(matching('"ERROR][grpc"', ['2025-03-28 [ERROR][grpc] failed', '[ERROR] [grpc]'])).toEqual(['2025-03-28 [ERROR][grpc] failed']);
  });

  it('matches a record against its JSON text', () => {
    const record = { eventName: 'ConsoleLogin', errorMessage: 'Failed authentication' };
    expect(compileFilterPattern('"Failed authentication"').matches(record)).toBe(true);
    expect(compileFilterPattern('ConsoleLogin -GetObject').matches(record)).toBe(true);
    expect(compileFilterPattern('"\\"errorMessage\\":\\"Failed"').matches(record)).toBe(true);
  });

  it('an excluded blank phrase excludes everything', () => {
    expect(matching('ERROR -" "', ['ERROR x', 'ERROR'])).toEqual([]);
  });
});
