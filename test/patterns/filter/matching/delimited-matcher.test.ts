import { describe, expect, it } from 'vitest';
import { compileFilterPattern } from '../../../../src/patterns/filter/index.js';

function matching(pattern: string, lines: readonly string[]): string[] {
  const compiled = compileFilterPattern(pattern);
  return lines.filter((line) => compiled.matches(line));
}

// Filter pattern syntax, "Using filter patterns to match terms in space-delimited log events".
const accessLog = '127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534';

describe('space-delimited patterns: the guide examples', () => {
  it('[ip=%127\\.0\\.0\\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]', () => {
    const pattern = '[ip=%127\\.0\\.0\\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]';
    expect(matching(pattern, [accessLog])).toEqual([accessLog]);
    expect(matching(pattern, [accessLog.replace('127.0.0.1', '10.0.0.1')])).toEqual([]);
    expect(matching(pattern, [accessLog.replace('index.html', 'logo.gif')])).toEqual([]);
    expect(matching(pattern, [accessLog.replace(' 404 ', ' 200 ')])).toEqual([]);
  });

  it('"..." stands for as many fields as needed', () => {
    expect(matching('[..., request =*.html*, status_code = 4*, bytes]', [accessLog])).toEqual([accessLog]);
    expect(matching('[..., status_code, bytes]', [accessLog, 'a b', 'a'])).toEqual([accessLog, 'a b']);
    expect(matching('[ip, user, ..., status_code, bytes]', [accessLog, 'a b c d', 'a b c'])).toEqual([accessLog, 'a b c d']);
    expect(matching('[ip, user, ...]', [accessLog, 'a b', 'a'])).toEqual([accessLog, 'a b']);
    expect(matching('[...]', [accessLog, '', 'x'])).toEqual([accessLog, '', 'x']);
  });

  it('status_code = 404 || status_code = 410', () => {
    const pattern = '[ip, user, username, timestamp, request =*.html*, status_code = 404 || status_code = 410, bytes]';
    expect(matching(pattern, [accessLog, accessLog.replace(' 404 ', ' 410 '), accessLog.replace(' 404 ', ' 403 ')])).toEqual([
      accessLog,
      accessLog.replace(' 404 ', ' 410 '),
    ]);
  });

  // 2019-2022 revisions: [ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes] (one
  // revision) and bytes > 1000.
  it('numeric and combined conditions', () => {
    const lines = [
      '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
      '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324',
      '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 403 355',
      '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 404 999',
    ];
    expect(matching('[ip, user, username, timestamp, request, status_code, bytes > 1000]', lines)).toEqual(lines.slice(0, 2));
    expect(matching('[ip, user, username, timestamp, request, status_code = 200, bytes]', lines)).toEqual(lines.slice(0, 1));
    expect(matching('[ip, user, username, timestamp, request, status_code = 4*, bytes]', lines)).toEqual(lines.slice(2));
    expect(matching('[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]', lines)).toEqual(lines.slice(3));
    expect(matching('[ip, user, username, timestamp, request = *gif*, status_code != 2*, bytes <= 999]', lines)).toEqual(lines.slice(2));
  });

  // "INFO 09/25/2014 12:00:00 GET /service/resource/67 1200" ... and the w1/w2 examples.
  it('Match terms in order: w1, w2', () => {
    const events = ['ERROR WARN message', 'ERROR message', 'WARN message'];
    // "[w1=ERROR, w2] matches pattern 2"; "[w1=ERROR || w1=WARN, w2] matches patterns 2 and 3" (2019-2022 revisions)
    expect(matching('[w1=ERROR, w2]', events)).toEqual(['ERROR message']);
    expect(matching('[w1=ERROR || w1=WARN, w2]', events)).toEqual(['ERROR message', 'WARN message']);
    expect(matching('[w1!=ERROR && w1!=WARN, w2]', [...events, 'INFO message'])).toEqual(['INFO message']);
    expect(matching('[w1=ERROR, ...]', events)).toEqual(['ERROR WARN message', 'ERROR message']);
  });

  it('Match the top level and child level item in a resource URI', () => {
    const log = [
      'INFO 09/25/2014 12:00:00 GET /service/resource/67 1200',
      'INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310',
      'WARNING 09/25/2014 12:00:02 Invalid user request',
      'ERROR 09/25/2014 12:00:02 Failed to process request',
    ];
    expect(matching('[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]', log)).toEqual(log.slice(0, 1));
    expect(matching('[logLevel, date, time, method, url=%/service/resource/[0-9]+/part/[0-9]+$%, response_time]', log)).toEqual(log.slice(1, 2));
    expect(matching('[w1=ERROR, ...]', log)).toEqual(log.slice(3));
  });

  // "Example Filter: [..., request=*.html*, status_code=4*,]" with its log event (2019-2022 revisions)
  it('an unnamed trailing field', () => {
    expect(matching('[..., request=*.html*, status_code=4*,]', ['127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'])).toHaveLength(1);
    expect(matching('[..., request=*.html*, status_code=4*,]', ['127.0.0.1 - frank "GET /index.html HTTP/1.0" 404'])).toHaveLength(0);
  });
});

describe('space-delimited patterns: fields of the line', () => {
  it('"Characters between brackets ("[]") and double quotation marks ("") are considered single fields"', () => {
    expect(matching('[a, b = "10/Oct/2000:13:25:15 -0700", c = "GET /x y", d]', ['1 [10/Oct/2000:13:25:15 -0700] "GET /x y" 2'])).toHaveLength(1);
    expect(matching('[a, b, c]', ['"x y z" [p q] r', 'x y z r'])).toEqual(['"x y z" [p q] r']);
  });

  it('an unclosed quote or bracket is an ordinary character', () => {
    expect(matching('[a = "\\"x", b]', ['"x y'])).toHaveLength(1);
    expect(matching('[a = "[x", b]', ['[x y'])).toHaveLength(1);
  });

  it('runs of spaces and tabs separate fields; leading and trailing ones add none', () => {
    expect(matching('[a, b]', ['  x \t  y  ', 'x y z'])).toEqual(['  x \t  y  ']);
  });

  it('numeric operators read the field as a number; = with a number also accepts the same text', () => {
    expect(matching('[a > 10]', ['11', '1e2', '+20', '10', 'abc', '11x'])).toEqual(['11', '1e2', '+20']);
    expect(matching('[a = 200]', ['200', '200.0', '2e2', '0200', 'x200'])).toEqual(['200', '200.0', '2e2', '0200']);
    expect(matching('[a != 200]', ['200', '201', '-'])).toEqual(['201', '-']);
  });

  it('middle segments between ellipses are found anywhere in order', () => {
    expect(matching('[..., a = x, ..., b = y, ...]', ['q x q y q', 'x y', 'y x', 'x q x q'])).toEqual(['q x q y q', 'x y']);
    expect(matching('[h = s, ..., a = x, b = y, ..., t = e]', ['s x y e', 's q x y q e', 's x q y e', 's x y'])).toEqual(['s x y e', 's q x y q e']);
  });
});
