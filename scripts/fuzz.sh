#!/usr/bin/env bash
# Builds the fuzz targets (fuzz/) with clang, libFuzzer, ASan and UBSan into
# build-fuzz/ and runs each in turn for N seconds (default 600): on its seed
# corpus (fuzz/corpus/<target>/, read only) and a working corpus
# (build-fuzz/corpus/<target>/) kept between runs. An input that crashes,
# leaks, trips UBSan, runs over 1 s or allocates 64 MiB at once stops the run
# (exit 1), its report above and the input in build-fuzz/findings/. Then each
# target's corpus is run once more, input by input, for its slowest input.
#   scripts/fuzz.sh [--seconds N] [TARGET...]
# Targets: frame tracker dht channel_uri pieces (all by default). CI runs
# `scripts/fuzz.sh --seconds 12`: a minute in all.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=600
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(frame tracker dht channel_uri pieces)

build=build-fuzz
CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHOAL_FUZZ=ON >/dev/null
cmake --build "$build" -j2 --target "${targets[@]/#/fuzz_}"
mkdir -p "$build/findings"

max_len() {  # the largest input each target is given
  case "$1" in
    channel_uri) echo 1024 ;;
    dht) echo 9000 ;;
    *) echo 70000 ;;  # a control frame's 64 KiB, or several frames
  esac
}

summary=()
total=0
for t in "${targets[@]}"; do
  bin="$build/fuzz/fuzz_$t"
  corpus="$build/corpus/$t"
  log="$build/fuzz_$t.log"
  mkdir -p "$corpus"
  echo "== fuzz_$t: ${seconds}s" >&2
  if ! "$bin" "$corpus" "fuzz/corpus/$t" -max_total_time="$seconds" -timeout=1 \
      -rss_limit_mb=2048 -malloc_limit_mb=64 -max_len="$(max_len "$t")" \
      -artifact_prefix="$build/findings/$t-" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz_$t: FINDING (log $log, input in $build/findings/)" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
  # Each input of the corpus once more, timed one by one (ASan and UBSan on).
  slowest=$(find "$corpus" "fuzz/corpus/$t" -type f -print0 | xargs -0 -n 500 "$bin" 2>&1 |
    sed -n 's/^Executed .* in \([0-9]*\) ms$/\1/p' | sort -n | tail -n 1)
  total=$((total + runs))
  summary+=("$(printf '%-12s %12s inputs %8s inputs/s  slowest %4s ms  peak RSS %4s MB  corpus %s' \
    "$t" "$runs" "$rate" "${slowest:-0}" "$rss" "$(find "$corpus" -type f | wc -l)")")
done
printf '%s\n' "${summary[@]}"
echo "total: $total inputs, no finding"
