#!/usr/bin/env bash
# Runs one libFuzzer harness over its corpus for FUZZ_SECONDS (default 3):
#   tools/fuzz-run.sh build/fuzz/fuzz_config
# Seeds: tests/fuzz/corpus/<name>/ (committed) and, for the certificate
# harnesses, the test PKI made at test time. New inputs go to
# $FUZZ_WORK/<name>/ (default build/fuzz/corpus), crashes to
# $FUZZ_WORK/../artifacts/. Exit status non-zero on a crash, leak or timeout.
set -uo pipefail
f=$1
n=$(basename "$f")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=${FUZZ_WORK:-$here/build/fuzz/corpus}
mkdir -p "$work/$n" "$work/../artifacts"
seeds=()
[ -d "$here/tests/fuzz/corpus/$n" ] && seeds+=("$here/tests/fuzz/corpus/$n")
case $n in
    fuzz_cert | fuzz_pkcs12)
        [ -d "${CERTSLOT_TESTPKI:-}" ] && seeds+=("$CERTSLOT_TESTPKI")
        # Path building: each chain of the RFC 5280 PKI with its root last (the harness's trust anchor).
        if [ "$n" = fuzz_cert ] && [ -d "${CERTSLOT_TESTPKI:-}/rfc5280" ]; then
            for c in "$CERTSLOT_TESTPKI"/rfc5280/*.chain; do
                s="$work/$n/seed-path-$(basename "$c" .chain)"
                [ -f "$s" ] || cat "$c" "$CERTSLOT_TESTPKI/rfc5280/root.crt" >"$s"
            done
        fi
        ;;
    fuzz_name) # a name-length byte, the name, then a certificate of the test PKI as DER
        if [ -d "${CERTSLOT_TESTPKI:-}" ]; then
            for c in "$CERTSLOT_TESTPKI"/*.crt; do
                s="$work/$n/seed-$(basename "$c" .crt)"
                [ -f "$s" ] || { printf '\x0bserver.test'; openssl x509 -in "$c" -outform DER; } >"$s" 2>/dev/null
            done
        fi
        ;;
    fuzz_cfgcrypt) # a file encrypted with the harness's key, made by the tool when it is built
        t=$here/build/certslot
        if [ -x "$t" ] && [ ! -f "$work/$n/seed-encrypted" ]; then
            printf '<x sec.TLS.protocol.sip="TLSv1_0"/>' >"$work/$n/plain.cfg"
            "$t" encrypt --key 'Crypt=1;KeyDesc=fuzz;Key=00112233445566778899aabbccddeeff;' \
                "$work/$n/plain.cfg" "$work/$n/seed-encrypted" >/dev/null 2>&1 || true
            rm -f "$work/$n/plain.cfg"
        fi
        ;;
esac
exec "$f" -max_total_time="${FUZZ_SECONDS:-3}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/../artifacts/$n-" "$work/$n" "${seeds[@]}"
