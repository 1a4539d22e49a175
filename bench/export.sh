#!/usr/bin/env bash
# Export time and size, JSON vs JSON.gz vs Perfetto, on the ping-pong trace (issue 12):
#   bench/export.sh [--fibertrace CLI] [--pingpong PROGRAM] [--trace TRACE] [--rounds N]
# Records TRACE with FT_TRACE=... PROGRAM 1000000 unless --trace names one, then exports it
# with `CLI export TRACE -o OUT` to OUT.json, OUT.json.gz and OUT.pftrace, N rounds each
# (default 3, alternating), and prints a Markdown table of the median wall time, CPU time
# (user+sys) and bytes per trace event. Outputs go to a scratch directory that is removed.
# Defaults: CLI = build/cli/fibertrace, PROGRAM = build/bench/programs/pingpong (configure with
# -DFT_BUILD_BENCH=ON and build target ft_bench_pingpong).
set -euo pipefail
cd "$(dirname "$0")/.."
cli=build/cli/fibertrace prog=build/bench/programs/pingpong trace= rounds=3
while (($#)); do
  case "$1" in
    --fibertrace) cli=$2; shift 2 ;;
    --pingpong) prog=$2; shift 2 ;;
    --trace) trace=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "export.sh: unknown argument $1" >&2; exit 1 ;;
  esac
done
[[ -x $cli ]] || { echo "export.sh: no fibertrace CLI at $cli (--fibertrace PATH)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/ft_export_bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
if [[ -z $trace ]]; then
  [[ -x $prog ]] || { echo "export.sh: no ping-pong program at $prog (--pingpong PATH)" >&2; exit 1; }
  trace=$tmp/pingpong.out
  FT_TRACE=$trace "$prog" 1000000 >/dev/null
fi
events=$("$cli" stats --json "$trace" | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')
echo "trace: $trace, $events events, $(stat -c %s "$trace") bytes; $rounds rounds, medians"
echo
echo "| output | wall s | CPU s | bytes | bytes/event |"
echo "|---|---:|---:|---:|---:|"
declare -A wall cpu size
for ((r = 0; r < rounds; r++)); do
  for ext in json json.gz pftrace; do
    out=$tmp/out.$ext
    # bash's `time` with TIMEFORMAT: real, then user+sys.
    t=$( { TIMEFORMAT='%R %U %S'; time "$cli" export "$trace" -o "$out" >/dev/null; } 2>&1 )
    read -r real user sys <<<"$t"
    wall[$ext]+="$real "
    cpu[$ext]+="$(python3 -c "print($user + $sys)") "
    size[$ext]=$(stat -c %s "$out")
    rm -f "$out"
  done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for ext in json json.gz pftrace; do
  printf '| %s | %.2f | %.2f | %d | %.1f |\n' "$ext" "$(median "${wall[$ext]}")" \
    "$(median "${cpu[$ext]}")" "${size[$ext]}" "$(python3 -c "print(${size[$ext]} / $events)")"
done
