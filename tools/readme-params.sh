#!/usr/bin/env bash
# Rewrites the parameter table of README.md from the registry:
#   tools/readme-params.sh [TOOL]   (TOOL defaults to build/certslot)
set -euo pipefail
cd "$(dirname "$0")/.."
tool=${1:-build/certslot}
table=$("$tool" params --markdown)
awk -v table="$table" '
    /<!-- params:begin -->/ { print; print table; skip = 1; next }
    /<!-- params:end -->/ { skip = 0 }
    !skip { print }
' README.md >README.md.tmp
mv README.md.tmp README.md
