import { describe, expect, it } from 'vitest';
import { barChartSvg } from '../../src/platform/views/bar-chart.js';

const base = { id: 'rate', title: 'Daily attendance', description: 'Share present each day', max: 1, width: 140, height: 128 } as const;
// Plot area: x from 36 to 136 (100 wide), y from 8 to 108 (100 high).

const attributes = (svg: string, element: string) =>
  [...svg.matchAll(new RegExp(`<${element} ([^>]*)/?>`, 'g'))].map((m) =>
    Object.fromEntries([...m[1]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );

describe('barChartSvg', () => {
  it('draws one bar per value, its height in proportion to max', () => {
    const svg = barChartSvg({
      ...base,
      bars: [
        { label: '1', value: 1 },
        { label: '2', value: 0.5 },
        { label: '3', value: 0 },
        { label: '4', value: 0.25 },
      ],
    });
    const bars = attributes(svg, 'rect');
    expect(bars.map((b) => [b.x, b.y, b.width, b.height])).toEqual([
      ['39.75', '8', '17.5', '100'],
      ['64.75', '58', '17.5', '50'],
      ['89.75', '108', '17.5', '0'],
      ['114.75', '83', '17.5', '25'],
    ]);
    expect([...svg.matchAll(/<text class="label"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual(['1', '2', '3', '4']);
  });

  it('leaves a gap for a missing value and clamps values outside 0..max', () => {
    const svg = barChartSvg({
      ...base,
      bars: [
        { label: 'Sun', value: null },
        { label: 'Mon', value: 1.4 },
        { label: 'Tue', value: -3 },
      ],
    });
    const bars = attributes(svg, 'rect');
    expect(bars).toHaveLength(2);
    expect(bars[0]).toMatchObject({ y: '8', height: '100' });
    expect(bars[1]).toMatchObject({ y: '108', height: '0' });
    expect(svg).toContain('>Sun</text>');
  });

  it('is one named, described image for assistive technology', () => {
    const svg = barChartSvg({ ...base, bars: [] });
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-labelledby="rate-title rate-desc"/);
    expect(svg).toContain('<title id="rate-title">Daily attendance</title>');
    expect(svg).toContain('<desc id="rate-desc">Share present each day</desc>');
    expect(svg.endsWith('</svg>')).toBe(true);
  });

  it('draws gridlines at the ticks with their formatted labels', () => {
    const svg = barChartSvg({ ...base, bars: [], ticks: [0, 0.5, 1], formatTick: (v) => `${v * 100}%` });
    expect(attributes(svg, 'line').map((l) => l.y1)).toEqual(['108', '58', '8']);
    expect([...svg.matchAll(/<text class="tick"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual(['0%', '50%', '100%']);
  });

  it('escapes every piece of text, so the page may print it unescaped', () => {
    const svg = barChartSvg({
      ...base,
      id: 'a"b',
      title: '<script>alert(1)</script>',
      description: 'R&D "team"',
      bars: [{ label: "<img src=x onerror='x'>", value: 0.5 }],
    });
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).toContain('R&amp;D &quot;team&quot;');
    expect(svg).toContain('aria-labelledby="a&quot;b-title a&quot;b-desc"');
  });

  it('refuses a chart without a positive maximum', () => {
    expect(() => barChartSvg({ ...base, max: 0, bars: [] })).toThrow(RangeError);
  });
});
