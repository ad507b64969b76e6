#!/usr/bin/env bash
# run-fuzzers.sh [SECONDS] — builds the libFuzzer harnesses of tests/fuzz
# (clang, ASan + UBSan) if needed, replays each target's seed and regression
# corpus (tests/fuzz/corpus/<target>/), fuzzes each for SECONDS (default 30)
# and fails if any target finds a crash, a leak, a timeout or an out-of-memory.
# A finding is kept in build-fuzz/tests/fuzz/work/<target>/artifacts/: copy
# it into tests/fuzz/corpus/<target>/ as a regression once fixed.
#
#   OBICO_FUZZ_BUILD   build directory (default build-fuzz)
#   OBICO_FUZZ_TARGETS targets to run (default: all)
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-30}
build=${OBICO_FUZZ_BUILD:-build-fuzz}
targets=${OBICO_FUZZ_TARGETS:-api message url agents-yaml agents-ini store agent-log agent-units agent-log-file agent-version proxy resolver}

if ! command -v clang >/dev/null; then
  echo "run-fuzzers.sh: clang is needed (apt-get install clang libclang-rt-14-dev)" >&2
  exit 1
fi
if [ ! -f "$build/build.ninja" ]; then
  # -Wno-unused-variable: clang 14 takes GLib 2.74's
  # g_autoptr(GMutexLocker) locker = … for an unused variable.
  CC=clang meson setup "$build" -Dfuzzing=true -Dwerror=true \
    -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-Wno-unused-variable
fi
ninja -C "$build" $(for t in $targets; do echo "tests/fuzz/fuzz-$t"; done)

dict_for() {
  case $1 in
    api|message) echo json.dict ;;
    url) echo url.dict ;;
    agents-yaml) echo yaml.dict ;;
    agent-log|agent-log-file) echo log.dict ;;
    agent-version) echo version.dict ;;
    proxy) echo proxy.dict ;;
    resolver) echo resolver.dict ;;
    agent-units) echo units.dict ;;
    *) echo ini.dict ;;
  esac
}

export LSAN_SUPP=$PWD/tests/lsan.supp
status=0
summary=""
for t in $targets; do
  work=$build/tests/fuzz/work/$t
  rm -rf "$work/artifacts"
  log=$build/tests/fuzz/fuzz-$t.log
  echo "== fuzz-$t: corpus + ${seconds}s (log: $log)"
  rc=0
  tests/fuzz/run-one.sh "$build/tests/fuzz/fuzz-$t" "tests/fuzz/corpus/$t" \
    "tests/fuzz/$(dict_for "$t")" "$seconds" "$work" >"$log" 2>&1 || rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
  line=$(printf '%-12s %s  execs %s  %s  peak RSS %s MB' "$t" \
         "$([ $rc = 0 ] && echo ok || echo "FAILED($rc)")" "${execs:-?}" "${cov:-?}" "${rss:-?}")
  echo "$line"
  summary+="$line"$'\n'
  if [ $rc != 0 ]; then
    status=1
    grep -E 'ERROR:|SUMMARY:|Test unit written' "$log" | head -5 || true
  fi
done
echo
echo "Fuzzing summary (${seconds}s per target):"
printf '%s' "$summary"
exit $status
