import { checkExposition, checkExpositionBytes, parseGoFloat } from '../../agent/spool/check-exposition';
import { CASES } from './exposition-cases';

describe("spool file validation (the Pushgateway's rules)", () => {
  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = checkExposition(c.text);
    const accept = c.weAccept ?? c.gatewayAccepts;
    expect(r.ok).toBe(accept);
    if (!r.ok) {
      expect(r.line).toBe(c.line);
      expect(r.reason).toContain(c.reason);
    }
  });

  test('the samples of a valid file, as remote write sends them', () => {
    const r = checkExposition(
      '# TYPE h histogram\nh_bucket{le="1",disk="a"} 2\nh_sum 0.5\nh_count 2\nok{x="a\\"b"} 1\n',
    );
    expect(r).toEqual({
      ok: true,
      samples: [
        { name: 'h_bucket', labels: { le: '1', disk: 'a' }, value: 2 },
        { name: 'h_sum', labels: {}, value: 0.5 },
        { name: 'h_count', labels: {}, value: 2 },
        { name: 'ok', labels: { x: 'a"b' }, value: 1 },
      ],
    });
  });

  test('invalid UTF-8 is refused with its line', () => {
    const bytes = Buffer.concat([Buffer.from('a_v 1\nb_v{x="'), Buffer.from([0xff, 0xfe]), Buffer.from('"} 1\n')]);
    expect(checkExpositionBytes(bytes)).toEqual({ ok: false, line: 2, reason: 'not valid UTF-8' });
  });

  test('numbers as Go reads them', () => {
    expect(parseGoFloat('1.5e3')).toBe(1500);
    expect(parseGoFloat('.5')).toBe(0.5);
    expect(parseGoFloat('-Inf')).toBe(-Infinity);
    expect(parseGoFloat('Infinity')).toBe(Infinity);
    expect(parseGoFloat('NaN')).toBeNaN();
    for (const bad of ['', '+nan', '0x1p3', '1_000', '1e400', '1,5']) expect(parseGoFloat(bad)).toBeUndefined();
  });
});
