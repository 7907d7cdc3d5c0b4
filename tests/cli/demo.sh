#!/usr/bin/env bash
# make demo keeps working: the same script with the host build of the handset.
. "$(dirname "$0")/../common/cli.sh"
handset=$(dirname "$TOOL")/host/handset
[ -x "$handset" ] || handset=$(dirname "$TOOL")/../host/handset
RC=0
"$(dirname "$0")/../../tools/demo.sh" "$TOOL" "$handset" >"$OUT" 2>"$ERR" || RC=$?
LAST="tools/demo.sh"
expect_rc 0
expect_out "[PASS] CA installed from URL: installed into platform2 ca"
expect_out "[PASS] provisioning applied: applied 3 files"
expect_out "platform1    device handset-0004f2a1b2c3"
expect_out "client certificate handset-0004f2a1b2c3"
expect_out "as 'sip.demo.test': TLSv1.3, " # the negotiated version, shown: TLS 1.3 with mutual TLS
expect_out "as 'prov.demo.test': TLSv1.3, " # nginx with Debian's ssl_protocols
expect_out "refused as it must be: name 'wrong.demo.test' is not in the certificate"
expect_out "GET /ca.crt: HTTP/1.1 200 OK"
expect_out "browser to 127.0.0.1:"
expect_out "as 'www.elsewhere.test': refused as it must be: name 'www.elsewhere.test' is not in the certificate"
expect_out "== summary: 8 passed, 0 failed"
finish
