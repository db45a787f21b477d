// A hand-written log-log SVG line chart, for W4 (ms per assignEvents() against subscriber count).

/** One line of the chart. */
export interface Series {
  readonly label: string;
  /** `[x, y]` points, both positive. */
  readonly points: ReadonlyArray<readonly [number, number]>;
}

/** Titles of a chart. */
export interface ChartText {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
}

const WIDTH = 760;
const HEIGHT = 460;
const MARGIN = { left: 80, right: 220, top: 48, bottom: 58 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Decade range `[low, high]` (powers of ten, as exponents) covering every value. */
export function decades(values: readonly number[]): [number, number] {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return [0, 1];
  let low = Math.floor(Math.log10(Math.min(...positive)));
  let high = Math.ceil(Math.log10(Math.max(...positive)));
  if (high === low) high = low + 1;
  if (high - low < 2) low -= 1;
  return [low, high];
}

function tickLabel(exponent: number): string {
  const value = 10 ** exponent;
  if (exponent >= 3) return value.toLocaleString('en-US');
  if (exponent >= 0) return String(value);
  return value.toFixed(-exponent);
}

function valueLabel(y: number): string {
  if (y >= 100) return y.toFixed(0);
  if (y >= 1) return y.toPrecision(3);
  return y.toPrecision(2);
}

/** An SVG document plotting `series` on log-log axes, with decade grid lines and a legend. */
export function logLogChart(series: readonly Series[], text: ChartText): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const [xLow, xHigh] = decades(xs);
  const [yLow, yHigh] = decades(ys);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number): number => MARGIN.left + ((Math.log10(x) - xLow) / (xHigh - xLow)) * plotW;
  const py = (y: number): number => MARGIN.top + plotH - ((Math.log10(y) - yLow) / (yHigh - yLow)) * plotH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, sans-serif" font-size="12">`,
  );
  out.push(`<title>${escapeXml(text.title)}</title>`);
  out.push(`<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`);
  out.push(`<text x="${WIDTH / 2 - MARGIN.right / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(text.title)}</text>`);
  // Grid and ticks.
  for (let e = xLow; e <= xHigh; e++) {
    const x = px(10 ** e).toFixed(1);
    out.push(`<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${MARGIN.top + plotH}" stroke="#dddddd"/>`);
    out.push(`<text x="${x}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${tickLabel(e)}</text>`);
  }
  for (let e = yLow; e <= yHigh; e++) {
    const y = py(10 ** e).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotW}" y2="${y}" stroke="#dddddd"/>`);
    out.push(`<text x="${MARGIN.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${tickLabel(e)}</text>`);
  }
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333333"/>`);
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 16}" text-anchor="middle">${escapeXml(text.xLabel)}</text>`);
  out.push(
    `<text x="20" y="${MARGIN.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 20 ${MARGIN.top + plotH / 2})">${escapeXml(text.yLabel)}</text>`,
  );
  // Lines, points, value labels, legend.
  series.forEach((s, index) => {
    const colour = COLOURS[index % COLOURS.length] as string;
    const sorted = [...s.points].sort((a, b) => a[0] - b[0]);
    const path = sorted.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    if (sorted.length > 1) out.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const [x, y] of sorted) {
      out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="4" fill="${colour}"/>`);
      out.push(`<text x="${(px(x) + 6).toFixed(1)}" y="${(py(y) - 6).toFixed(1)}" fill="${colour}" font-size="10">${valueLabel(y)}</text>`);
    }
    const ly = MARGIN.top + 10 + index * 22;
    const lx = MARGIN.left + plotW + 16;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`);
    out.push(`<circle cx="${lx + 12}" cy="${ly}" r="4" fill="${colour}"/>`);
    out.push(`<text x="${lx + 32}" y="${ly}" dominant-baseline="middle">${escapeXml(s.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
