#!/usr/bin/env bash
# certslot --version names certslot's version and the mbedTLS it was built with (3.6 LTS).
. "$(dirname "$0")/../common/cli.sh"
run --version
expect_rc 0
expect_out "certslot 0."
expect_out "(mbedTLS 3.6."
run version
expect_rc 0
expect_out "(mbedTLS 3.6."
run --help
expect_out "certslot --version"
finish
