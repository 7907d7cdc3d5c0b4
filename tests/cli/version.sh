#!/usr/bin/env bash
# certslot --version names certslot's version, the one certslot/version.h declares, and the mbedTLS it was built
# with (3.6 LTS).
. "$(dirname "$0")/../common/cli.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
h=$root/firmware/include/certslot/version.h
want=$(sed -n 's/^#define CERTSLOT_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' "$h" | paste -sd.)
LAST="$h"
[ "$(grep -c '^#define CERTSLOT_VERSION_\(MAJOR\|MINOR\|PATCH\) ' "$h")" -eq 3 ] || fail "not one MAJOR, MINOR, PATCH"
grep -qx "#define CERTSLOT_VERSION \"$want\"" "$h" || fail "CERTSLOT_VERSION is not \"$want\" (MAJOR.MINOR.PATCH)"
run --version
expect_rc 0
expect_out_exactly "certslot $want (mbedTLS $(sed -n 's/^#define MBEDTLS_VERSION_STRING  *"\(3\.6\.[0-9]*\)"/\1/p' \
    "$root/build/mbedtls-src/include/mbedtls/build_info.h"))"
run version
expect_rc 0
expect_out "(mbedTLS 3.6."
run --help
expect_out "certslot --version"
# CHANGELOG.md has an entry for this version, below Unreleased.
LAST="CHANGELOG.md"
grep -q "^## \[$want\] - [0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}$" "$root/CHANGELOG.md" || fail "no '## [$want] - DATE' entry"
grep -q '^## \[Unreleased\]$' "$root/CHANGELOG.md" || fail "no '## [Unreleased]' section"
finish
