import { UsageError } from '../../agent/errors';
import { parseDurationMs, promRangeDuration } from '../../agent/fleet/duration';
import { checkUrl } from '../../agent/fleet/options';

describe('durations', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5000],
    ['1.5s', 1500],
    ['2m', 120000],
  ])('%p is %p ms', (text, ms) => expect(parseDurationMs(text, '--interval')).toBe(ms));

  it.each(['', 'fast', '0s', '-1s', '5x', '5'])('%p is a usage error naming the flag', (text) => {
    expect(() => parseDurationMs(text, '--interval')).toThrow(UsageError);
    expect(() => parseDurationMs(text, '--interval')).toThrow(/^--interval: /);
  });

  it('accepts PromQL ranges and rejects anything that could change the query', () => {
    expect(promRangeDuration('1m', '--rate-window')).toBe('1m');
    expect(promRangeDuration('1m30s', '--rate-window')).toBe('1m30s');
    for (const bad of ['0s', '1', '1m]) or vector(1', ''])
      expect(() => promRangeDuration(bad, '--rate-window')).toThrow(UsageError);
  });
});

describe('--prometheus-url', () => {
  it('must be an http(s) URL', () => {
    expect(checkUrl('http://127.0.0.1:9090')).toBe('http://127.0.0.1:9090');
    expect(() => checkUrl('127.0.0.1:9090')).toThrow(UsageError);
    expect(() => checkUrl('not a url')).toThrow(/is not a URL/);
  });
});
