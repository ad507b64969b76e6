#!/bin/sh
# run-one.sh BINARY CORPUS DICT SECONDS WORKDIR
# Runs one libFuzzer target over its seed/regression corpus (read-only: new
# inputs go to WORKDIR/corpus), then fuzzes for SECONDS.  Exit status is
# libFuzzer's: non-zero on a crash, a leak, a timeout or running out of memory;
# the input that did it is left in WORKDIR/artifacts.
set -eu
binary=$1 corpus=$2 dict=$3 seconds=$4 work=$5
mkdir -p "$work/corpus" "$work/artifacts"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:abort_on_error=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}:halt_on_error=1"
if [ -n "${LSAN_SUPP:-}" ]; then
  export LSAN_OPTIONS="suppressions=$LSAN_SUPP:print_suppressions=0"
fi
exec "$binary" \
  -max_total_time="$seconds" \
  -timeout=10 \
  -rss_limit_mb=2048 \
  -max_len=65536 \
  -dict="$dict" \
  -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" \
  "$work/corpus" "$corpus"
