#!/usr/bin/env bash
# certslot verify and certslot connect: the firmware's verification policy and
# an application's profile, from the command line, against real OpenSSL.
. "$(dirname "$0")/../common/cli.sh"
PKI=${CERTSLOT_TESTPKI:?}

# ---- verify ----
V="verify --trust $PKI/root-rsa.crt --untrusted $PKI/inter.crt"
run $V --name server.test "$PKI/server.crt"
expect_rc 0
expect_out "accepted: server.test"
run $V --name SERVER.TEST. "$PKI/server.crt"
expect_rc 0
run $V --name other.test "$PKI/server.crt"
expect_rc 1
expect_err "refused: name 'other.test' is not in the certificate (CN=server.test; SAN DNS:server.test, IP:127.0.0.1)"
run $V "$PKI/server.crt"
expect_rc 1
expect_err "refused: no server name is configured"
run $V --no-name-check "$PKI/server.crt"
expect_rc 0
expect_out "(name not checked)"
run $V --ip 127.0.0.1 "$PKI/server.crt"
expect_rc 0
run $V --ip 10.0.0.1 "$PKI/server.crt"
expect_rc 1
run $V --ip server.test "$PKI/server.crt"
expect_rc 2
run $V --name server.test --time 2001-01-01 "$PKI/server.crt"
expect_rc 1
expect_err "is not valid before"
run $V --name server.test --time 2999-01-01T00:00:00Z "$PKI/server.crt"
expect_rc 1
expect_err "expired on"
run $V --name server.test --time yesterday "$PKI/server.crt"
expect_rc 2
run verify --trust "$PKI/root-ec.crt" --untrusted "$PKI/inter.crt" --name server.test "$PKI/server.crt"
expect_rc 1
expect_err "is not issued by a CA this profile trusts"
run verify --trust "$PKI/root-rsa.crt" --name server.test "$PKI/server-sha1.crt"
expect_rc 1
expect_err "weaker than SHA-256"
run verify --trust "$PKI/root-rsa.crt" --name server.test --allow-weak "$PKI/server-sha1.crt"
expect_rc 0
run verify --trust "$PKI/root-rsa.crt" --name server.test "$PKI/server-rsa1024.crt"
expect_rc 1
expect_err "weak key"
run verify --trust "$PKI/root-rsa.crt" --untrusted "$PKI/inter-noca.crt" --name server.test "$PKI/server-noca.crt"
expect_rc 1
expect_err "refused: intermediate certificate 'certslot Test Not-A-CA' is not a CA (basicConstraints CA:false)"
# Leaves RFC 5280 forbids, for a server and for a client: a CA, and keyCertSign without cA=TRUE.
for purpose in server client; do
    run verify --trust "$PKI/root-rsa.crt" --name server.test --purpose $purpose "$PKI/server-ca.crt"
    expect_rc 1
    expect_err "refused: certificate 'server.test' is a CA (basicConstraints cA=TRUE), not a $purpose certificate"
    run verify --trust "$PKI/root-rsa.crt" --name server.test --purpose $purpose "$PKI/server-kcs.crt"
    expect_rc 1
    expect_err "refused: certificate 'server.test' asserts keyCertSign without being a CA"
