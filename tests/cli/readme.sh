#!/usr/bin/env bash
# The README's parameter table is exactly what the registry generates; its benchmark table is make bench's.
. "$(dirname "$0")/../common/cli.sh"
README=$(dirname "$0")/../../README.md
run params --markdown
expect_rc 0
sed -n '/<!-- params:begin -->/,/<!-- params:end -->/p' "$README" | sed '1d;$d' >"$T/readme-table"
if ! diff -u "$T/readme-table" "$OUT" >"$T/diff"; then
    fail "README parameter table differs from the registry: run tools/readme-params.sh"
    cat "$T/diff"
fi
# The benchmark table is make bench's output, copied by tools/readme-bench.sh, never edited by hand.
sed -n '/<!-- bench:begin -->/,/<!-- bench:end -->/p' "$README" | sed -n 2p |
    grep -Eq '^certslot benchmarks, [0-9]{4}-[0-9]{2}-[0-9]{2}, ' ||
    fail "README benchmark table is not make bench's output: run make bench, then tools/readme-bench.sh"
grep -q 'make demo' "$README" || fail "README does not show make demo"
grep -q 'make test' "$README" || fail "README does not show make test"
finish
