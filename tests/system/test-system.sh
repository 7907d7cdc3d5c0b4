#!/usr/bin/env bash
# make test-system: the system image (make qemu-image) on a real ARM kernel under qemu-system-arm.
#
#   tests/system/test-system.sh IMAGE RESULTS
#
# 1. One boot (certslot=suites, at most 10 minutes): inside the guest, the ARM unit suites that need no network,
#    with TMPDIR on the ext4 disk, then the store's persistence through hal/linux on that disk; the guest
#    reports each as "certslot-system: PASS|FAIL NAME", then powers off.
# 2. tests/system/power-cut.sh for SYSTEM_CYCLES (default 3) cycles: every cut must be survived.
# 3. The same for 3 cycles on the deliberately broken hal (never fsyncs the store's file): at least one cut must
#    be caught, or the power-cut test could not catch the bug it exists for.
# RESULTS gets one "PASS|FAIL system NAME" line each (tools/run-tests.sh's format); the last line printed is
# "N passed, N failed". Env: SEED (default: the time) for the power cuts; CERTSLOT_KEEP_TMP=1 keeps the logs.
set -uo pipefail
[ $# -eq 2 ] || { echo "usage: $0 IMAGE RESULTS" >&2; exit 2; }
image=$1 results=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
seed=${SEED:-$(date +%s)}
cycles=${SYSTEM_CYCLES:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/certslot-system.XXXXXX")
mkdir -p "$(dirname "$results")"
: >"$results"
keep() { [ "${CERTSLOT_KEEP_TMP:-0}" = 1 ] && echo "test-system: logs kept in $work" || rm -rf "$work"; }
trap keep EXIT
result() { echo "$1 system $2" >>"$results"; echo "test-system: $1 $2"; }

echo "test-system: booting $image (unit suites and store persistence on ext4)"
start=$SECONDS
"$here/tools/qemu-boot.sh" "$image" "$work/suites.img" "$work/suites.log" 600 certslot=suites
rc=$?
tr -d '\r' <"$work/suites.log" | sed 's/^/  guest| /'
grep -E '^certslot-system: (PASS|FAIL) ' "$work/suites.log" | tr -d '\r' | while read -r _ status name; do
    echo "$status system $name" >>"$results"
done
if ! grep -q '^certslot-system: [0-9]* passed, [0-9]* failed' "$work/suites.log"; then
    result FAIL "suites-boot (qemu exit $rc: the guest did not finish; see the log above)"
fi
echo "test-system: the suites' boot took $((SECONDS - start)) s"

if "$here/tests/system/power-cut.sh" "$image" "$cycles" "$seed"; then
    result PASS "power-cut ($cycles cycles, seed $seed)"
else
    result FAIL "power-cut ($cycles cycles, seed $seed)"
fi

out=$("$here/tests/system/power-cut.sh" "$image" 3 "$seed" broken)
echo "$out"
if echo "$out" | grep -q '^power-cut: cycle [0-9]*: FAILED'; then
    result PASS "power-cut-catches-broken-hal"
else
    result FAIL "power-cut-catches-broken-hal (the broken hal survived every cut)"
fi

"$here/tools/run-tests.sh" --summary "$results"
