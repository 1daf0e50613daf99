// A small SVG line chart: no library needed for a few series over the last hour.

/** SVG's XML namespace: a name, never fetched. */
export const NS = 'http://www.w3.org/2000/svg';
const W = 400, H = 160, L = 40, B = 18, T = 6, R = 8;
export const COLORS = ['#0b4f9c', '#c0392b', '#1d6b1d', '#8e44ad', '#b9770e', '#555'];

function el(name, attrs) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

/** Draws SERIES ([{name, points: [[tMs, value], ...]}]) into the <svg> SVG over the last
 *  windowMs ending at nowMs (the scale stops at ceiling: 100 for a share). The SVG's label states the latest values, for screen readers. */
export function drawLines(svg, series, { nowMs = Date.now(), windowMs = 3600e3, unit = '', ceiling = Infinity } = {}) {
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('role', 'img');
  svg.replaceChildren();
  const from = nowMs - windowMs;
  let max = 0;
  for (const s of series) for (const [t, v] of s.points) if (t >= from && v > max) max = v;
  max = max > 0 ? Math.min(max * 1.1, ceiling) : 1;
  const x = t => L + ((t - from) / windowMs) * (W - L - R);
  const y = v => H - B - (v / max) * (H - B - T);
  svg.append(el('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#888' }));
  svg.append(el('line', { x1: L, y1: T, x2: L, y2: H - B, stroke: '#888' }));
  const top = el('text', { x: L - 4, y: T + 10, 'text-anchor': 'end', 'font-size': 11 });
  top.textContent = (max >= 10 ? Math.round(max) : max.toFixed(2)) + unit;
  const zero = el('text', { x: L - 4, y: H - B, 'text-anchor': 'end', 'font-size': 11 });
  zero.textContent = '0';
  const left = el('text', { x: L, y: H - 4, 'font-size': 11 });
  left.textContent = '-' + Math.round(windowMs / 60000) + ' min';
  const right = el('text', { x: W - R, y: H - 4, 'font-size': 11, 'text-anchor': 'end' });
  right.textContent = 'now';
  svg.append(top, zero, left, right);
  const said = [];
  series.forEach((s, i) => {
    const pts = s.points.filter(([t]) => t >= from);
    if (pts.length) {
      svg.append(el('polyline', {
        points: pts.map(([t, v]) => x(t).toFixed(1) + ',' + y(v).toFixed(1)).join(' '),
        fill: 'none', stroke: COLORS[i % COLORS.length], 'stroke-width': 2,
      }));
      said.push(s.name + ' ' + +pts[pts.length - 1][1].toFixed(2) + unit);
    }
  });
  svg.setAttribute('aria-label', said.length ? 'latest: ' + said.join(', ') : 'no data yet');
  svg.dataset.points = String(series.reduce((n, s) => n + s.points.length, 0));
}
