# Sourced by the test scripts that start real processes (scripts/browser-test.sh, scripts/fuzz-api.sh): a
# temporary work directory, the pids of what the script starts (`pids+=($!)`), and one cleanup on exit that
# stops them and removes the directory unless the script's keep variable is set. `free_port` prints a free
# loopback TCP port. Needs $PY (a Python 3).
#
#   work_dir NAME KEEP_VARIABLE    e.g. work_dir browser BROWSER_KEEP
work_dir() {
  WORK_NAME=$1
  WORK_KEEP_VAR=$2
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/vppd-$WORK_NAME.XXXXXX")
  pids=()
  trap work_dir_cleanup EXIT
  trap 'exit 130' INT TERM
}

work_dir_cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ -n "${!WORK_KEEP_VAR:-}" ]; then echo "$WORK_NAME: work directory kept: $WORK"; else rm -rf "$WORK"; fi
}

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