done
# A CN with terminal control bytes and a line feed: one escaped line, in the reason and in the store's list.
run verify --trust "$PKI/root-rsa.crt" --name other.test "$PKI/server-evil.crt"
expect_rc 1
expect_err "(CN=evil\x1b[2J\x0aforged: line\x07; SAN"
[ "$(wc -l <"$ERR")" -eq 1 ] || fail "the reason is not one line"
grep -q $'\e' "$ERR" && fail "a raw ESC reached the terminal"
"$TOOL" store --dir "$T/evil" install application1 ca "$PKI/server-evil.crt" >/dev/null 2>&1
run store --dir "$T/evil" list
expect_rc 0
expect_out 'application1 ca subject="evil\x1b[2J\x0aforged: line\x07"'
grep -q $'\e' "$OUT" && fail "a raw ESC reached the terminal"
[ "$(wc -l <"$OUT")" -eq 1 ] || fail "the list is not one line per certificate"
# --max-depth counts intermediates, as OpenSSL's -verify_depth: this path has one.
run $V --name server.test --max-depth 1 "$PKI/server.crt"
expect_rc 0
run $V --name server.test --max-depth 0 "$PKI/server.crt"
expect_rc 1
expect_err "the path needs more intermediate certificates than the limit of 0"
# RFC 5280 (tests/unit/test_rfc5280.c has every rule; here the tool's exit codes and reasons).
R=$PKI/rfc5280
run verify --trust "$R/root.crt" --untrusted "$R/nc-dns-soft.crt" --name evil.example.com "$R/nc-soft-bad.crt"
expect_rc 1
expect_err "refused: the name constraints of 'NC DNS soft' do not permit DNS:evil.example.com of certificate 'server.test'"
run verify --trust "$R/root.crt" --untrusted "$R/int1.crt" --untrusted "$R/int2.crt" --name server.test "$R/order.crt"
expect_rc 0
run verify --trust "$R/root.crt" --untrusted "$R/int-crit.crt" --name server.test "$R/crit.crt"
expect_rc 1
expect_err "'Unknown critical' has a critical extension certslot does not process (1.3.6.1.4.1.55555.1)"
run verify --trust "$R/root-sha1.crt" --name server.test "$R/under-sha1.crt"
expect_rc 0
# A chain in the peer file itself, and the purpose of the certificate.
run verify --trust "$PKI/root-rsa.crt" --name server.test "$PKI/server-chain.pem"
expect_rc 0
run $V --name server.test --purpose client "$PKI/server.crt"
expect_rc 1
expect_err "not for a TLS client"
run verify --trust "$PKI/root-rsa.crt" --purpose client --name handset-0004f2a1b2c3 "$PKI/device.crt"
expect_rc 0
# The built-in list: a public root from Debian's bundle is trusted with --builtin only.
bundle=${CERTSLOT_BUILTIN_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
awk '/BEGIN CERT/{c=""} {c=c $0 "\n"} /END CERT/{n++; if (c ~ /MIIFazCCA1OgAwIBAgIRAIIQz7DSQONZRGPgu2OCiwAwDQYJKoZIhvcNAQELBQAw/) {printf "%s", c; exit}}' \
    "$bundle" >"$T/isrg.pem"
[ -s "$T/isrg.pem" ] || fail "ISRG Root X1 not found in $bundle"
# (No leaf under a public root can be made at test time, so the root itself is the peer: trusted through the
# built-in list, it is then refused only for being a CA presented as the server.)
run verify --builtin --no-name-check "$T/isrg.pem"
expect_rc 1
expect_err "refused: certificate 'ISRG Root X1' is a CA (basicConstraints cA=TRUE), not a server certificate"
run verify --trust "$PKI/root-rsa.crt" --no-name-check "$T/isrg.pem"
expect_rc 1
expect_err "is not issued by a CA this profile trusts"
run verify --name server.test "$PKI/server.crt"
expect_rc 2
run verify --trust "$T/nope.pem" --name server.test "$PKI/server.crt"
expect_rc 2
run verify --help
expect_rc 0

# ---- connect, against openssl s_server ----
for try in 1 2 3 4 5 6 7 8; do
    port=$((20000 + (RANDOM % 40000)))
    openssl s_server -www -no_tls1_3 -accept "127.0.0.1:$port" -cert "$PKI/server.crt" -key "$PKI/server.key" \
        -cert_chain "$PKI/inter.crt" </dev/null >"$T/server.log" 2>&1 &
    spid=$!
    for i in $(seq 100); do grep -q ACCEPT "$T/server.log" 2>/dev/null && break; sleep 0.05; done
    grep -q ACCEPT "$T/server.log" && break
    kill $spid 2>/dev/null; wait $spid 2>/dev/null
done
trap 'kill $spid 2>/dev/null' EXIT
grep -q ACCEPT "$T/server.log" || fail "openssl s_server did not start: $(cat "$T/server.log")"

# The provisioning application on platform profile 2, trusting only platform CA slot 2.
cat >"$T/prov.cfg" <<X
<x device.set="1"
   device.sec.TLS.customCaCert2="$(cat "$PKI/root-rsa.der.b64")" device.sec.TLS.customCaCert2.set="1"
   device.sec.TLS.profileSelection.provisioning="PlatformProfile2" device.sec.TLS.profileSelection.provisioning.set="1"
   device.sec.TLS.profile.caCertList2="Platform2" device.sec.TLS.profile.caCertList2.set="1"
   sec.TLS.profileSelection.SIP="ApplicationProfile5" sec.TLS.profile.5.caCert.defaultList="0"
   sec.TLS.profile.5.caCert.platform2="0"/>
X
run store --dir "$T/store" apply "$T/prov.cfg"
expect_rc 0
run connect --dir "$T/store" --app provisioning --name server.test "127.0.0.1:$port"
expect_rc 0
expect_out "application: provisioning (PlatformProfile2, strict name check on)"
expect_out "protocol: TLSv1.2"
expect_out "peer 0: server.test (issuer certslot Test Intermediate CA)"
expect_out "verdict: verified"
run connect --dir "$T/store" --app provisioning --name wrong.test "127.0.0.1:$port"
expect_rc 1
expect_out "verdict: refused: name 'wrong.test' is not in the certificate"
# The IP the handset connects to is the name when none is configured: 127.0.0.1 is in the SAN.
run connect --dir "$T/store" --app provisioning "127.0.0.1:$port"
expect_rc 0
# dot1x on platform profile 1 (default: All = built-in list + both platform slots) also trusts slot 2.
run connect --dir "$T/store" --app dot1x --name server.test "127.0.0.1:$port"
expect_rc 0
# SIP on application profile 5, which trusts neither the built-in list nor slot 2: fails closed.
run connect --dir "$T/store" --app sip --name server.test "127.0.0.1:$port"
expect_rc 1
expect_err "ApplicationProfile5 trusts no CA"
# browser on platform profile 1 with the strict check off: a wrong name passes, with a warning.
cat >"$T/off.cfg" <<X
<x sec.TLS.browser.strictCertCommonNameValidation="0"/>
X
run store --dir "$T/store" apply "$T/off.cfg"
run connect --dir "$T/store" --app browser --name wrong.test "127.0.0.1:$port"
expect_rc 0
expect_err "strict name check is off"
run connect --dir "$T/store" --app nonsense "127.0.0.1:$port"
expect_rc 2
run connect --dir "$T/store" --app sip 127.0.0.1
expect_rc 2
# Keys mbedTLS cannot use are named, in verify and in the store.
run verify --trust "$PKI/root-rsa.crt" --no-name-check "$PKI/key-ed25519.crt"
expect_rc 1 # a verdict: read, but not a certificate certslot can accept
expect_err "certificate 1 has an Ed25519 key, which the TLS library (mbedTLS 3.6) cannot use: only RSA and EC keys"
run store --dir "$T/keys-store" install application1 ca "$PKI/key-RSA-PSS.crt"
expect_rc 1
expect_err "application1 ca: refused: certificate 1 has an RSASSA-PSS key (id-RSASSA-PSS), which the TLS library"
finish
