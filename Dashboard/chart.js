// The day chart: 96 intervals, hand-written SVG (no library). Cleared schedule (step line), executed power
// (bars), the deviation band (target ± tolerance), DR obligations (shaded intervals) and the cleared price
// (second axis). Hover or arrow keys select an interval; its numbers go to the tip element.
import { t, num, kw } from './i18n.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 960, H = 310, L = 64, R = 64, T = 24, B = 28;

function el(name, attrs, parent) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

/**
 * Draws `day` into `host`: `{schedule: ScheduleView, tolerancePercent, prices: [96]|null, dr: [{id, intervals,
 * status}]}`. `tip` receives the selected interval's numbers.
 */
export function drawDay(host, tip, day) {
  host.textContent = '';
  tip.textContent = '';
  delete tip.dataset.interval;
  const rows = new Array(96).fill(null);
  for (const i of day.schedule?.intervals ?? []) if (i.index >= 1 && i.index <= 96) rows[i.index - 1] = i;
  const tol = (day.tolerancePercent ?? 0) / 100;
  const drBy = new Map();
  for (const e of day.dr ?? []) for (const ix of e.intervals) {
    if (!drBy.has(ix)) drBy.set(ix, []);
    drBy.get(ix).push(e);
  }
  const values = [0];
  for (const r of rows) if (r) {
    values.push(r.targetKW * (1 + tol), r.targetKW * (1 - tol));
    if (r.executedKW !== undefined && r.executedKW !== null) values.push(r.executedKW);
  }
  let lo = Math.min(...values), hi = Math.max(...values);
  if (hi - lo < 1) { hi += 1; lo -= 1; }
  const pad = (hi - lo) * 0.08; hi += pad; lo -= pad;
  const x = (i) => L + (i / 96) * (W - L - R);
  const y = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, class: 'day', 'aria-hidden': 'true', focusable: 'false' }, host);

  // Axes: kW on the left, hours along the bottom, price on the right.
  const axis = el('g', { class: 'axis' }, svg);
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    el('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'gridline' }, axis);
    el('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, axis).textContent = num(v, hi - lo < 20 ? 1 : 0);
  }
  el('text', { x: L - 6, y: 11, 'text-anchor': 'end' }, axis).textContent = 'kW';
  for (let h = 0; h <= 24; h += 3) {
    el('text', { x: x(h * 4), y: H - 8, 'text-anchor': 'middle' }, axis).textContent = `${String(h).padStart(2, '0')}:00`;
  }
  el('line', { x1: L, x2: W - R, y1: y(0), y2: y(0), class: 'zero' }, axis);

  // DR obligations.
  for (const ix of drBy.keys()) el('rect', { x: x(ix - 1), y: T, width: x(1) - x(0), height: H - T - B, class: 'dr' }, svg);

  // Deviation band and target.
  let band = '', bandBack = '', line = '';
  rows.forEach((r, i) => {
    if (!r) return;
    const up = r.targetKW + Math.abs(r.targetKW) * tol, dn = r.targetKW - Math.abs(r.targetKW) * tol;
    band += `${band ? 'L' : 'M'}${x(i)},${y(up)}L${x(i + 1)},${y(up)}`;
    bandBack = `L${x(i + 1)},${y(dn)}L${x(i)},${y(dn)}` + bandBack;
    line += `${line ? 'L' : 'M'}${x(i)},${y(r.targetKW)}L${x(i + 1)},${y(r.targetKW)}`;
  });
  if (band) el('path', { d: `${band}${bandBack}Z`, class: 'band' }, svg);

  // Executed power as bars from zero.
  rows.forEach((r, i) => {
    if (!r || r.executedKW === undefined || r.executedKW === null) return;
    const y0 = y(0), y1 = y(r.executedKW);
    el('rect', { x: x(i) + 1, width: Math.max(1, x(1) - x(0) - 2), y: Math.min(y0, y1), height: Math.max(1, Math.abs(y1 - y0)), class: r.withinTolerance === false ? 'exec off' : 'exec' }, svg);
  });
  if (line) el('path', { d: line, class: 'target' }, svg);

  // Price on its own axis.
  const prices = day.prices;
  if (prices && prices.length === 96) {
    const pl = Math.min(...prices), ph = Math.max(...prices);
    const span = ph - pl || 1;
    const py = (p) => T + (1 - (p - pl) / span) * (H - T - B);
    el('path', { d: prices.map((p, i) => `${i ? 'L' : 'M'}${x(i + 0.5)},${py(p)}`).join(''), class: 'price' }, svg);
    el('text', { x: W - R + 6, y: py(ph) + 4 }, axis).textContent = num(ph, 0);
    el('text', { x: W - R + 6, y: py(pl) + 4 }, axis).textContent = num(pl, 0);
    el('text', { x: W - R + 6, y: 11 }, axis).textContent = '¥/MWh';
  }

  // Hover targets, one per interval, and the selection marker.
  const marker = el('rect', { x: 0, y: T, width: x(1) - x(0), height: H - T - B, class: 'sel', visibility: 'hidden' }, svg);
  const hits = el('g', { class: 'hits' }, svg);
  let selected = -1;
  function select(i) {
    selected = Math.max(0, Math.min(95, i));
    marker.setAttribute('x', String(x(selected)));
    marker.setAttribute('visibility', 'visible');
    const r = rows[selected];
    const start = `${String(Math.floor(selected / 4)).padStart(2, '0')}:${String((selected % 4) * 15).padStart(2, '0')}`;
    const parts = [`${t('interval')} ${selected + 1} (${start})`];
    if (r) {
      parts.push(`${t('target')} ${kw(r.targetKW)}`);
      parts.push(`${t('executed')} ${r.executedKW === undefined || r.executedKW === null ? '–' : kw(r.executedKW)}`);
      if (tol) parts.push(`${t('band')} ${kw(r.targetKW - Math.abs(r.targetKW) * tol)} … ${kw(r.targetKW + Math.abs(r.targetKW) * tol)}`);
      if (r.deviationMWh !== undefined && r.deviationMWh !== null) parts.push(`${t('deviation')} ${num(r.deviationMWh, 3)} MWh`);
    } else {
      parts.push(t('noSchedule'));
    }
    if (prices) parts.push(`${t('price')} ${num(prices[selected], 2)} ¥/MWh`);
    const dr = drBy.get(selected + 1);
    if (dr) parts.push(`${t('drObligation')}: ${dr.map((e) => `${e.id} (${e.status})`).join(', ')}`);
    tip.textContent = parts.join(' · ');
    tip.dataset.interval = String(selected + 1);
  }
  for (let i = 0; i < 96; i++) {
    const hit = el('rect', { x: x(i), y: T, width: x(1) - x(0), height: H - T - B, class: 'hit', 'data-i': i }, hits);
    hit.addEventListener('mouseenter', () => select(i));
  }
  host.onkeydown = (ev) => {
    if (ev.key === 'ArrowRight') { select(selected < 0 ? 0 : selected + 1); ev.preventDefault(); }
    if (ev.key === 'ArrowLeft') { select(selected < 0 ? 95 : selected - 1); ev.preventDefault(); }
  };
  host.setAttribute('aria-label', `${t('schedule')}: ${rows.filter(Boolean).length} / 96`);
}
