#!/usr/bin/env bash
# certslot lint: the certificate checks, each problem at its parameter's
# file:line:col. Expired and expiring certificates are made here with openssl.
. "$(dirname "$0")/../common/cli.sh"
PKI=${CERTSLOT_TESTPKI:?}
ossl() { openssl "$@" 2>/dev/null; }

# An expired certificate (2020-2021) via `openssl ca`, one expiring in 10 days,
# one whose CN is not in its SAN: all under the test root.
: >"$T/index.txt"
echo 01 >"$T/serial"
cat >"$T/ca.cnf" <<X
[ca]
default_ca = d
[d]
database = $T/index.txt
new_certs_dir = $T
serial = $T/serial
default_md = sha256
policy = p
unique_subject = no
[p]
commonName = supplied
X
ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/leaf.key"
for n in expired expiring nosan; do
    ossl req -new -key "$T/leaf.key" -subj "/CN=$n.test" -out "$T/$n.csr"
done
ossl ca -batch -notext -config "$T/ca.cnf" -cert "$PKI/root-rsa.crt" -keyfile "$PKI/root-rsa.key" \
    -startdate 20200101000000Z -enddate 20210101000000Z -in "$T/expired.csr" -out "$T/expired.crt"
ossl x509 -req -in "$T/expiring.csr" -CA "$PKI/root-rsa.crt" -CAkey "$PKI/root-rsa.key" -CAcreateserial \
    -days 10 -sha256 -out "$T/expiring.crt"
printf 'subjectAltName=DNS:other.test\n' >"$T/san.ext"
ossl x509 -req -in "$T/nosan.csr" -CA "$PKI/root-rsa.crt" -CAkey "$PKI/root-rsa.key" -CAcreateserial \
    -days 100 -sha256 -extfile "$T/san.ext" -out "$T/nosan.crt"
for n in expired expiring nosan; do [ -s "$T/$n.crt" ] || fail "openssl did not make $n.crt"; done

pem() { sed 's/$/\&#10;/' "$@" | tr -d '\n'; }
cat >"$T/certs.cfg" <<X
<site device.set="1">
<a sec.TLS.customCaCert.1="$(pem "$T/expired.crt")"/>
<a sec.TLS.customCaCert.2="$(pem "$T/expiring.crt")"/>
<a sec.TLS.customCaCert.3="$(pem "$PKI/weak-sha1.crt")"/>
<a sec.TLS.customCaCert.4="$(pem "$T/nosan.crt")"/>
<a sec.TLS.customCaCert.5="QUJDREVGR0hJSktM"/>
<a sec.TLS.customDeviceCert.1="$(pem "$PKI/server.crt" "$PKI/root-rsa.crt" "$PKI/inter.crt")"/>
<a sec.TLS.customDeviceCert.2="$(pem "$PKI/device.crt" "$PKI/inter.crt")"/>
<a sec.TLS.customDeviceCert.3="$(pem "$PKI/device.crt")"
   sec.TLS.customDeviceKey.3="$(pem "$PKI/other.key")"/>
<a device.sec.TLS.customCaCert1="$(cat "$PKI/root-rsa.der.b64")" device.sec.TLS.customCaCert1.set="1"
   device.sec.TLS.customCaCert2="$(cat "$PKI/weak-rsa1024.crt")" device.sec.TLS.customCaCert2.set="0"/>
</site>
X
run lint "$T/certs.cfg"
expect_rc 1
expect_out "certs.cfg:2:4: error: sec.TLS.customCaCert.1: certificate 1 (CN=expired.test) expired on 2021-01-01T00:00:00Z"
expect_out "certs.cfg:3:4: warning: sec.TLS.customCaCert.2: certificate 1 (CN=expiring.test) expires on"
expect_out "certs.cfg:4:4: error: sec.TLS.customCaCert.3: certificate 1 (CN=weak sha1) is refused by the security policy: signed with SHA-1"
expect_out "certs.cfg:5:4: warning: sec.TLS.customCaCert.4: certificate 1: its CN 'nosan.test' is not in its subjectAltName"
expect_out "certs.cfg:6:4: error: sec.TLS.customCaCert.5: cannot be decoded"
expect_out "certs.cfg:7:4: warning: sec.TLS.customDeviceCert.1: chain out of order: certificate 1 (CN=server.test) is followed by CN=certslot Test Root CA, but its issuer is certificate 3"
expect_out "certs.cfg:8:4: error: sec.TLS.customDeviceCert.2: broken chain: certificate 2 (CN=certslot Test Intermediate CA) is not the issuer of certificate 1 (CN=handset-0004f2a1b2c3"
expect_out "certs.cfg:10:4: error: sec.TLS.customDeviceKey.3: the private key does not match the device certificate (CN=handset-0004f2a1b2c3)"
# What is fine, or does not apply (its .set is 0), is not reported.
expect_no_out "customCaCert1"
expect_no_out "customCaCert2:"
expect_no_out "server.test) expire"
[ "$(grep -c 'sec.TLS.customCaCert.4' "$OUT")" -eq 1 ] || fail "nosan.test: only the SAN warning expected"

# --server-cert: device.prov.serverName (host part of a URL) under the strict name check.
prov() { # serverName strict
    cat >"$T/prov.cfg" <<X
<p device.set="1" device.prov.serverName="$1" device.prov.serverName.set="1"
   device.sec.TLS.prov.strictCertCommonNameValidation="$2" device.sec.TLS.prov.strictCertCommonNameValidation.set="1"/>
X
    run lint --server-cert "$PKI/server.crt" "$T/prov.cfg"
}
prov "https://user:pw@server.test:443/cfg" 1
expect_rc 0
expect_out_exactly ""
prov "127.0.0.1/cfg" 1
expect_rc 0
prov "jb-serv" 1
expect_rc 1
expect_out "prov.cfg:1:19: error: device.prov.serverName: the provisioning server certificate"
expect_out "does not name 'jb-serv'"
prov "ftps://SERVER.TEST.example:990" 1
expect_rc 1
prov "jb-serv" 0
expect_rc 0
expect_out "warning: device.prov.serverName:"
expect_out "strictCertCommonNameValidation is 0"
run lint --server-cert "$T/nope.crt" "$T/prov.cfg"
expect_rc 2

# The seed-001 file: the typo is still found, and its pasted 802.1X CA is expired. It is SHA-1 self-signed, which
# is no reason: a trust anchor's self-signature is never checked (parameters.md, security policy).
run lint "$DATA/seed001/wireless.cfg"
expect_rc 1
expect_out "wireless.cfg:20:5: warning: unknown parameter 'device.sec.TLS.cusomCaCert2.set'"
expect_out "wireless.cfg:11:5: error: device.sec.TLS.customCaCert1: certificate 1 (CN=eslab-SOJOURNER-CA) expired on 2017-01-22T00:41:48Z"
expect_no_out "signed with SHA-1"
finish
