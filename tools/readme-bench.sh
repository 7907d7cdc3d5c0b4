#!/usr/bin/env bash
# Rewrites the benchmark table of README.md from make bench's output (never by hand):
#   tools/readme-bench.sh [BENCH_MD]   (BENCH_MD defaults to build/bench.md)
set -euo pipefail
cd "$(dirname "$0")/.."
md=${1:-build/bench.md}
[ -f "$md" ] || { echo "readme-bench: no $md: run make bench first" >&2; exit 1; }
awk -v file="$md" '
    /<!-- bench:begin -->/ { print; while ((getline line < file) > 0) print line; skip = 1; next }
    /<!-- bench:end -->/ { skip = 0 }
    !skip { print }
' README.md >README.md.tmp
mv README.md.tmp README.md
