/**
 * A bar chart as an SVG string, drawn on the server: no chart library, nothing fetched by the browser, and
 * the page works without JavaScript. Pure: numbers in, markup out. Every piece of text is escaped here,
 * so a template may print the result unescaped (`| safe`).
 *
 * Accessibility: the SVG is one image (`role="img"`) named by its <title> and described by its <desc>;
 * the page must still give the numbers as text (a table or a figcaption), which a chart never replaces.
 */

export interface Bar {
  /** Shown under the bar (a day number, a month). */
  label: string;
  /** Between 0 and `max`; null draws no bar (a day nobody was expected). */
  value: number | null;
}

export interface BarChartInput {
  /** Unique on the page: the title and description are referenced by id. */
  id: string;
  title: string;
  description: string;
  bars: readonly Bar[];
  /** The value at the top of the chart (1 for a rate). */
  max: number;
  /** Gridlines with their labels, as values between 0 and `max`. */
  ticks?: readonly number[];
  formatTick?: (value: number) => string;
  width?: number;
  height?: number;
}

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

/** Two decimals are finer than a pixel: keeps the markup short and the tests exact. */
const round = (n: number) => Math.round(n * 100) / 100;

/** Room around the plot for the tick labels (left) and bar labels (bottom). */
const MARGIN = { top: 8, right: 4, bottom: 20, left: 36 } as const;

export function barChartSvg(input: BarChartInput): string {
  const width = input.width ?? 720;
  const height = input.height ?? 200;
  if (!(input.max > 0)) throw new RangeError('max must be more than 0');
  const id = escapeXml(input.id);
  const plot = { width: width - MARGIN.left - MARGIN.right, height: height - MARGIN.top - MARGIN.bottom };
  const yOf = (value: number) => round(MARGIN.top + plot.height * (1 - Math.min(Math.max(value, 0), input.max) / input.max));
  const format = input.formatTick ?? String;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc" class="bar-chart">`,
    `<title id="${id}-title">${escapeXml(input.title)}</title>`,
    `<desc id="${id}-desc">${escapeXml(input.description)}</desc>`,
  ];
  for (const tick of input.ticks ?? []) {
    const y = yOf(tick);
    parts.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${y}" y2="${y}" stroke="#d9dee7"/>`,
      `<text class="tick" x="${MARGIN.left - 4}" y="${round(y + 4)}" text-anchor="end" font-size="11" fill="#4a5565">${escapeXml(format(tick))}</text>`,
    );
  }
  const slot = input.bars.length > 0 ? plot.width / input.bars.length : 0;
  const barWidth = round(slot * 0.7);
  input.bars.forEach((bar, i) => {
    const x = round(MARGIN.left + slot * i + (slot - barWidth) / 2);
    const centre = round(MARGIN.left + slot * i + slot / 2);
    if (bar.value !== null && Number.isFinite(bar.value)) {
      const y = yOf(bar.value);
      parts.push(`<rect class="bar" x="${x}" y="${y}" width="${barWidth}" height="${round(MARGIN.top + plot.height - y)}" fill="#1f4fd1"/>`);
    }
    parts.push(`<text class="label" x="${centre}" y="${height - 6}" text-anchor="middle" font-size="10" fill="#4a5565">${escapeXml(bar.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
