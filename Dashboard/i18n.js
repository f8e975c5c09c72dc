// Strings and number/date formats of the page, Simplified Chinese and English (README "Dashboard").
// The language is the browser's (navigator.languages) until the switch sets one, kept in localStorage.

const strings = {
  en: {
    skip: 'Skip to content', title: 'Virtual power plant', language: 'Language', signIn: 'Sign in',
    signOut: 'Sign out', token: 'Bearer token', tokenHint: 'The token stays in this tab (sessionStorage); no cookie is set.',
    live: 'live', offline: 'offline', reconnecting: 'connection lost, reconnecting…', schedule: 'Schedule',
    yesterday: 'Yesterday', today: 'Today', tomorrow: 'Tomorrow', target: 'Cleared schedule', executed: 'Executed',
    band: 'Deviation band', drObligation: 'DR obligation', price: 'Cleared price', fleet: 'Fleet', sites: 'Sites',
    kinds: 'Kinds', alerts: 'Alerts', devices: 'Devices', filter: 'Filter', health: 'Health', all: 'all',
    commands: 'Commands', kind: 'Kind', curtailPV: 'curtail PV', charge: 'charge', discharge: 'discharge',
    hold: 'hold', release: 'release', emergencyStop: 'emergency stop', gridInstruction: 'grid instruction',
    override: 'override', targetScope: 'Target', scopeFleet: 'fleet', scopeSite: 'site', scopeDevice: 'device',
    targetID: 'Id', magnitude: 'Magnitude', unit: 'Unit', minutes: 'Minutes', reason: 'Reason', issue: 'Issue',
    cancel: 'Cancel', market: 'Market', footer: 'Served by vppd. Every action uses the same API as vppctl.',
    power: 'Power', rated: 'Rated', flexUp: 'Flex up', flexDown: 'Flex down', ok: 'ok', stale: 'stale',
    down: 'down', unknown: 'unknown', count: 'Devices', name: 'Name', id: 'Id', site: 'Site', link: 'Link',
    soc: 'SOC', lastSeen: 'Last seen', never: 'never', none: 'none', status: 'Status', window: 'Window',
    author: 'Author', interval: 'Interval', noSchedule: 'No schedule stored for this day.',
    toleranceNote: 'Band: ±{p} % of the cleared energy (market profile {m}).',
    noPrices: 'Real-time prices: none (vppd has no real-time price source yet); the price line is the day-ahead clearing.',
    points: 'Points', setpoints: 'Recent setpoints', value: 'Value', at: 'At', written: 'Written', close: 'Close',
    accepted: 'Accepted: {u} usable, {n} unavailable devices.', clamped: 'Clamped: requested {r} kW, feasible {f} kW — {why}',
    refused: 'Refused ({s}): {d}', cancelled: 'Cancelled {id}.', bids: 'Bids', clearing: 'Clearing',
    calendar: 'Next deadlines', capability: 'Capability standing', drEvents: 'DR events', day: 'Day', version: 'Version',
    versions: 'Versions', submitted: 'Submitted', gateClosure: 'Gate closure', closed: 'closed', open: 'open',
    noBid: 'no bid', noClearing: 'no clearing', capabilityNone: 'none (vppd has no capability-standing source yet)',
    requested: 'Requested', offered: 'Offered', awarded: 'Awarded', deadline: 'Deadline', direction: 'Direction',
    staleDevices: 'Devices not ok', missedGates: 'Missed gates', rejectedFiles: 'Rejected inbox files',
    failedWrites: 'Failed writes (last hour)', nothing: 'nothing', late: 'late', clearedMWh: 'Cleared',
    avgPrice: 'Average price', deviation: 'Deviation', viewerNote: 'Your role ({r}) can read only; command controls are hidden.',
    lastError: 'Last error', signinFailed: 'Sign-in failed: {d}', unavailable: 'unavailable: {d}',
  },
  zh: {
    skip: '跳到内容', title: '虚拟电厂', language: '语言', signIn: '登录', signOut: '退出', token: '访问令牌',
    tokenHint: '令牌只保存在本标签页（sessionStorage），不设置 Cookie。', live: '实时', offline: '离线',
    reconnecting: '连接中断，正在重连…', schedule: '计划曲线', yesterday: '昨天', today: '今天', tomorrow: '明天',
    target: '出清计划', executed: '实际执行', band: '偏差允许带', drObligation: '需求响应义务', price: '出清电价',
    fleet: '资源总览', sites: '站点', kinds: '类型', alerts: '告警', devices: '设备', filter: '筛选', health: '健康',
    all: '全部', commands: '指令', kind: '类型', curtailPV: '光伏限发', charge: '充电', discharge: '放电', hold: '保持',
    release: '释放', emergencyStop: '紧急停机', gridInstruction: '调度指令', override: '覆盖', targetScope: '对象',
    scopeFleet: '全部资源', scopeSite: '站点', scopeDevice: '设备', targetID: '编号', magnitude: '幅度', unit: '单位',
    minutes: '分钟', reason: '原因', issue: '下发', cancel: '取消', market: '市场',
    footer: '由 vppd 提供。所有操作与 vppctl 使用同一 API。', power: '功率', rated: '额定', flexUp: '上调能力',
    flexDown: '下调能力', ok: '正常', stale: '过期', down: '离线', unknown: '未知', count: '设备数', name: '名称',
    id: '编号', site: '站点', link: '链路', soc: '荷电状态', lastSeen: '最后通信', never: '从未', none: '无',
    status: '状态', window: '时段', author: '发起人', interval: '时段', noSchedule: '该日没有计划曲线。',
    toleranceNote: '允许带：出清电量的 ±{p} %（市场规则 {m}）。',
    noPrices: '实时电价：无（vppd 尚无实时电价来源）；价格线为日前出清价。', points: '测点', setpoints: '最近设定值',
    value: '数值', at: '时间', written: '已写入', close: '关闭', accepted: '已接受：{u} 台可用，{n} 台不可用。',
    clamped: '已限幅：请求 {r} kW，可行 {f} kW — {why}', refused: '被拒绝（{s}）：{d}', cancelled: '已取消 {id}。',
    bids: '申报', clearing: '出清', calendar: '近期截止', capability: '能力评估', drEvents: '需求响应事件', day: '日期',
    version: '版本', versions: '版本', submitted: '已提交', gateClosure: '申报截止', closed: '已截止', open: '未截止',
    noBid: '无申报', noClearing: '无出清', capabilityNone: '无（vppd 尚无能力评估数据来源）', requested: '邀约',
    offered: '报量', awarded: '中标', deadline: '截止', direction: '方向', staleDevices: '异常设备',
    missedGates: '错过申报截止', rejectedFiles: '被拒收的文件', failedWrites: '写入失败（近一小时）', nothing: '无',
    late: '逾期', clearedMWh: '出清电量', avgPrice: '平均电价', deviation: '偏差',
    viewerNote: '当前角色（{r}）只读，已隐藏指令控件。', lastError: '最近错误', signinFailed: '登录失败：{d}',
    unavailable: '不可用：{d}',
  },
};

