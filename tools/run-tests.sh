#!/usr/bin/env bash
# Run test programs and tally the results.
#
#   tools/run-tests.sh [options] VARIANT RESULTS PROG...
#       Run every PROG (a test executable, or a *.sh script run with bash in a
#       fresh $TMPDIR_TEST), print its output, keep going after a failure.
#       Appends one "PASS|FAIL VARIANT PROG" line per test to RESULTS (the
#       file is truncated first). Exits 1 if any test failed.
#   tools/run-tests.sh --summary RESULTS...
#       Print the failed tests, then one last line "N passed, N failed".
#       Exits 1 if any test failed.
#
# Options (before VARIANT):
#   --wrap "CMD ARGS"   run each executable as CMD ARGS PROG (qemu-arm, valgrind)
#   --stale-check       a PROG (or, for scripts, $CERTSLOT_TOOL) that `make -q`
#                       says is out of date failed to build: count it as failed
#                       instead of running a stale binary
# Env: TEST_TIMEOUT seconds per test (default 600).
set -uo pipefail

if [ "${1:-}" = "--summary" ]; then
    shift
    passed=0 failed=0
    failures=()
    for f in "$@"; do
        [ -f "$f" ] || continue
        while read -r status variant prog; do
            case "$status" in
                PASS) passed=$((passed + 1)) ;;
                FAIL) failed=$((failed + 1)); failures+=("$variant $prog") ;;
            esac
        done <"$f"
    done
    if [ "${#failures[@]}" -gt 0 ]; then
        echo "Failed tests:"
        printf '  %s\n' "${failures[@]}"
    fi
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
fi

wrap=()
stale_check=0
while [ $# -gt 0 ]; do
    case "$1" in
        --wrap) read -r -a wrap <<<"$2"; shift 2 ;;
        --stale-check) stale_check=1; shift ;;
        --) shift; break ;;
        -*) echo "run-tests: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -ge 2 ] || { echo "usage: $0 [--wrap CMD] [--stale-check] VARIANT RESULTS PROG..." >&2; exit 2; }
variant=$1 results=$2
shift 2

timeout_s=${TEST_TIMEOUT:-600}
mkdir -p "$(dirname "$results")"
: >"$results"

is_stale() {
    [ "$stale_check" -eq 1 ] || return 1
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -q "$1" >/dev/null 2>&1
    [ $? -ne 0 ]
}

passed=0 failed=0
for prog in "$@"; do
    echo "=== [$variant] $prog"
    start=$(date +%s.%N)
    tmpdir=
    case "$prog" in
        *.sh)
            if is_stale "${CERTSLOT_TOOL:-build/certslot}"; then
                echo "not run: ${CERTSLOT_TOOL:-build/certslot} failed to build"
                rc=127
            else
                tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/certslot-test.XXXXXX")
                TMPDIR_TEST=$tmpdir timeout -k 10 "$timeout_s" bash "$prog" </dev/null
                rc=$?
            fi
            ;;
        *)
            if [ ! -x "$prog" ] || is_stale "$prog"; then
                echo "not run: $prog failed to build"
                rc=127
            else
                case "$prog" in /*) path=$prog ;; *) path=./$prog ;; esac
                timeout -k 10 "$timeout_s" "${wrap[@]}" "$path" </dev/null
                rc=$?
            fi
            ;;
    esac
    [ -n "$tmpdir" ] && rm -rf "$tmpdir"
    secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
    if [ "$rc" -eq 0 ]; then
        echo "=== [$variant] PASS $prog (${secs}s)"
        echo "PASS $variant $prog" >>"$results"
        passed=$((passed + 1))
    else
        why="exit $rc"
        [ "$rc" -eq 124 ] && why="timed out after ${timeout_s}s"
        echo "=== [$variant] FAIL $prog ($why, ${secs}s)"
        echo "FAIL $variant $prog" >>"$results"
        failed=$((failed + 1))
    fi
done
echo "=== [$variant] $passed passed, $failed failed"
[ "$failed" -eq 0 ]
