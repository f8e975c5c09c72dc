#!/usr/bin/env bash
# Starts the vppd demo on embedded defaults: a private mosquitto and a simulated mixed fleet (vppsim), then vppd
# with examples/demo.yaml and SQLite in ./demo-state. Prints the API address and ready-made tokens.
# Ctrl-C stops everything. DEMO_DURATION=N stops after N seconds (used by tests).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/debug}
STATE=demo-state
API=http://127.0.0.1:18080
for b in vppd vppctl vppsim; do
  [ -x "$BIN/$b" ] || { echo "demo: $BIN/$b is missing: run 'make build' first" >&2; exit 1; }
done
rm -rf "$STATE"
mkdir -p "$STATE"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# 1. The simulated fleet (and its private mosquitto on 127.0.0.1:18830), 2 sites.
"$BIN/vppsim" --profiles DeviceProfiles --sites 2 \
  --pv 6 --storage 2 --v2g-modbus 2 --meter 2 --v2g-mqtt 8 --mqtt-pv 3 \
  --base-port 15020 --start-broker --mqtt-port 18830 \
  --emit-config "$STATE/sim-devices.yaml" --quiet 2> "$STATE/vppsim.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$STATE/sim-devices.yaml" ] && break; sleep 0.1; done
[ -s "$STATE/sim-devices.yaml" ] || { echo "demo: vppsim did not start, see $STATE/vppsim.log" >&2; exit 1; }

# 2. Tokens (stored hashed in demo-state/tokens; printed once here).
viewer=$("$BIN/vppd" token create --name demo-viewer --role viewer --file "$STATE/tokens" | tail -n 1)
operator=$("$BIN/vppd" token create --name demo-operator --role operator --file "$STATE/tokens" | tail -n 1)
trader=$("$BIN/vppd" token create --name demo-trader --role trader --file "$STATE/tokens" | tail -n 1)
admin=$("$BIN/vppd" token create --name demo-admin --role admin --file "$STATE/tokens" | tail -n 1)

# 3. The daemon.
"$BIN/vppd" --config examples/demo.yaml 2> "$STATE/vppd.log" &
pids+=($!)
for _ in $(seq 1 100); do curl -fsS "$API/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$API/v1/health" >/dev/null || { echo "demo: vppd did not start, see $STATE/vppd.log" >&2; exit 1; }

# 4. A price view for tomorrow (seeded synthetic prices of the DOMAIN §3 shape; the backtest it runs on the way
#    is logged, not needed).
tomorrow=$(date -d tomorrow +%F)
"$BIN/vppctl" backtest --generate-prices --prices "$STATE/prices.csv" --from "$tomorrow" --to "$tomorrow" \
  --synthetic-fleet 20 > "$STATE/backtest.log" 2>&1 || echo "demo: price generation failed, see $STATE/backtest.log" >&2

cat <<EOT
vppd demo is running.
  API        $API   (OpenAPI: $API/v1/openapi.json, metrics: http://127.0.0.1:18080/metrics)
  viewer     $viewer
  operator   $operator
  trader     $trader
  admin      $admin
  logs       $STATE/vppd.log, $STATE/vppsim.log   store: $STATE/vppd.sqlite

Try:
  export VPPD_URL=$API VPPD_TOKEN=$operator
  $BIN/vppctl status
  $BIN/vppctl devices
  $BIN/vppctl fleet
  $BIN/vppctl dispatch curtail --fleet --percent 50 --for 15m --reason "demo"
  $BIN/vppctl dispatch charge --site site-1 --kw 40 --for 30m --reason "demo"   # the reply states any clamping
  $BIN/vppctl commands
  VPPD_TOKEN=$trader $BIN/vppctl bid build $tomorrow --prices $STATE/prices.csv  # day-ahead bid, also in $STATE/outbox
  VPPD_TOKEN=$trader $BIN/vppctl bid submit $tomorrow 1
Ctrl-C stops the demo.
EOT
if [ -n "${DEMO_DURATION:-}" ]; then sleep "$DEMO_DURATION"; else wait "${pids[1]}"; fi
