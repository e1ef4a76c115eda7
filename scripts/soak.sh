#!/usr/bin/env bash
# Soak: a broadcast run for a long time with churn, watching for leaks. A
# tracker, a DHT node, a source (testsrc) and N viewers; every
# --replace-every seconds the oldest of the churning viewers leaves and a new
# one joins, while --long-lived viewers stay all along. Every minute it prints
# the RSS (MB) and open file descriptors of each long-lived process; at the
# end, each one's RSS growth after the first --settle minutes, its fd range,
# and the long-lived viewers' continuity, and it draws the RSS over time
# (DIR/soak.svg, scripts/soak_plot.awk).
#
# Usage: scripts/soak.sh [--minutes 60] [--viewers 20] [--long-lived 4]
#                        [--replace-every 30] [--settle 5] [--dir DIR]
# Needs a built build/shoal. A benchmark, not a test: see docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=60 viewers=20 long_lived=4 replace_every=30 settle=5 dir=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --viewers) viewers="$2"; shift 2 ;;
    --long-lived) long_lived="$2"; shift 2 ;;
    --replace-every) replace_every="$2"; shift 2 ;;
    --settle) settle="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if (( long_lived < 1 || long_lived >= viewers || minutes < 1 || replace_every < 1 )); then
  echo "soak.sh: need 1 <= --long-lived < --viewers, --minutes >= 1, --replace-every >= 1" >&2
  exit 2
fi
shoal=$PWD/build/shoal
[[ -x $shoal ]] || { echo "soak.sh: build first (scripts/build.sh)" >&2; exit 2; }
dir=${dir:-$(mktemp -d /tmp/shoal-soak-XXXXXX)}
mkdir -p "$dir"
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT

$shoal tracker --listen 127.0.0.1:0 > "$dir/tracker.addr" 2> "$dir/tracker.log" & tracker=$!
$shoal dht --listen 127.0.0.1:0 > "$dir/dht.addr" 2> "$dir/dht.log" & dht=$!
pids+=("$tracker" "$dht")
for _ in $(seq 50); do [[ -s $dir/tracker.addr && -s $dir/dht.addr ]] && break; sleep 0.1; done
$shoal source --input testsrc --listen 127.0.0.1:0 --key "$dir/source.key" \
  --tracker "$(head -1 "$dir/tracker.addr")" --dht "$(cut -d' ' -f2 "$dir/dht.addr")" \
  --stats-json "$dir/source.json" > "$dir/uri" 2> "$dir/source.log" & source=$!
pids+=("$source")
for _ in $(seq 100); do [[ -s $dir/uri ]] && break; sleep 0.1; done
uri=$(head -1 "$dir/uri")

total=$(( minutes * 60 ))
# Each viewer on a loopback address of its own, as `shoal swarm` does: the
# source holds at most 8 connections per address.
host() { echo "127.0.$(( 1 + $1 / 250 )).$(( 1 + $1 % 250 ))"; }
long=() churn=()
for i in $(seq 1 "$viewers"); do
  if (( i <= long_lived )); then
    $shoal peer "$uri" --sink none --listen "$(host "$i"):0" --duration $(( total + 5 )) \
      --stats-json "$dir/long$i.json" 2> "$dir/long$i.log" & long+=($!)
  else
    $shoal peer "$uri" --sink none --listen "$(host "$i"):0" 2> "$dir/churn$i.log" & churn+=($!)
  fi
done
pids+=("${long[@]}" "${churn[@]}")
names=(source tracker dht) watched=("$source" "$tracker" "$dht")
for i in $(seq 1 "$long_lived"); do names+=("viewer$i"); watched+=("${long[$((i-1))]}"); done

sample() {  # minute, then "rss_mb fds" per watched process
  local line="$1"
  for p in "${watched[@]}"; do
    local rss fds
    rss=$(awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$p/status" 2>/dev/null || echo "-")
    fds=$(ls "/proc/$p/fd" 2>/dev/null | wc -l)
    line+=" ${rss:--} $fds"
  done
  echo "$line"
}
header="min"; for n in "${names[@]}"; do header+=" ${n}_mb ${n}_fds"; done
echo "$header" | tee "$dir/samples.txt"
next=$viewers start=$SECONDS
while (( SECONDS - start < total )); do
  sleep "$replace_every"
  kill -TERM "${churn[0]}" 2>/dev/null || true
  churn=("${churn[@]:1}")
  next=$(( next + 1 ))
  $shoal peer "$uri" --sink none --listen "$(host "$next"):0" 2> "$dir/churn$next.log" &
  churn+=($!)
  pids+=($!)
  elapsed=$(( SECONDS - start ))
  if (( elapsed / 60 != (elapsed - replace_every) / 60 )); then
    sample $(( elapsed / 60 )) | tee -a "$dir/samples.txt"
  fi
done
for p in "${long[@]}"; do wait "$p" || true; done

echo
echo "after the first $settle min (logs and samples in $dir):"
awk -v settle="$settle" -v n="${#names[@]}" -v names="${names[*]}" '
  NR == 1 { next }
  { for (i = 0; i < n; i++) {
      rss = $(2 + 2 * i); fds = $(3 + 2 * i)
      if ($1 >= settle && !(i in base)) base[i] = rss
      if ($1 >= settle) { last[i] = rss; if (!(i in lo) || fds < lo[i]) lo[i] = fds; if (fds > hi[i]) hi[i] = fds }
    } }
  END { split(names, name, " ")
    for (i = 0; i < n; i++)
      printf "  %-9s RSS %6.1f -> %6.1f MB (%+.1f %%), fds %d..%d\n", name[i + 1], base[i], last[i],
             (base[i] > 0 ? 100 * (last[i] - base[i]) / base[i] : 0), lo[i], hi[i] }' "$dir/samples.txt"
for i in $(seq 1 "$long_lived"); do
  printf "  viewer%d   continuity %s\n" "$i" \
    "$(grep -o '"continuity": *[0-9.null]*' "$dir/long$i.json" | cut -d: -f2)"
done
awk -v settle="$settle" -f scripts/soak_plot.awk "$dir/samples.txt" > "$dir/soak.svg"
echo "  plot: $dir/soak.svg"
