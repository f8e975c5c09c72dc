#!/usr/bin/env python3
"""The dashboard's browser test (README "Dashboard"), run by scripts/browser-test.sh.

Drives Debian's headless chromium over the DevTools protocol (a small client on the pinned websocket-client)
against a real vppd with 1,000 vppsim devices. Checks: the page loads with no console errors and a strict CSP;
the figures it shows equal the API's; a curtailment issued from the page is in GET /v1/commands and written to
the devices; a cancel from the page cancels it; a viewer sees no command controls and the page follows the
browser's language; a dropped live connection is reported and recovered. Prints the measured figures (first
meaningful paint, live-update latency, page weight) as JSON and ends with "N passed, N failed".
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import websocket

API_PORT = int(os.environ["API_PORT"])
BASE = f"http://127.0.0.1:{API_PORT}"
WORK = os.environ["WORK"]
TOKENS = {r: os.environ[f"TOKEN_{r.upper()}"] for r in ("viewer", "operator", "trader")}
results = []
figures = {}


def check(name, ok, detail=""):
    results.append((name, bool(ok)))
    print(f"{'ok  ' if ok else 'FAIL'} {name}{(': ' + detail) if detail else ''}", flush=True)


def http(method, path, role=None, body=None, timeout=10):
    headers = {"Accept": "application/json"}
    if role:
        headers["Authorization"] = f"Bearer {TOKENS[role]}"
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            return r.status, dict(r.headers), (json.loads(raw) if raw and "json" in r.headers.get("Content-Type", "") else raw)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, dict(e.headers), json.loads(raw)
        except ValueError:
            return e.code, dict(e.headers), raw


def sim_control(line):
    """One command on vppsim's control port; returns its reply line."""
    import socket
    with socket.create_connection(("127.0.0.1", int(os.environ["CONTROL_PORT"])), timeout=5) as s:
        s.sendall((line + "\n").encode())
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.decode().strip()


def wait_until(fn, timeout, step=0.05):
    """Calls fn until it returns a truthy value or timeout seconds pass; returns (value, seconds)."""
    start = time.monotonic()
    while True:
        v = fn()
        if v:
            return v, time.monotonic() - start
        if time.monotonic() - start > timeout:
            return v, time.monotonic() - start
        time.sleep(step)


class Daemon:
    """vppd as a child process, started and stopped by the test."""

    def __init__(self):
        self.proc = None
        self.log = open(os.path.join(WORK, "vppd.log"), "ab")

    def start(self):
        self.proc = subprocess.Popen([os.environ["VPPD"], "--config", os.environ["CONFIG"]], stdout=self.log, stderr=self.log)
        _, took = wait_until(lambda: self.healthy(), 30, 0.1)
        if not self.healthy():
            raise RuntimeError("vppd did not start; see vppd.log")
        return took

    def healthy(self):
        try:
            return http("GET", "/v1/health", timeout=1)[0] == 200
        except Exception:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class Browser:
    """Headless chromium with one page, spoken to over the DevTools protocol."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="chromium-", dir=WORK)
        args = [os.environ["CHROMIUM"], "--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-sync", "--mute-audio",
                "--remote-debugging-port=0", f"--user-data-dir={self.profile}", "--window-size=1400,1000",
                "about:blank"]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # DESIGN §11: chromium runs headless as root only without its sandbox
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(os.path.join(WORK, "chromium.log"), "ab"))
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        wait_until(lambda: os.path.exists(port_file) and open(port_file).read().strip(), 30, 0.1)
        port = int(open(port_file).read().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            pages = [t for t in json.loads(r.read()) if t["type"] == "page"]
        self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        self.next_id = 0
        self.events = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")

    def send(self, method, **params):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def js(self, expression):
        r = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expression[:80]}: {r['exceptionDetails'].get('text')} {r['exceptionDetails'].get('exception', {}).get('description', '')}")
        return r["result"].get("value")

    def pump(self):
        """Reads pending events without blocking for long."""
        self.ws.settimeout(0.01)
        try:
            while True:
                msg = json.loads(self.ws.recv())
                if "method" in msg:
                    self.events.append(msg)
        except (websocket.WebSocketTimeoutException, TimeoutError):
            pass
        finally:
            self.ws.settimeout(30)

    def navigate(self, url):
        self.send("Page.navigate", url=url)
        wait_until(lambda: self.js("document.readyState") == "complete", 15)

    def console_errors(self):
        self.pump()
        out = []
        for e in self.events:
            m, p = e["method"], e.get("params", {})
            if m == "Runtime.exceptionThrown":
                out.append("exception: " + p["exceptionDetails"].get("exception", {}).get("description", p["exceptionDetails"].get("text", "")))
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                out.append("console.error: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
                out.append(f"log: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        return out

    def responses(self, prefix):
        self.pump()
        return [e["params"]["response"] for e in self.events
                if e["method"] == "Network.responseReceived" and e["params"]["response"]["url"].startswith(prefix)]

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def sign_in(b, role):
    """Loads the page, puts the role's token into sessionStorage (as the sign-in form does) and reloads."""
    b.navigate(BASE + "/")
    b.js(f"sessionStorage.setItem('vppd.token', {json.dumps(TOKENS[role])})")
    b.events.clear()
    b.send("Page.reload", ignoreCache=True)
    _, took = wait_until(lambda: b.js("!!document.body && document.body.dataset.painted === '1'"), 20)
    return took


