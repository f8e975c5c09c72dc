// The devices table: sortable, filterable and virtual (only the rows in view exist in the DOM), so it stays
// fast with thousands of devices. Rows come from the live stream's `devices` events.
import { t, num, when } from './i18n.js';

const ROW = 28;
const columns = [
  { key: 'id', label: 'id', cls: 'c-id' },
  { key: 'kind', label: 'kind', cls: 'c-kind' },
  { key: 'site', label: 'site', cls: 'c-site' },
  { key: 'link', label: 'link', cls: 'c-link' },
  { key: 'health', label: 'health', cls: 'c-health' },
  { key: 'powerKW', label: 'power', cls: 'c-num', fmt: (v) => num(v, 1) },
  { key: 'socPercent', label: 'soc', cls: 'c-num', fmt: (v) => (v === undefined || v === null ? '–' : `${num(v, 0)} %`) },
  { key: 'upKW', label: 'flexUp', cls: 'c-num', fmt: (v) => num(v, 1) },
  { key: 'downKW', label: 'flexDown', cls: 'c-num', fmt: (v) => num(v, 1) },
  { key: 'lastSeen', label: 'lastSeen', cls: 'c-seen', fmt: (v) => when(v) },
];

export class DeviceTable {
  constructor({ head, body, spacer, count, filter, health, onOpen }) {
    Object.assign(this, { head, body, spacer, count, filter, health, onOpen });
    this.rows = new Map();
    this.view = [];
    this.sort = { key: 'id', dir: 1 };
    this.dirty = true;
    this.pool = [];
    this.focusIndex = 0;
    filter.addEventListener('input', () => this.refilter());
    health.addEventListener('change', () => this.refilter());
    body.addEventListener('scroll', () => this.paint());
    body.addEventListener('keydown', (ev) => this.key(ev));
    window.addEventListener('resize', () => this.paint());
    this.header();
  }

  header() {
    this.head.textContent = '';
    for (const c of columns) {
      const cell = document.createElement('div');
      cell.className = `vcell ${c.cls}`;
      cell.setAttribute('role', 'columnheader');
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'sort';
      b.dataset.key = c.key;
      const arrow = this.sort.key === c.key ? (this.sort.dir > 0 ? ' ▲' : ' ▼') : '';
      b.textContent = t(c.label) + arrow;
      cell.setAttribute('aria-sort', this.sort.key === c.key ? (this.sort.dir > 0 ? 'ascending' : 'descending') : 'none');
      b.addEventListener('click', () => {
        this.sort = { key: c.key, dir: this.sort.key === c.key ? -this.sort.dir : 1 };
        this.header();
        this.refilter();
      });
      cell.appendChild(b);
      this.head.appendChild(cell);
    }
  }

  /** Applies a `devices` event: every row when `full`, else the changed rows and the removed ids. */
  update(ev) {
    if (ev.full) this.rows.clear();
    for (const d of ev.devices) this.rows.set(d.id, d);
    for (const id of ev.removed ?? []) this.rows.delete(id);
    this.refilter();
  }

  refilter() {
    const q = this.filter.value.trim().toLowerCase();
    const h = this.health.value;
    const { key, dir } = this.sort;
    this.view = [...this.rows.values()].filter((d) => (!h || d.health === h) && (!q || d.id.toLowerCase().includes(q) || d.site.toLowerCase().includes(q) || d.kind.toLowerCase().includes(q)));
    this.view.sort((a, b) => {
      const va = a[key], vb = b[key];
      if (va === vb) return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
      if (va === undefined || va === null) return 1;
      if (vb === undefined || vb === null) return -1;
      return (va < vb ? -1 : 1) * dir;
    });
    this.count.textContent = `${num(this.view.length, 0)} / ${num(this.rows.size, 0)}`;
    this.spacer.style.height = `${this.view.length * ROW}px`;
    this.paint();
  }

  paint() {
    const top = this.body.scrollTop;
    const height = this.body.clientHeight || 400;
    const first = Math.max(0, Math.floor(top / ROW) - 5);
    const last = Math.min(this.view.length, Math.ceil((top + height) / ROW) + 5);
    const need = last - first;
    while (this.pool.length < need) {
      const r = document.createElement('div');
      r.className = 'vrow';
      r.setAttribute('role', 'row');
      for (const c of columns) {
        const cell = document.createElement('div');
        cell.className = `vcell ${c.cls}`;
        cell.setAttribute('role', 'cell');
        r.appendChild(cell);
      }
      r.addEventListener('click', () => this.onOpen(r.dataset.id));
      this.body.appendChild(r);
      this.pool.push(r);
    }
    this.pool.forEach((r, n) => {
      const i = first + n;
      if (n >= need) { r.hidden = true; return; }
      const d = this.view[i];
      r.hidden = false;
      r.dataset.id = d.id;
      r.style.transform = `translateY(${i * ROW}px)`;
      r.classList.toggle('focus', i === this.focusIndex);
      r.classList.toggle('bad', d.health !== 'ok');
      columns.forEach((c, k) => {
        const v = d[c.key];
        const text = c.fmt ? c.fmt(v) : c.key === 'health' || c.key === 'link' ? t(v) : String(v ?? '–');
        if (r.children[k].textContent !== text) r.children[k].textContent = text;
      });
    });
  }

  /** Up/down move the focused row, Enter opens it. */
  key(ev) {
    if (!this.view.length) return;
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      this.focusIndex = Math.max(0, Math.min(this.view.length - 1, this.focusIndex + (ev.key === 'ArrowDown' ? 1 : -1)));
      const y = this.focusIndex * ROW;
      if (y < this.body.scrollTop) this.body.scrollTop = y;
      if (y + ROW > this.body.scrollTop + this.body.clientHeight) this.body.scrollTop = y + ROW - this.body.clientHeight;
      this.paint();
      ev.preventDefault();
    } else if (ev.key === 'Enter') {
      this.onOpen(this.view[this.focusIndex].id);
      ev.preventDefault();
    }
  }
}
