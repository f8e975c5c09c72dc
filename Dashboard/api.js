// The page's only way to the daemon: the same HTTP API as vppctl, with the bearer token from sessionStorage.
// No cookie is ever used, so a request without this header carries no authority (no CSRF surface).

const KEY = 'vppd.token';

export function token() { return sessionStorage.getItem(KEY); }
export function setToken(t) { if (t) sessionStorage.setItem(KEY, t); else sessionStorage.removeItem(KEY); }

/** An API error: the status and the API's `{error, detail}`. */
export class APIError extends Error {
  constructor(status, code, detail) {
    super(detail || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

/** Calls `method path` with an optional JSON body; resolves to the parsed JSON, rejects with an APIError. */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const tok = token();
  if (tok) headers.Authorization = `Bearer ${tok}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    throw new APIError(0, 'network', String(e));
  }
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!res.ok) throw new APIError(res.status, json?.error, json?.detail ?? text);
  return json;
}

/** `GET` that answers null for 404 (a day with no bid, no clearing). */
export async function getOrNull(path) {
  try {
    return await api('GET', path);
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}

/**
 * The live stream (`GET /v1/stream`, Server-Sent Events) read with fetch, since EventSource cannot send a bearer
 * header. `onEvent(name, data)` for each event; `onState('live' | 'lost' | 'unauthorized')`. A stream that ends with its `end`
 * event is reopened at once without being reported; one that breaks, or sends nothing for `silenceMs`, is
 * reported as lost and reopened with a growing delay (at most 5 s). A 401 (the token was revoked) stops it and
 * reports `unauthorized`. Returns a function that stops it.
 */
export function openStream(onEvent, onState, silenceMs = 3000) {
  let stopped = false;
  let controller = null;
  let delay = 500;
  let watchdog = null;

  async function once() {
    controller = new AbortController();
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => controller.abort(), silenceMs);
    };
    arm();
    let ended = false;
    try {
      const res = await fetch('/v1/stream', { headers: { Authorization: `Bearer ${token()}`, Accept: 'text/event-stream' }, signal: controller.signal, credentials: 'omit', cache: 'no-store' });
      if (res.status === 401) { stopped = true; onState('unauthorized'); return true; }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      let first = true;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        arm();
        if (first) { first = false; delay = 500; onState('live'); }
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let name = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) name = line.slice(7);
            else if (line.startsWith('data: ')) data += line.slice(6);
          }
          if (name === 'end') { ended = true; continue; }
          if (data) {
            try { onEvent(name, JSON.parse(data)); } catch (e) { console.warn('stream event', name, e); }
          }
        }
      }
    } catch {
      ended = false;
    } finally {
      clearTimeout(watchdog);
    }
    return ended;
  }

  (async () => {
    while (!stopped) {
      const ended = await once();
      if (stopped) break;
      if (!ended) {
        onState('lost');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    }
  })();

  return () => { stopped = true; controller?.abort(); };
}
