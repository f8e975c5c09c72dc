#!/usr/bin/env bash
# The dashboard's browser test (README "Dashboard"): Debian's chromium, headless, driven over the DevTools
# protocol by scripts/browser_test.py, against a real vppd on a simulated fleet of 1,000 vppsim devices (MQTT and
# Modbus, a private mosquitto). Fails (never skips) when chromium or the built binaries are missing.
#
# Environment:
#   BIN=.build/debug             where vppd and vppsim are
#   CHROMIUM=/usr/bin/chromium   the browser (Debian package `chromium`, installed by .ci/run / make setup)
#   BROWSER_VENV=.venv-browser   virtualenv with the pinned websocket-client (created when missing or stale)
#   BROWSER_SCREENSHOT=          also write the main view's screenshot here (e.g. docs/dashboard.png)
#   BROWSER_KEEP=1               keep the work directory (logs, screenshot) afterwards
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WEBSOCKET_CLIENT_VERSION=1.9.2
BIN=${BIN:-.build/debug}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
VENV=${BROWSER_VENV:-.venv-browser}
case "$VENV" in /*) ;; *) VENV=$ROOT/$VENV ;; esac

for b in vppd vppsim; do
  [ -x "$BIN/$b" ] || { echo "browser-test: $BIN/$b is missing: run 'swift build --build-tests' first" >&2; exit 1; }
done
if [ ! -x "$CHROMIUM" ]; then
  echo "browser-test: FAILED: $CHROMIUM is missing; install Debian's chromium ('apt-get install chromium', or 'make setup')" >&2
  exit 1
fi
PY=/usr/bin/python3
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import websocket, sys; sys.exit(0 if websocket.__version__ == '$WEBSOCKET_CLIENT_VERSION' else 1)" 2>/dev/null; then
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "websocket-client==$WEBSOCKET_CLIENT_VERSION"
fi

. scripts/lib/work-dir.sh
work_dir browser-test BROWSER_KEEP
API_PORT=$(free_port)
MQTT_PORT=$(free_port)
CONTROL_PORT=$(free_port)

# 1. 1,000 simulated devices over 4 sites: 900 over Modbus TCP behind gateways of 20 unit ids per port (PV,
#    storage, V2G chargers, meters) and 100 MQTT PV inverters on a private mosquitto. The simulation clock starts
#    at noon in Shanghai so that PV produces and a curtailment binds whatever the hour of the run.
"$BIN/vppsim" --profiles DeviceProfiles --sites 4 \
  --pv 450 --storage 300 --v2g-modbus 146 --meter 4 --mqtt-pv 100 --units-per-port 20 --base-port 0 \
  --start "$(date -u +%Y-%m-%d)T12:00:00+08:00" --start-broker --mqtt-port "$MQTT_PORT" --control-port "$CONTROL_PORT" \
  --emit-config "$WORK/sim-devices.yaml" --quiet 2> "$WORK/vppsim.log" > "$WORK/vppsim.out" &
pids+=($!)
for _ in $(seq 1 200); do [ -s "$WORK/sim-devices.yaml" ] && break; sleep 0.1; done
[ -s "$WORK/sim-devices.yaml" ] || { echo "browser-test: vppsim did not start:" >&2; cat "$WORK/vppsim.log" >&2; exit 1; }

# 2. One token per role.
declare -A token
for role in viewer operator trader admin; do
  token[$role]=$("$BIN/vppd" token create --name "browser-$role" --role "$role" --file "$WORK/tokens" | tail -n 1)
done

# 3. The daemon's configuration (the driver starts and restarts vppd itself: the dropped-connection test).
cat > "$WORK/vppd.yaml" <<EOT
stateDirectory: $WORK/state
profilesDirectory: $ROOT/DeviceProfiles
logLevel: notice
market:
  profile: zhejiang
  profilesDirectory: $ROOT/MarketProfiles
  timeZone: Asia/Shanghai
api:
  host: 127.0.0.1
  port: $API_PORT
  tokenFile: $WORK/tokens
mqtt:
  host: 127.0.0.1
  port: $MQTT_PORT
  clientId: vppd-browser
control:
  periodMs: 1000
poll:
  intervalMs: 1000
  staleAfterMs: 5000
include:
  - $WORK/sim-devices.yaml
EOT

# 4. The driver: it starts chromium and vppd, runs every check, prints figures and "N passed, N failed".
VPPD="$BIN/vppd" CONFIG="$WORK/vppd.yaml" WORK="$WORK" API_PORT="$API_PORT" CHROMIUM="$CHROMIUM" \
  CONTROL_PORT="$CONTROL_PORT" TOKEN_VIEWER="${token[viewer]}" TOKEN_OPERATOR="${token[operator]}" \
  TOKEN_TRADER="${token[trader]}" DASHBOARD_DIR="$ROOT/Dashboard" SCREENSHOT="${BROWSER_SCREENSHOT:-}" \
  timeout 240 "$VENV/bin/python" scripts/browser_test.py
