#!/usr/bin/env bash
# Builds the libFuzzer harnesses of Fuzz/ (one per parser, README "Fuzzing") and runs each over its seed corpus in
# Tests/Fixtures/fuzz/<target>/, bounded in time. Fails if any target crashes, hangs or runs out of memory.
#
#   FUZZ_SECONDS=20      seconds per target (the CI pass); ignored when FUZZ_RUNS is set
#   FUZZ_RUNS=1000000    run this many inputs per target instead (a full `make fuzz` run)
#   FUZZ_TARGETS="..."   only these targets (names as in the list below)
#   FUZZ_SANITIZERS=fuzzer     swiftc -sanitize= value; fuzzer,address adds AddressSanitizer (catches out-of-bounds
#                              reads through unsafe pointers; about twice as slow, separate build directory)
#
# New inputs libFuzzer finds go to Fuzz/.build/corpus/<target>/ (kept between runs, never committed); a crashing
# input is written to Fuzz/.build/fuzz-artifacts/<target>/ and its path printed. Reproduce with
# `Fuzz/.build/release/<Harness> <file>`, then add it as a regression test in the matching Tests/ target.
set -euo pipefail
cd "$(dirname "$0")/.."

# target directory name → harness executable
declare -A HARNESS=(
  [config]=FuzzConfig [device-profile]=FuzzDeviceProfile [market-profile]=FuzzMarketProfile
  [clearing]=FuzzClearing [dr-award]=FuzzDRAward [dr-invitation]=FuzzDRInvitation [prices]=FuzzPrices
  [token-file]=FuzzTokenFile [inbox-name]=FuzzInboxName [mqtt-telemetry]=FuzzMQTTTelemetry
  [modbus-reply]=FuzzModbusReply
)
ALL="config device-profile market-profile clearing dr-award dr-invitation prices token-file inbox-name mqtt-telemetry modbus-reply"
TARGETS=${FUZZ_TARGETS:-$ALL}
SECONDS_PER_TARGET=${FUZZ_SECONDS:-20}
RUNS=${FUZZ_RUNS:-}
export VPPD_FUZZ_SANITIZERS=${FUZZ_SANITIZERS:-fuzzer}

# The harnesses carry -sanitize= themselves (Fuzz/Package.swift); passing it to every module instruments the parsers
# in the root package for coverage too, which is what guides libFuzzer. One value only: swiftc keeps the last one.
flags=(-c release -Xswiftc "-sanitize=$VPPD_FUZZ_SANITIZERS")
if [ "$VPPD_FUZZ_SANITIZERS" != fuzzer ]; then flags+=(--scratch-path "Fuzz/.build-${VPPD_FUZZ_SANITIZERS//,/-}"); fi
echo "fuzz: building Fuzz/ (${flags[*]})"
mkdir -p Fuzz/.build
if ! swift build --package-path Fuzz "${flags[@]}" >Fuzz/.build/fuzz-build.log 2>&1; then
  grep -E "error" Fuzz/.build/fuzz-build.log | sort -u | head -20 >&2
  echo "fuzz: build failed (log Fuzz/.build/fuzz-build.log)" >&2
  exit 1
fi
bin=$(swift build --package-path Fuzz "${flags[@]}" --show-bin-path)

if [ -n "$RUNS" ]; then limit=(-runs="$RUNS"); else limit=(-max_total_time="$SECONDS_PER_TARGET"); fi
failed=()
summary=()
for t in $TARGETS; do
  h=${HARNESS[$t]:-}
  [ -n "$h" ] || { echo "fuzz: unknown target $t (known: $ALL)" >&2; exit 2; }
  [ -x "$bin/$h" ] || { echo "fuzz: $bin/$h was not built" >&2; exit 1; }
  seeds=Tests/Fixtures/fuzz/$t
  work=Fuzz/.build/corpus/$t
  artifacts=Fuzz/.build/fuzz-artifacts/$t
  mkdir -p "$work" "$artifacts"
  log=Fuzz/.build/fuzz-$t.log
  echo "fuzz: $t (${limit[*]})"
  # The first corpus directory receives new inputs, so the committed seeds stay as they are. Leak detection is
  # off: the Swift runtime's caches live until exit by design.
  status=0
  "$bin/$h" "$work" "$seeds" "${limit[@]}" -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 || true)
  summary+=("$(printf '%-16s %10s execs %8s exec/s  %-10s %s' "$t" "${execs:-?}" "${rate:-?}" "${cov:-}" \
    "$([ $status = 0 ] && echo ok || echo "FAILED ($status)")")")
  if [ $status != 0 ]; then
    failed+=("$t")
    echo "fuzz: $t FAILED (exit $status); log $log:" >&2
    grep -E "ERROR|==[0-9]+==|Fatal error|SUMMARY|Test unit written|Base64" "$log" | head -20 >&2 || true
  fi
done
echo "fuzz: summary"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all targets passed"
