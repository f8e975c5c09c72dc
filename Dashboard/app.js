// The operator's page (README "Dashboard"): sign-in, the day chart, fleet, devices, commands, market and alerts.
// Live state comes from GET /v1/stream; every action goes through the same API as vppctl.
import { api, getOrNull, token, setToken, openStream } from './api.js';
import { t, apply, language, setLanguage, num, kw, when, setTimeZone } from './i18n.js';
import { drawDay } from './chart.js';
import { DeviceTable } from './devices.js';

const $ = (id) => document.getElementById(id);
const state = { session: null, today: null, day: null, tolerance: 0, profile: '', calendar: null, commands: [], fleet: null, stop: null, lastHealth: '' };
const perf = { signedIn: 0, firstPaint: 0, lastDevices: 0 };
window.vppdPerf = perf;

function node(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function table(host, header, rows) {
  host.textContent = '';
  const thead = node('thead');
  const tr = node('tr');
  for (const h of header) { const th = node('th', h); th.scope = 'col'; tr.appendChild(th); }
  thead.appendChild(tr);
  host.appendChild(thead);
  const tbody = node('tbody');
  for (const r of rows) {
    const row = node('tr');
    for (const c of r) {
      const td = node('td');
      if (c instanceof Node) td.appendChild(c); else td.textContent = c;
      row.appendChild(td);
    }
    tbody.appendChild(row);
  }
  host.appendChild(tbody);
}

// ---- days ----
function addDays(day, n) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

async function loadDay(day) {
  state.day = day;
  $('day-label').textContent = day;
  $('day-prev').setAttribute('aria-pressed', String(day === addDays(state.today, -1)));
  $('day-today').setAttribute('aria-pressed', String(day === state.today));
  $('day-next').setAttribute('aria-pressed', String(day === addDays(state.today, 1)));
  const gate = state.calendar?.gates.find((g) => g.day === day);
  const [schedule, dr, clearing] = await Promise.all([
    api('GET', `/v1/schedule/${day}`),
    api('GET', `/v1/dr/events?day=${day}`).catch(() => ({ events: [] })),
    gate && gate.clearingVersion ? getOrNull(`/v1/clearing/${day}`).catch(() => null) : Promise.resolve(null),
  ]);
  if (state.day !== day) return;
  const prices = clearing ? clearing.intervals.map((i) => i.priceYuanPerMWh) : null;
  drawDay($('chart'), $('chart-tip'), { schedule, tolerancePercent: state.tolerance, prices, dr: dr.events.filter((e) => e.status !== 'cancelled') });
  const notes = [];
  if (!schedule.intervals.length) notes.push(t('noSchedule'));
  if (state.tolerance) notes.push(t('toleranceNote', { p: num(state.tolerance, 1), m: state.profile }));
  notes.push(t('noPrices'));
  $('chart-note').textContent = notes.join(' ');
  $('chart').dataset.day = day;
  $('chart').dataset.intervals = String(schedule.intervals.length);
}

// ---- fleet ----
function renderFleet(f) {
  state.fleet = f;
  const tot = f.totals;
  const dl = $('fleet-totals');
  dl.textContent = '';
  const items = [
    ['power', kw(tot.powerKW), 'fleet-power'], ['rated', kw(tot.ratedPowerKW, 0), 'fleet-rated'],
    ['flexUp', kw(tot.upKW), 'fleet-up'], ['flexDown', kw(tot.downKW), 'fleet-down'],
    ['count', num(tot.devices, 0), 'fleet-devices'], ['ok', num(tot.ok, 0), 'fleet-ok'],
    ['stale', num(tot.stale, 0), 'fleet-stale'], ['down', num(tot.down, 0), 'fleet-down-count'],
    ['unknown', num(tot.unknown, 0), 'fleet-unknown'],
  ];
  for (const [label, value, id] of items) {
    const div = node('div', undefined, 'total');
    div.appendChild(node('dt', t(label)));
    const dd = node('dd', value);
    dd.id = id;
    dd.dataset.value = String({ 'fleet-power': tot.powerKW, 'fleet-rated': tot.ratedPowerKW, 'fleet-up': tot.upKW, 'fleet-down': tot.downKW, 'fleet-devices': tot.devices, 'fleet-ok': tot.ok, 'fleet-stale': tot.stale, 'fleet-down-count': tot.down, 'fleet-unknown': tot.unknown }[id]);
    div.appendChild(dd);
    dl.appendChild(div);
  }
  const head = [t('name'), t('power'), t('rated'), t('flexUp'), t('flexDown'), `${t('ok')}/${t('stale')}/${t('down')}/${t('unknown')}`];
  const row = ([k, a]) => [k, kw(a.powerKW), kw(a.ratedPowerKW, 0), kw(a.upKW), kw(a.downKW), `${a.ok}/${a.stale}/${a.down}/${a.unknown}`];
  table($('sites-table'), head, Object.entries(f.sites).sort().map(row));
  table($('kinds-table'), head, Object.entries(f.kinds).sort().map(row));
}

// ---- alerts ----
let alertsTimer = null;
function loadAlerts() {
  clearTimeout(alertsTimer);
  alertsTimer = setTimeout(async () => {
    try { renderAlerts(await api('GET', '/v1/alerts')); } catch (e) { $('alerts').textContent = t('unavailable', { d: e.message }); }
  }, 300);
}

function renderAlerts(a) {
  const host = $('alerts');
  host.textContent = '';
  const section = (key, count, items) => {
    const h = node('h3', `${t(key)} (${num(count, 0)})`);
    h.dataset.alert = key;
    host.appendChild(h);
    const ul = node('ul', undefined, 'alerts');
    if (!items.length) ul.appendChild(node('li', t('nothing'), 'quiet'));
    for (const i of items) ul.appendChild(node('li', i));
    host.appendChild(ul);
  };
  section('staleDevices', a.counts.devices ?? 0, a.devices.slice(0, 10).map((d) => `${d.id}: ${t(d.health)}, ${t('lastSeen')} ${when(d.lastSeen)}${d.lastError ? ` — ${d.lastError}` : ''}`));
  section('missedGates', a.counts.missedGates ?? 0, a.missedGates.map((g) => `${g.day}: ${t('gateClosure')} ${when(g.gateClosure, true)}`));
  section('rejectedFiles', a.counts.rejectedFiles ?? 0, a.rejectedFiles.slice(0, 10).map((f) => `${f.name}: ${f.reason}`));
  section('failedWrites', a.counts.failedWrites ?? 0, a.failedWrites.slice(0, 10).map((w) => `${w.device} ${w.point}=${num(w.value, 2)} ${when(w.at)}: ${w.error ?? ''}`));
}

// ---- devices ----
let devices;
async function openDevice(id) {
  const box = $('device-detail');
  box.hidden = false;
  box.textContent = '…';
  try {
    const [d, sp] = await Promise.all([api('GET', `/v1/devices/${encodeURIComponent(id)}`), api('GET', `/v1/devices/${encodeURIComponent(id)}/setpoints?limit=20`)]);
    box.textContent = '';
    const head = node('div', undefined, 'row');
    head.appendChild(node('h3', `${d.id} · ${d.kind} · ${d.site} · ${d.profile} · ${t(d.health)}`));
    const close = node('button', t('close'));
    close.type = 'button';
    close.addEventListener('click', () => { box.hidden = true; });
    head.appendChild(close);
    box.appendChild(head);
    if (d.lastError) box.appendChild(node('p', `${t('lastError')}: ${d.lastError}`, 'error'));
    const points = node('table', undefined, 'grid');
    table(points, [t('points'), t('value'), t('at')], Object.entries(d.values).sort().map(([k, v]) => [k, num(v.value, 3), when(v.at)]));
    box.appendChild(points);
    box.appendChild(node('h3', t('setpoints')));
    const sps = node('table', undefined, 'grid');
    table(sps, [t('at'), t('points'), t('value'), t('written'), t('status')], sp.setpoints.map((s) => [when(s.at), s.point, num(s.value, 2), s.written ? '✓' : '✗', s.ok ? 'ok' : s.error ?? '✗']));
    box.appendChild(sps);
    close.focus();
  } catch (e) {
    box.textContent = t('unavailable', { d: e.message });
  }
}

// ---- commands ----
function canDispatch() { return state.session?.allows.includes('dispatch'); }

function renderCommands(list) {
  state.commands = list.commands;
  const head = ['id', t('kind'), t('targetScope'), t('magnitude'), t('window'), t('status'), t('author'), t('reason')];
  if (canDispatch()) head.push('');
  const rows = list.commands.map((c) => {
    const target = c.target.scope === 'fleet' ? t('scopeFleet') : `${t(c.target.scope === 'site' ? 'scopeSite' : 'scopeDevice')} ${c.target.id}`;
    const mag = c.magnitude ? `${num(c.magnitude.value, 1)} ${c.magnitude.unit === 'percent' ? '%' : c.magnitude.unit}` : '–';
    const r = [c.id, t(c.kind), target, mag, `${when(c.start)}–${when(c.end)}`, c.status, c.author, c.reason];
    if (canDispatch()) {
      if (c.status === 'pending' || c.status === 'active') {
        const b = node('button', t('cancel'), 'cancel');
        b.type = 'button';
        b.dataset.command = c.id;
        b.addEventListener('click', () => cancelCommand(c.id));
        r.push(b);
      } else r.push('');
    }
    return r;
  });
  table($('commands-table'), head, rows);
}

async function cancelCommand(id) {
  const out = $('command-result');
  try {
    await api('POST', `/v1/commands/${encodeURIComponent(id)}/cancel`, { reason: 'cancelled from the dashboard' });
    out.textContent = t('cancelled', { id });
    out.className = 'result ok';
  } catch (e) {
    out.textContent = t('refused', { s: e.status, d: e.message });
    out.className = 'result error';
  }
}

function commandBody() {
  const kind = $('cmd-kind').value;
  const scope = $('cmd-scope').value;
  const target = scope === 'fleet' ? { scope } : { scope, id: $('cmd-id').value.trim() };
  const body = { kind, target, durationSeconds: Math.round(Number($('cmd-minutes').value) * 60), reason: $('cmd-reason').value.trim() };
  if (kind === 'curtailPV' || kind === 'charge' || kind === 'discharge') body.magnitude = { value: Number($('cmd-value').value), unit: $('cmd-unit').value };
  return body;
}

async function issueCommand(ev) {
  ev.preventDefault();
  const out = $('command-result');
  out.textContent = '…';
  try {
    const r = await api('POST', '/v1/commands', commandBody());
    let text = `${r.id}: ${t('accepted', { u: r.feasibility.usableDevices, n: r.feasibility.unavailableDevices })}`;
    if (r.clamped) text += ` ${t('clamped', { r: num(r.clamped.requestedKW, 3), f: num(r.clamped.feasibleKW, 3), why: r.clamped.reason })}`;
    if (r.feasibility.note) text += ` ${r.feasibility.note}`;
    out.textContent = text;
    out.className = r.clamped ? 'result warn' : 'result ok';
    out.dataset.command = r.id;
  } catch (e) {
    out.textContent = t('refused', { s: e.status, d: e.message });
    out.className = 'result error';
  }
}

function syncCommandForm() {
  const kind = $('cmd-kind').value;
  const needs = kind === 'curtailPV' || kind === 'charge' || kind === 'discharge';
  $('cmd-value').disabled = !needs;
  $('cmd-unit').disabled = !needs;
  $('cmd-id').disabled = $('cmd-scope').value === 'fleet';
}

// ---- market ----
async function loadMarket() {
  const host = $('market');
  let cal;
  try {
    cal = await api('GET', '/v1/market/calendar');
  } catch (e) {
    host.textContent = t('unavailable', { d: e.message });
    return;
  }
  state.calendar = cal;
  state.tolerance = cal.deviationTolerancePercent;
  state.profile = cal.profile;
  setTimeZone(cal.timeZone);
  host.textContent = '';
  const today = state.today;
  const bidsBox = node('div', undefined, 'mcol');
  bidsBox.appendChild(node('h3', t('bids')));
  const bidRows = [];
  for (const g of cal.gates.filter((x) => x.day >= today)) {
    let latest = null;
    if (g.bidVersions.length) latest = await getOrNull(`/v1/bids/${g.day}`).catch(() => null);
    bidRows.push([g.day, g.bidVersions.length ? g.bidVersions.map((v) => `v${v}`).join(' ') : t('noBid'), g.submittedVersion ? `v${g.submittedVersion}` : t('none'),
      latest ? `${num(latest.bid.version, 0)}${latest.lateForGateClosure ? ` (${t('late')})` : ''}` : '–']);
  }
  const bt = node('table', undefined, 'grid');
  table(bt, [t('day'), t('versions'), t('submitted'), t('version')], bidRows);
  bidsBox.appendChild(bt);

  bidsBox.appendChild(node('h3', t('clearing')));
  const clearRows = [];
  for (const g of cal.gates) {
    if (!g.clearingVersion) { clearRows.push([g.day, t('noClearing'), '–', '–']); continue; }
    const c = await getOrNull(`/v1/clearing/${g.day}`).catch(() => null);
    if (!c) { clearRows.push([g.day, t('noClearing'), '–', '–']); continue; }
    const mwh = c.intervals.reduce((s, i) => s + i.clearedMW * 0.25, 0);
    const avg = c.intervals.reduce((s, i) => s + i.priceYuanPerMWh, 0) / Math.max(1, c.intervals.length);
    clearRows.push([g.day, `v${c.version} (bid v${c.bidVersion})`, `${num(mwh, 3)} MWh`, `${num(avg, 2)} ¥/MWh`]);
  }
  const ct = node('table', undefined, 'grid');
  table(ct, [t('day'), t('version'), t('clearedMWh'), t('avgPrice')], clearRows);
  bidsBox.appendChild(ct);
  host.appendChild(bidsBox);

  const calBox = node('div', undefined, 'mcol');
  calBox.appendChild(node('h3', t('calendar')));
  const ctab = node('table', undefined, 'grid');
  table(ctab, [t('day'), t('gateClosure'), t('status')], cal.gates.filter((g) => g.day >= today).map((g) => [g.day, when(g.gateClosure, true), g.closed ? t('closed') : t('open')]));
  calBox.appendChild(ctab);
  calBox.appendChild(node('h3', t('capability')));
  calBox.appendChild(node('p', t('capabilityNone'), 'quiet'));
  calBox.appendChild(node('h3', t('drEvents')));
  const dr = await api('GET', '/v1/dr/events').catch(() => ({ events: [] }));
  const dt = node('table', undefined, 'grid');
  table(dt, ['id', t('day'), t('direction'), t('status'), t('deadline'), t('requested'), t('offered'), t('awarded')],
    dr.events.slice(0, 20).map((e) => [e.id, e.day, e.direction, e.status, when(e.deadline, true), `${num(e.requestedMWh, 3)} MWh`, e.offeredMWh === undefined ? '–' : num(e.offeredMWh, 3), e.awardedMWh === undefined ? '–' : num(e.awardedMWh, 3)]));
  if (!dr.events.length) calBox.appendChild(node('p', t('none'), 'quiet')); else calBox.appendChild(dt);
  host.appendChild(calBox);
}

// ---- live ----
function setLive(s) {
  const el = $('live');
  if (s === 'unauthorized') {
    // The token no longer works (revoked, or the daemon's token file changed): back to the sign-in form.
    setToken(null);
    $('main').hidden = true;
    $('signin').hidden = false;
    $('signout').hidden = true;
    $('signin-error').textContent = t('signinFailed', { d: 'invalid bearer token' });
    s = 'offline';
  }
  el.className = `live ${s === 'live' ? 'on' : 'off'}`;
  el.dataset.state = s;
  el.textContent = t(s === 'live' ? 'live' : s === 'lost' ? 'reconnecting' : 'offline');
  if (s === 'live' && state.wasLost) { state.wasLost = false; loadAlerts(); }
  if (s === 'lost') state.wasLost = true;
}

function onEvent(name, data) {
  if (name === 'fleet') renderFleet(data);
  else if (name === 'devices') {
    devices.update(data);
    perf.lastDevices = performance.now();
    if (!perf.firstPaint) {
      requestAnimationFrame(() => { perf.firstPaint = performance.now(); document.body.dataset.painted = '1'; });
    }
  } else if (name === 'commands') renderCommands(data);
  else if (name === 'alerts') loadAlerts();
}

// ---- session ----
async function start() {
  perf.signedIn = performance.now();
  let session;
  try {
    session = await api('GET', '/v1/session');
  } catch (e) {
    setToken(null);
    $('signin').hidden = false;
    $('main').hidden = true;
    $('signin-error').textContent = t('signinFailed', { d: e.message });
    return;
  }
  state.session = session;
  $('signin').hidden = true;
  $('main').hidden = false;
  $('signout').hidden = false;
  $('who').textContent = `${session.name} (${session.role})`;
  $('who').dataset.role = session.role;
  for (const el of document.querySelectorAll('[data-needs]')) el.hidden = !session.allows.includes(el.dataset.needs);
  if (!canDispatch()) $('command-result').textContent = t('viewerNote', { r: session.role });
  state.stop = openStream(onEvent, setLive);
  const first = await api('GET', '/v1/schedule');
  state.today = first.day;
  await loadMarket().catch(() => {});
  await loadDay(state.today);
  loadAlerts();
  scheduleRefresh();
}

// The chart's executed column changes when an interval is recorded: redraw shortly after each boundary.
function scheduleRefresh() {
  const ms = 15 * 60 * 1000;
  const wait = ms - (Date.now() % ms) + 5000;
  setTimeout(() => { if (state.day) loadDay(state.day).catch(() => {}); scheduleRefresh(); }, wait);
}

function init() {
  $('lang').value = language();
  apply();
  $('lang').addEventListener('change', (e) => {
    setLanguage(e.target.value);
    devices.header();
    devices.refilter();
    if (state.fleet) renderFleet(state.fleet);
    if (state.day) loadDay(state.day).catch(() => {});
    if (state.session) { renderCommands({ commands: state.commands }); loadMarket().catch(() => {}); loadAlerts(); }
    setLive($('live').dataset.state || 'offline');
  });
  devices = new DeviceTable({ head: $('devices-head'), body: $('devices-body'), spacer: $('devices-spacer'), count: $('device-count'), filter: $('device-filter'), health: $('health-filter'), onOpen: openDevice });
  $('signin-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    setToken($('token').value.trim());
    $('token').value = '';
    $('signin-error').textContent = '';
    start();
  });
  $('signout').addEventListener('click', () => {
    setToken(null);
    state.stop?.();
    location.reload();
  });
  $('day-prev').addEventListener('click', () => loadDay(addDays(state.today, -1)));
  $('day-today').addEventListener('click', () => loadDay(state.today));
  $('day-next').addEventListener('click', () => loadDay(addDays(state.today, 1)));
  $('command-form').addEventListener('submit', issueCommand);
  $('cmd-kind').addEventListener('change', syncCommandForm);
  $('cmd-scope').addEventListener('change', syncCommandForm);
  syncCommandForm();
  if (token()) start(); else $('token').focus();
}

init();