def main():
    # A timeout (SIGTERM from the wrapper's `timeout`) still stops the browser and vppd: the finally blocks run.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    daemon = Daemon()
    b = None
    try:
        daemon.start()
        # Every device answers before the page is measured (1,000 devices over Modbus and MQTT).
        total, took = wait_until(lambda: (lambda f: f["totals"]["ok"] >= 990 and f)(http("GET", "/v1/fleet", "viewer")[2]), 40, 0.5)
        check("1,000 simulated devices are polled by vppd", total and total["totals"]["devices"] == 1000,
              f"{total['totals'] if total else 'no fleet'} after {took:.1f} s")
        today = http("GET", "/v1/schedule", "viewer")[2]["day"]
        clear_today(today)
        invite_tomorrow(today)
        b = Browser()
        run(b, daemon, today)
    except Exception as e:  # a broken step is a failed check, reported with the figures so far
        check("the browser test ran to its end", False, f"{type(e).__name__}: {e}")
    finally:
        if b:
            b.close()
        daemon.stop()
    passed = sum(1 for _, ok in results if ok)
    failed = len(results) - passed
    print("figures: " + json.dumps(figures, sort_keys=True))
    print(f"{passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 and passed > 0 else 1)


def clear_today(day):
    """Today's schedule through the market routes, as a trader would make it: a bid built from a price forecast,
    submitted, and a clearing that answers it (each interval cleared at one of its offered steps)."""
    prices = [round(300 + 200 * __import__("math").sin((i - 30) / 96 * 6.283), 2) for i in range(96)]
    st, _, built = http("POST", "/v1/bids", "trader", {"day": day, "pricesYuanPerMWh": prices}, timeout=60)
    if st != 201:
        check("today's bid is built", False, f"{st} {built}")
        return
    version = built["bid"]["version"]
    st, _, sub = http("POST", f"/v1/bids/{day}/{version}/submit", "trader")
    rows = ["market_day,bid_version,unit,interval,cleared_quantity,price_yuan_per_mwh"]
    for iv in built["bid"]["intervals"]:
        steps = iv["segments"]
        if steps:
            step = steps[len(steps) // 2]
            rows.append(f"{day},{version},MW,{iv['index']},{step['netMW']},{step['priceYuanPerMWh']}")
        else:
            rows.append(f"{day},{version},MW,{iv['index']},{iv['baseMW']},{prices[iv['index'] - 1]}")
    req = urllib.request.Request(BASE + "/v1/clearing", data=("\n".join(rows) + "\n").encode(), method="POST",
                                 headers={"Authorization": f"Bearer {TOKENS['trader']}", "Content-Type": "text/csv"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            st, body = r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        st, body = e.code, json.loads(e.read() or b"{}")
    check("today's schedule is cleared through the market routes", st == 201 and body.get("scheduleVersion"),
          f"bid v{version} submitted {sub.get('submitted') if isinstance(sub, dict) else sub}; clearing {st} {str(body)[:200]}")


def invite_tomorrow(today):
    """A DR invitation for tomorrow's evening peak (intervals 73…76), as the load management platform sends it."""
    import datetime
    day = (datetime.date.fromisoformat(today) + datetime.timedelta(days=1)).isoformat()
    deadline = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    doc = {"kind": "dr-invitation", "id": "browser-peak-1", "direction": "peakShaving", "timing": "dayAhead", "day": day,
           "priceCapYuanPerMWh": 1200, "deadline": deadline,
           "intervals": [{"index": i, "requestedMW": 2} for i in (73, 74, 75, 76)]}
    st, _, body = http("POST", "/v1/dr/invitations", "trader", doc)
    check("a DR invitation for tomorrow is received", st == 201, f"{st} {str(body)[:200]}")


def run(b, daemon, today):
    # --- The page itself: CSP, no cookies, weight.
    status, headers, _ = http("GET", "/")
    csp = headers.get("Content-Security-Policy", "")
    check("GET / serves the page with a strict Content-Security-Policy and no cookie",
          status == 200 and "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
          and "Set-Cookie" not in headers, csp)

    # --- Operator: load with 1,000 devices.
    took = sign_in(b, "operator")
    paint = b.js("window.vppdPerf.firstPaint")
    figures["first_meaningful_paint_ms"] = round(paint, 1)
    check("the operator's page paints fleet and devices (1,000) on loopback", paint and paint < 5000,
          f"first meaningful paint {paint:.0f} ms after navigation (target ≤ 1000 ms)")
    time.sleep(1.0)
    weight = b.js("""(() => { const n = performance.getEntriesByType('navigation')[0];
        return n.decodedBodySize + performance.getEntriesByType('resource').filter(r => r.name.includes('/ui/'))
          .reduce((s, r) => s + r.decodedBodySize, 0); })()""")
    figures["page_weight_bytes"] = weight
    check("the page weighs at most 300 KB uncompressed", 0 < weight <= 300 * 1024, f"{weight} bytes")
    errors = b.console_errors()
    check("the page loads with no console errors", not errors, "; ".join(errors[:5]))

    # --- Figures equal the API's.
    fleet = http("GET", "/v1/fleet", "viewer")[2]
    shown = b.js("""({devices: +document.getElementById('fleet-devices').dataset.value,
        rated: +document.getElementById('fleet-rated').dataset.value, ok: +document.getElementById('fleet-ok').dataset.value,
        ratedText: document.getElementById('fleet-rated').textContent,
        rows: document.getElementById('device-count').textContent,
        sites: [...document.querySelectorAll('#sites-table tbody tr')].map(r => r.children[0].textContent + '|' + r.children[2].textContent)})""")
    api_sites = sorted(fleet["sites"].items())
    check("fleet totals shown equal GET /v1/fleet", shown["devices"] == fleet["totals"]["devices"]
          and abs(shown["rated"] - fleet["totals"]["ratedPowerKW"]) < 1e-6 and abs(shown["ok"] - fleet["totals"]["ok"]) <= 10,
          f"page {shown['devices']} devices, {shown['ratedText']}; API {fleet['totals']['devices']}, {fleet['totals']['ratedPowerKW']} kW")
    check("sites shown equal GET /v1/fleet's sites", [s.split('|')[0] for s in shown["sites"]] == [k for k, _ in api_sites], str(shown["sites"]))
    check("the devices table holds every device", shown["rows"].replace(",", "").replace(" ", "") == "1000/1000", shown["rows"])
    # One device's row against GET /v1/devices/{id} (rated power is fixed; power moves, compared with a margin).
    b.js("document.getElementById('device-filter').value = 'stor'; document.getElementById('device-filter').dispatchEvent(new Event('input'))")
    row = b.js("(() => { const r = [...document.querySelectorAll('#devices-body .vrow')].find(r => !r.hidden); return r && [...r.children].map(c => c.textContent).concat([r.dataset.id]); })()")
    dev = http("GET", f"/v1/devices/{row[-1]}", "viewer")[2] if row else None
    check("a filtered device row matches GET /v1/devices/{id}", row and dev and row[0] == dev["id"] and row[1] == dev["kind"]
          and row[2] == dev["site"], f"row {row} device {dev and dev['id']}")
    b.js(f"document.getElementById('devices-body').querySelector('.vrow[data-id=\"{row[-1]}\"]').click()")
    detail, _ = wait_until(lambda: b.js("document.getElementById('device-detail').textContent.includes('socPercent') && document.getElementById('device-detail').textContent"), 5)
    check("clicking a device shows its points and setpoints", bool(detail), (detail or "")[:120])
    b.js("document.getElementById('device-filter').value = ''; document.getElementById('device-filter').dispatchEvent(new Event('input'))")
    # The calendar's gates as the page shows them.
    cal = http("GET", "/v1/market/calendar", "viewer")[2]
    market_text = b.js("document.getElementById('market').textContent")
    check("the market section shows the calendar's days and says what has no data source",
          all(g["day"] in market_text for g in cal["gates"][1:]) and "capability" in market_text.lower(), market_text[:160])
    # The day's schedule as the chart draws it, and hovering an interval shows its numbers.
    schedule = http("GET", f"/v1/schedule/{today}", "viewer")[2]
    _, _ = wait_until(lambda: b.js("document.getElementById('chart').dataset.intervals") == "96", 5)
    check("the chart draws the day's 96 scheduled intervals", b.js("document.getElementById('chart').dataset.intervals") == str(len(schedule["intervals"])) == "96")
    b.js("document.querySelector('#chart rect.hit[data-i=\"40\"]').dispatchEvent(new MouseEvent('mouseenter'))")
    tip = b.js("document.getElementById('chart-tip').textContent")
    target = next((i["targetKW"] for i in schedule["intervals"] if i["index"] == 41), None)
    want_kw = f"{target:,.1f} kW" if target is not None else "?"
    check("hovering an interval shows its numbers, equal to GET /v1/schedule's", tip.startswith("Interval 41 (10:00)") and f"Cleared schedule {want_kw}" in tip, f"{tip} / API {want_kw}")
    b.js("document.getElementById('day-next').click()")
    want = cal["gates"][2]["day"]
    _, _ = wait_until(lambda: b.js("document.getElementById('chart').dataset.day") == want, 5)
    tomorrow = b.js("document.getElementById('chart').dataset.day")
    check("tomorrow is one click away", tomorrow == want, f"chart day {tomorrow}, tomorrow {want}")
    _, _ = wait_until(lambda: b.js("document.querySelectorAll('#chart rect.dr').length") == 4, 5)
    b.js("document.querySelector('#chart rect.hit[data-i=\"73\"]').dispatchEvent(new MouseEvent('mouseenter'))")
    tip = b.js("document.getElementById('chart-tip').textContent")
    check("tomorrow's DR event is drawn on its four intervals", b.js("document.querySelectorAll('#chart rect.dr').length") == 4
          and "browser-peak-1 (invited)" in tip, tip)
    check("the market section lists the DR event with its status", "browser-peak-1" in b.js("document.getElementById('market').textContent"))
    b.js("document.getElementById('day-today').click()")

    # --- Live latency: a command created through the API appears on the page.
    latencies = []
    for n in range(3):
        b.js("window.__seen = null")
        t0 = time.monotonic()
        st, _, receipt = http("POST", "/v1/commands", "operator", {"kind": "hold", "target": {"scope": "site", "id": "site-1"}, "durationSeconds": 60, "reason": f"live-latency probe {n}"})
        if st != 201:
            check("a probe command is accepted", False, str(receipt))
            break
        cid = receipt["id"]
        _, seen = wait_until(lambda: b.js(f"document.getElementById('commands-table').textContent.includes({json.dumps(cid)})"), 10, 0.02)
        latencies.append(time.monotonic() - t0)
        http("POST", f"/v1/commands/{cid}/cancel", "operator", {"reason": "probe done"})
    if latencies:
        figures["live_update_latency_ms_max"] = round(max(latencies) * 1000, 1)
        figures["live_update_latency_ms_median"] = round(sorted(latencies)[len(latencies) // 2] * 1000, 1)
        check("a state change is visible on the page through the live stream", max(latencies) < 5,
              f"{', '.join(f'{x * 1000:.0f}' for x in latencies)} ms (target ≤ 2000 ms)")

    # --- A curtailment issued from the page.
    b.js("""(() => { const v = (id, x) => { const e = document.getElementById(id); e.value = x; e.dispatchEvent(new Event('change')); };
        v('cmd-kind', 'curtailPV'); v('cmd-scope', 'fleet'); v('cmd-value', '10'); v('cmd-unit', 'percent'); v('cmd-minutes', '10');
        v('cmd-reason', 'browser test: curtail PV to 10 %'); document.getElementById('cmd-submit').click(); })()""")
    cid, _ = wait_until(lambda: b.js("document.getElementById('command-result').dataset.command"), 10)
    result_text = b.js("document.getElementById('command-result').textContent")
    check("a curtailment issued from the page is accepted with the API's feasibility answer", bool(cid) and "usable" in result_text, result_text)
    listed = http("GET", "/v1/commands?status=pending,active", "viewer")[2]
    check("the curtailment is in GET /v1/commands", any(c["id"] == cid for c in listed["commands"]), cid or "")
    # The PV devices producing most (a cap of 10 % binds on them), sampled.
    pvs = [d for d in http("GET", "/v1/devices", "viewer")[2]["devices"] if d["profile"] == "sunspec-pv-3ph" and d["health"] == "ok"]
    pvs.sort(key=lambda d: -(d["values"].get("activePowerKW", {}).get("value", 0) / max(d["ratedPowerKW"], 1e-9)))
    pv_ids = [d["id"] for d in pvs[:6]]

    def written():
        hits = []
        for pid in pv_ids:
            sp = http("GET", f"/v1/devices/{pid}/setpoints?limit=20", "viewer")[2]
            hits += [s for s in sp["setpoints"] if s.get("commandID") == cid and s["written"]]
        return hits
    hits, took = wait_until(written, 25, 0.5)
    check("the curtailment is written to the devices", bool(hits), f"{len(hits)} writes seen after {took:.1f} s" + (f", e.g. {hits[0]['device']} {hits[0]['point']}={hits[0]['value']}" if hits else ""))
    # Cancel from the page.
    _, _ = wait_until(lambda: b.js(f"!!document.querySelector('button.cancel[data-command=\"{cid}\"]')"), 5)
    b.js(f"document.querySelector('button.cancel[data-command=\"{cid}\"]').click()")
    cancelled, _ = wait_until(lambda: http("GET", f"/v1/commands/{cid}", "viewer")[2].get("status") == "cancelled", 5)
    check("cancelling from the page cancels the command", cancelled)
    # An emergency stop of one battery from the page, cancelled again.
    b.js("""(() => { const v = (id, x) => { const e = document.getElementById(id); e.value = x; e.dispatchEvent(new Event('change')); };
        v('cmd-kind', 'emergencyStop'); v('cmd-scope', 'device'); v('cmd-id', 'bat-0002'); v('cmd-minutes', '5');
        v('cmd-reason', 'browser test: emergency stop'); document.getElementById('command-result').dataset.command = '';
        document.getElementById('cmd-submit').click(); })()""")
    stop_id, _ = wait_until(lambda: b.js("document.getElementById('command-result').dataset.command"), 10)
    stop = http("GET", f"/v1/commands/{stop_id}", "viewer")[2] if stop_id else {}
    check("an emergency stop issued from the page is stored for its device", stop.get("kind") == "emergencyStop"
          and stop.get("target") == {"scope": "device", "id": "bat-0002"} and stop.get("status") in ("pending", "active"),
          str(stop)[:200])
    if stop_id:
        http("POST", f"/v1/commands/{stop_id}/cancel", "operator", {"reason": "browser test done"})
    # An infeasible request gets the API's refusal text.
    b.js("""(() => { const v = (id, x) => { const e = document.getElementById(id); e.value = x; e.dispatchEvent(new Event('change')); };
        v('cmd-kind', 'discharge'); v('cmd-scope', 'device'); v('cmd-id', 'no-such-device'); v('cmd-value', '5'); v('cmd-unit', 'kW');
        v('cmd-reason', 'browser test: refused'); document.getElementById('command-result').textContent = ''; document.getElementById('cmd-submit').click(); })()""")
    refused, _ = wait_until(lambda: b.js("(t => t.startsWith('Refused') && t)(document.getElementById('command-result').textContent)"), 5)
    st, _, body = http("POST", "/v1/commands", "operator", {"kind": "discharge", "target": {"scope": "device", "id": "no-such-device"}, "magnitude": {"value": 5, "unit": "kW"}, "durationSeconds": 600, "reason": "browser test: refused"})
    check("a refused command shows the API's status and detail", bool(refused) and str(st) in refused and body["detail"] in refused, f"{refused} / API {st} {body.get('detail')}")

    # --- A device that vanishes (vppsim's fault control): the daemon marks it stale, the page's table and alerts
    #     follow through the live stream (it shows as down or stale, whichever the daemon sees first).
    victim = "pv-0005"
    b.js(f"document.getElementById('device-filter').value = '{victim}'; document.getElementById('device-filter').dispatchEvent(new Event('input'))")
    reply = sim_control(f"fault {victim} drop")
    api_stale, took_api = wait_until(lambda: http("GET", f"/v1/devices/{victim}", "viewer")[2]["health"] != "ok", 20, 0.05)
    t_api = time.monotonic()
    shown, _ = wait_until(lambda: b.js(f"(r => r && r.classList.contains('bad') && r.textContent)(document.querySelector('#devices-body .vrow[data-id=\"{victim}\"]:not([hidden])'))"), 10, 0.02)
    stale_latency = time.monotonic() - t_api
    figures["live_update_latency_device_stale_ms"] = round(stale_latency * 1000, 1)
    check("a device that stops answering is shown as not ok on the page through the live stream", api_stale and shown,
          f"vppsim '{reply}'; API stale after {took_api:.1f} s, page {stale_latency * 1000:.0f} ms later: {shown}")
    alerted, _ = wait_until(lambda: victim in b.js("document.getElementById('alerts').textContent"), 5)
    check("the alerts list the device that stopped answering", alerted)
    sim_control(f"fault {victim} clear")
    # A file the inbox refuses shows in the alerts with its reason (the stream's alert counts trigger the read).
    with open(os.path.join(WORK, "state", "inbox", "clearing-broken.json"), "w") as f:
        f.write('{"kind": "clearing", "marketDay": "not a day"')
    listed, took = wait_until(lambda: "clearing-broken.json" in b.js("document.getElementById('alerts').textContent"), 15, 0.1)
    rejected = http("GET", "/v1/alerts", "viewer")[2]["rejectedFiles"]
    check("a file the inbox refused is listed in the alerts with its reason", listed and rejected
          and rejected[0]["reason"][:40] in b.js("document.getElementById('alerts').textContent"),
          f"after {took:.1f} s: {rejected[0] if rejected else 'none'}")
    b.js("document.getElementById('device-filter').value = ''; document.getElementById('device-filter').dispatchEvent(new Event('input'))")

    if True:  # always into the work directory, and to SCREENSHOT when given
        b.js("window.scrollTo(0, 0); document.querySelector('#chart rect.hit[data-i=\"40\"]').dispatchEvent(new MouseEvent('mouseenter'))")
        b.send("Emulation.setDeviceMetricsOverride", width=1400, height=1700, deviceScaleFactor=1, mobile=False)
        time.sleep(0.3)
        shot = b.send("Page.captureScreenshot", format="png", captureBeyondViewport=False)
        b.send("Emulation.clearDeviceMetricsOverride")
        import base64
        data = base64.b64decode(shot["data"])
        for path in filter(None, [os.path.join(WORK, "dashboard.png"), os.environ.get("SCREENSHOT")]):
            with open(path, "wb") as f:
                f.write(data)
        check("a screenshot of the main view is taken", len(data) > 10_000, f"{len(data)} bytes")

    # --- A dropped live connection is reported and recovered. The open stream must not hold up vppd's graceful
    #     shutdown (it ends its streams when the shutdown starts).
    t0 = time.monotonic()
    daemon.stop()
    stopped = time.monotonic() - t0
    figures["vppd_graceful_stop_with_open_page_s"] = round(stopped, 2)
    check("vppd stops promptly with a page connected", stopped < 5 and daemon.proc.returncode == 0,
          f"{stopped:.2f} s, exit {daemon.proc.returncode}")
    lost, took_lost = wait_until(lambda: b.js("document.getElementById('live').dataset.state") == "lost", 10)
    figures["connection_loss_reported_s"] = round(took_lost, 2)
    live_text = b.js("document.getElementById('live').textContent")
    check("a dropped live connection is reported", lost, f"after {took_lost:.1f} s: {live_text}")
    daemon.start()
    back, took_back = wait_until(lambda: b.js("document.getElementById('live').dataset.state") == "live", 15)
    figures["reconnected_after_restart_s"] = round(took_back, 2)
    check("the page reconnects when vppd is back", back, f"after {took_back:.1f} s")

    # --- A viewer, with a Chinese browser: no command controls, Chinese labels and numbers.
    b.send("Emulation.setUserAgentOverride", userAgent=b.js("navigator.userAgent"), acceptLanguage="zh-CN,zh")
    b.js("localStorage.removeItem('vppd.lang')")
    sign_in(b, "viewer")
    v = b.js("""({form: document.getElementById('command-form').hidden, cancels: document.querySelectorAll('button.cancel').length,
        lang: document.documentElement.lang, h: document.getElementById('fleet-h').textContent, who: document.getElementById('who').dataset.role,
        note: document.getElementById('command-result').textContent})""")
    check("a viewer sees no command controls", v["form"] is True and v["cancels"] == 0 and v["who"] == "viewer", json.dumps(v, ensure_ascii=False))
    check("the page follows the browser's language (Simplified Chinese)", v["lang"] == "zh-CN" and v["h"] == "资源总览", json.dumps(v, ensure_ascii=False))
    st, _, _ = http("POST", "/v1/commands", "viewer", {"kind": "hold", "target": {"scope": "fleet"}, "durationSeconds": 60, "reason": "x"})
    check("the API still refuses a viewer's command", st == 403, str(st))
    b.js("document.getElementById('lang').value = 'en'; document.getElementById('lang').dispatchEvent(new Event('change'))")
    h = b.js("document.getElementById('fleet-h').textContent")
    check("the language switch changes the labels", h == "Fleet", h)
    b.js("localStorage.removeItem('vppd.lang')")
    errors = [e for e in b.console_errors()]
    check("the viewer's page has no console errors", not errors, "; ".join(errors[:5]))

    # --- A token the daemon does not know: back to the sign-in form, with the reason.
    b.js("sessionStorage.setItem('vppd.token', 'vpp_not-a-token')")
    b.send("Page.reload", ignoreCache=True)
    refused, _ = wait_until(lambda: b.js("!!document.body && !document.getElementById('signin').hidden && document.getElementById('main').hidden && document.getElementById('signin-error').textContent"), 10)
    check("an unknown token is refused and the sign-in form says why", bool(refused) and "invalid bearer token" in refused, refused or "")


if __name__ == "__main__":
    main()
