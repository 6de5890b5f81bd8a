#!/bin/bash
# CPU time of two handoff binaries on one scenario, run alternately so that
# the machine's drift affects both alike (docs/performance.md).
#
#   scripts/cpu-time-ab.sh OLD_BINARY NEW_BINARY SCENARIO [PAIRS]
#
# Prints each pair's user CPU seconds, then the means and NEW / OLD.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 OLD_BINARY NEW_BINARY SCENARIO [PAIRS]" >&2
  exit 2
fi
old=$1 new=$2 scenario=$3 pairs=${4:-6}
cpu() { { /usr/bin/time -f %U "$1" run "$scenario" --replications 1 --format json -q >/dev/null; } 2>&1; }
for _ in $(seq "$pairs"); do
  echo "$(cpu "$old") $(cpu "$new")"
done | awk '{ print; a += $1; b += $2 } END { printf "mean old %.3f s, new %.3f s, new/old %.3f\n", a/NR, b/NR, b/a }'
