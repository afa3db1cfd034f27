/**
 * The dashboard's two charts, drawn as hand-made SVG: two small, static shapes (bars and one polyline) that
 * are redrawn on each update. A chart library would add far more code to the bundle than these ~100 lines,
 * and would still need the same work for what matters here: a text alternative for screen readers.
 */
import { el, svg } from '../dom.ts';
import { formatClock } from './format.ts';

export interface FunnelStep {
  title: string;
  passed: number;
}

/** Per step, how many students passed it, as horizontal bars with the numbers written beside them. */
export function funnelChart(steps: FunnelStep[], students: number): HTMLElement {
  // Titles are written above each bar in HTML (they wrap when long or zoomed); the SVG is only the bar.
  const width = 320;
  const height = 18;
  const figure = el('figure', { class: 'chart funnel' });
  const caption = el('figcaption', {}, 'Students who passed each step');
  const list = el('ol', { class: 'funnel-list' });
  for (const step of steps) {
    const share = students ? step.passed / students : 0;
    const bar = svg(
      'svg',
      { viewBox: `0 0 ${width} ${height}`, width: '100%', height, preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' },
      svg('rect', { x: 0, y: 0, width, height, class: 'bar-track' }),
      svg('rect', { x: 0, y: 0, width: width * share, height, class: 'bar-fill' }),
    );
    list.append(el('li', {}, el('span', { class: 'funnel-label' }, `${step.title}: ${step.passed} of ${students}`), bar));
  }
  figure.append(caption, list);
  return figure;
}

/**
 * The class's completion over time: the share of all (student, step) pairs passed, as a step line from the
 * first pass to now. `passTimes` are every cell's `firstPassedAt`.
 */
export function completionChart(passTimes: number[], totalCells: number, now: number): HTMLElement {
  const figure = el('figure', { class: 'chart completion' });
  const caption = el('figcaption', {}, 'Class completion over time');
  if (!passTimes.length || !totalCells) {
    figure.append(caption, el('p', { class: 'muted' }, 'No step passed yet.'));
    return figure;
  }
  const times = [...passTimes].sort((a, b) => a - b);
  const start = times[0]!;
  const end = Math.max(now, times[times.length - 1]!, start + 60_000);
  const W = 320;
  const H = 120;
  const pad = { left: 34, right: 6, top: 8, bottom: 20 };
  const x = (t: number) => pad.left + ((t - start) / (end - start)) * (W - pad.left - pad.right);
  const y = (share: number) => H - pad.bottom - share * (H - pad.top - pad.bottom);
  const points: string[] = [`${x(start)},${y(0)}`];
  times.forEach((t, i) => {
    points.push(`${x(t)},${y(i / totalCells)}`, `${x(t)},${y((i + 1) / totalCells)}`);
  });
  const finalShare = times.length / totalCells;
  points.push(`${x(end)},${y(finalShare)}`);
  const percent = Math.round(finalShare * 100);
  const summary = `${percent}% of all steps passed, from ${formatClock(start)} to ${formatClock(end)}`;
  const chart = svg(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-label': `Class completion over time: ${summary}` },
    svg('line', { x1: pad.left, y1: y(0), x2: W - pad.right, y2: y(0), class: 'axis' }),
    svg('line', { x1: pad.left, y1: y(1), x2: W - pad.right, y2: y(1), class: 'gridline' }),
    svg('text', { x: pad.left - 4, y: y(1) + 4, 'text-anchor': 'end', class: 'tick' }, '100%'),
    svg('text', { x: pad.left - 4, y: y(0) + 4, 'text-anchor': 'end', class: 'tick' }, '0%'),
    svg('text', { x: pad.left, y: H - 4, class: 'tick' }, formatClock(start)),
    svg('text', { x: W - pad.right, y: H - 4, 'text-anchor': 'end', class: 'tick' }, formatClock(end)),
    svg('polyline', { points: points.join(' '), class: 'line' }),
  );
  figure.append(caption, chart, el('p', { class: 'chart-summary' }, summary));
  return figure;
}