let lang = pick();

function pick() {
  const saved = localStorage.getItem('vppd.lang');
  if (saved === 'en' || saved === 'zh') return saved;
  const langs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'];
  return langs.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh' : 'en';
}

export function language() { return lang; }
export function locale() { return lang === 'zh' ? 'zh-CN' : 'en-GB'; }

export function setLanguage(l) {
  lang = l === 'zh' ? 'zh' : 'en';
  localStorage.setItem('vppd.lang', lang);
  apply();
}

/** The string `key`, with `{name}` placeholders filled from `vars`. */
export function t(key, vars) {
  let s = strings[lang][key] ?? strings.en[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

/** Re-labels every element with `data-i18n`. */
export function apply() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}

const formats = new Map();
/** A number in the page's locale with `digits` decimals (a dash for a missing value). */
export function num(v, digits = 1) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const key = `${lang}:${digits}`;
  if (!formats.has(key)) {
    formats.set(key, new Intl.NumberFormat(locale(), { minimumFractionDigits: digits, maximumFractionDigits: digits }));
  }
  return formats.get(key).format(v);
}

export function kw(v, digits = 1) { return `${num(v, digits)} kW`; }

let zone;
export function setTimeZone(z) { zone = z; }

/** A date-time in the page's locale and the market time zone. */
export function when(iso, withDate = false) {
  if (!iso) return t('never');
  const d = new Date(iso);
  const opts = { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false };
  if (withDate) Object.assign(opts, { year: 'numeric', month: '2-digit', day: '2-digit' });
  try {
    return new Intl.DateTimeFormat(locale(), zone ? { ...opts, timeZone: zone } : opts).format(d);
  } catch {
    return new Intl.DateTimeFormat(locale(), opts).format(d);
  }
}
