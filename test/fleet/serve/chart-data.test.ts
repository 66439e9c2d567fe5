import { alignSeries, lastRange, seriesByLabel, stepTimes } from '../../../agent/fleet/serve/chart-data';

describe('chart data', () => {
  const range = { start: 100, end: 160, step: 20 };

  it('has one time per step, start and end included', () => {
    expect(stepTimes(range)).toEqual([100, 120, 140, 160]);
  });

  it('aligns series on the steps: a missing step and NaN are gaps (null), never zero', () => {
    const d = alignSeries(
      [
        {
          metric: { instance: 'b' },
          values: [
            [100, '1.23456'],
            [140, 'NaN'],
            [160, '2'],
          ],
        },
        {
          metric: { instance: 'a' },
          values: [
            [120, '+Inf'],
            [160, '5'],
          ],
        },
        { metric: { other: 'x' }, values: [[100, '9']] },
      ],
      range,
      (m) => m.instance,
      2,
    );
    expect(d).toEqual({
      times: [100, 120, 140, 160],
      series: [
        { name: 'a', values: [null, null, null, 5] },
        { name: 'b', values: [1.23, null, null, 2] },
      ],
    });
  });

  it('names series by a label, rounded to one digit', () => {
    const d = seriesByLabel([{ metric: { instance: 'h' }, values: [[120, '33.333']] }], range, 'instance');
    expect(d.series).toEqual([{ name: 'h', values: [null, 33.3, null, null] }]);
  });

  it('ends the last range on a whole step, so refreshes ask for the same steps', () => {
    expect(lastRange(1000.7, 3600, 60)).toEqual({ start: -2640, end: 960, step: 60 });
    const r = lastRange(7263, 300, 60);
    expect(r).toEqual({ start: 6960, end: 7260, step: 5 });
    expect(stepTimes(r)).toHaveLength(61);
  });
});
