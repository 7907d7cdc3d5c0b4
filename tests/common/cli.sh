# Helpers for tests/cli/*.sh: source it, call `run`, then the expect_* checks.
# Each failed check prints what was expected and what the tool did; the
# script's exit status is the number of failed checks (0 = pass).
set -u
TOOL=${CERTSLOT_TOOL:-build/certslot}
DATA=${CERTSLOT_TESTDATA:-tests/data}
T=${TMPDIR_TEST:-$(mktemp -d)}
failures=0
OUT=$T/out
ERR=$T/err
RC=0

# run ARGS...: runs the tool, keeping stdout, stderr and the exit status.
run() {
    RC=0
    "$TOOL" "$@" >"$OUT" 2>"$ERR" || RC=$?
    LAST="certslot $*"
}

fail() {
    failures=$((failures + 1))
    echo "FAIL: $LAST: $1"
    echo "  stdout: $(head -c 600 "$OUT")"
    echo "  stderr: $(head -c 600 "$ERR")"
}

expect_rc() { [ "$RC" -eq "$1" ] || fail "exit status $RC, expected $1"; }
expect_out() { grep -qF -- "$1" "$OUT" || fail "stdout lacks: $1"; }
expect_err() { grep -qF -- "$1" "$ERR" || fail "stderr lacks: $1"; }
expect_no_out() { ! grep -qF -- "$1" "$OUT" || fail "stdout has: $1"; }
expect_out_exactly() { [ "$(cat "$OUT")" = "$1" ] || fail "stdout is not exactly: $1"; }
expect_empty_err() { [ ! -s "$ERR" ] || fail "stderr is not empty"; }

finish() {
    [ "$failures" -eq 0 ] && echo "ok: $(basename "$0")"
    exit "$failures"
}
