#!/usr/bin/env bash
# The administrator's PKI commands against real OpenSSL: a root, an
# intermediate and leaves that `openssl verify` accepts, CSRs `openssl req
# -verify` accepts, oneline as `openssl enc -base64 -A`, PKCS#12 files made by
# OpenSSL split into matching key and certificate, and a CSR made in the
# handset's store, signed here and installed back.
. "$(dirname "$0")/../common/cli.sh"
case $TOOL in /*) ;; *) TOOL=$PWD/$TOOL ;; esac
cd "$T"
mode() { stat -c %a "$1"; }
pub() { openssl pkey -in "$1" -pubout; }

for c in "ca --help" "issue --help" "csr --help" "oneline --help" "pfx --help"; do
    run $c
    expect_rc 0
    expect_out "usage: certslot"
done

# Root CA, then an intermediate whose --out DIR/ca makes DIR a CA directory.
run ca create --cn "Admin Root CA" --out root
expect_rc 0
[ "$(mode root/ca.key)" = 600 ] || fail "root/ca.key mode $(mode root/ca.key), expected 600"
openssl x509 -in root/ca.crt -noout -text >root.txt
grep -A1 "Basic Constraints: critical" root.txt | grep -q "CA:TRUE" || fail "root lacks critical CA:TRUE"
grep -A1 "Key Usage: critical" root.txt | grep -q "Certificate Sign, CRL Sign" || fail "root key usage"
grep -q "Subject Key Identifier" root.txt || fail "root lacks SKI"
grep -q "sha256WithRSAEncryption" root.txt || fail "root not signed with SHA-256"
run ca create --cn "Another" --out root
expect_rc 1
expect_err "already holds a CA"
mkdir inter
run issue --ca root --cn "Admin Intermediate CA" --intermediate --out inter/ca
expect_rc 0
[ -f inter/ca-chain.pem ] || fail "no inter/ca-chain.pem"
openssl x509 -in inter/ca.crt -noout -text | grep -q "CA:TRUE, pathlen:0" || fail "intermediate lacks pathlen:0"

# Leaves under the intermediate: the chain file verifies up to the root.
run issue --ca inter --cn server.test --san www.server.test --san 10.1.2.3 --out server
expect_rc 0
[ "$(mode server.key)" = 600 ] || fail "server.key mode $(mode server.key), expected 600"
openssl verify -x509_strict -CAfile root/ca.crt -untrusted server-chain.pem server.crt >/dev/null 2>&1 ||
    fail "openssl verify refused root -> intermediate -> server"
[ "$(grep -c BEGIN server-chain.pem)" = 2 ] || fail "server-chain.pem should hold leaf + intermediate"
openssl x509 -in server.crt -noout -text >server.txt
grep -q "DNS:server.test, DNS:www.server.test, IP Address:10.1.2.3" server.txt || fail "SAN lacks the CN first"
grep -q "TLS Web Server Authentication" server.txt || fail "no serverAuth"
grep -q "Authority Key Identifier" server.txt || fail "no AKI"
run issue --ca inter --cn 192.0.2.7 --client --out ipclient
expect_rc 0
openssl x509 -in ipclient.crt -noout -text >ip.txt
grep -q "IP Address:192.0.2.7" ip.txt || fail "IP literal CN not an iPAddress SAN"
grep -q "TLS Web Client Authentication" ip.txt || fail "no clientAuth"
openssl verify -CAfile root/ca.crt -untrusted inter/ca.crt ipclient.crt >/dev/null 2>&1 || fail "ipclient does not verify"
s1=$(openssl x509 -in server.crt -noout -serial); s2=$(openssl x509 -in ipclient.crt -noout -serial)
s3=$(openssl x509 -in inter/ca.crt -noout -serial)
[ "$s1" != "$s2" ] && [ "$s1" != "$s3" ] && [ "$s2" != "$s3" ] || fail "serial numbers repeat"
[ ${#s1} -ge 23 ] || fail "serial $s1 is shorter than 64 bits"
run issue --ca inter --cn server.test --out server
expect_rc 1
expect_err "exists: refusing to overwrite"
run issue --ca nowhere --cn x --out x
expect_rc 2
expect_err "nowhere/ca.crt"

# CSR: OpenSSL accepts it; issue --csr signs it; a tampered CSR is refused.
run csr --cn handset-ab --o "ACME, Inc" --email it@example.com --c DE --st Bayern --out dev
expect_rc 0
[ "$(mode dev.key)" = 600 ] || fail "dev.key mode $(mode dev.key), expected 600"
openssl req -in dev.csr -verify -noout >/dev/null 2>&1 || fail "openssl req -verify refused the CSR"
openssl req -in dev.csr -noout -text | grep -q "sha256WithRSAEncryption" || fail "CSR not SHA-256"
openssl req -in dev.csr -noout -subject | grep -q 'O = "ACME, Inc", CN = handset-ab' || fail "CSR subject"
run issue --ca inter --csr dev.csr --client --out devcert
expect_rc 0
[ ! -e devcert.key ] || fail "issue --csr wrote a key"
diff <(pub dev.key) <(openssl x509 -in devcert.crt -noout -pubkey) >/dev/null || fail "certificate is not for the CSR's key"
openssl verify -CAfile root/ca.crt -untrusted devcert-chain.pem devcert.crt >/dev/null 2>&1 || fail "devcert does not verify"
openssl req -in dev.csr -outform DER -out bad.der
# One signature byte flipped (setting it to a fixed value left it unchanged once in 256 runs).
off=$(($(stat -c %s bad.der) - 5))
byte=$(od -An -tu1 -j "$off" -N1 bad.der)
printf "\\$(printf '%03o' $((byte ^ 0xff)))" | dd of=bad.der bs=1 seek="$off" conv=notrunc status=none
cmp -s <(openssl req -in dev.csr -outform DER) bad.der && fail "bad.der was not changed"
run issue --ca inter --csr bad.der --out badcert
expect_rc 1
expect_err "bad.der: the CSR's signature does not verify"
run issue --ca inter --csr dev.csr --cn someone-else --out other
expect_rc 1
expect_err "the CSR asks for CN=handset-ab"

# oneline: exactly openssl enc -base64 -A of the DER, from PEM or DER; a chain is refused.
openssl x509 -in server.crt -outform DER -out server.der
want=$(openssl enc -base64 -A -in server.der)
run oneline server.crt
expect_rc 0
[ "$(cat "$OUT")" = "$want" ] || fail "oneline of PEM differs from openssl enc -base64 -A"
run oneline server.der
[ "$(cat "$OUT")" = "$want" ] || fail "oneline of DER differs from openssl enc -base64 -A"
run oneline server-chain.pem
expect_rc 1
expect_err "server-chain.pem: holds 2 certificates"
run oneline missing.pem
expect_rc 2
expect_err "cannot read missing.pem"

# PKCS#12 from OpenSSL: defaults and -legacy split into a matching key and certificate.
openssl pkcs12 -export -inkey server.key -in server.crt -certfile inter/ca.crt -passout pass:s3cret -out d.pfx
openssl pkcs12 -export -legacy -inkey server.key -in server.crt -certfile inter/ca.crt -passout pass:s3cret \
    -out l.pfx 2>/dev/null || fail "openssl pkcs12 -export -legacy failed (legacy provider missing?)"
for f in d l; do
    run pfx split --in $f.pfx --pass s3cret --out $f
    expect_rc 0
    [ "$(mode $f.key)" = 600 ] || fail "$f.key mode $(mode $f.key), expected 600"
    diff <(pub $f.key) <(openssl x509 -in $f.crt -noout -pubkey) >/dev/null || fail "$f: key and certificate differ"
    diff <(pub $f.key) <(pub server.key) >/dev/null || fail "$f: not the original key"
    cmp -s <(openssl x509 -in $f-chain.pem) <(openssl x509 -in inter/ca.crt) || fail "$f: chain is not the intermediate"
done
# The password from a file or standard input: never on the command line.
printf 's3cret\n' >pass.txt
run pfx split --in d.pfx --pass @pass.txt --out f1
expect_rc 0
run pfx split --in d.pfx --pass - --out f2 <<<'s3cret'
expect_rc 0
cmp -s f1.key f2.key && cmp -s f1.key d.key || fail "pfx split --pass @FILE / - gave another key"
run pfx split --in d.pfx --pass @nowhere.txt --out f3
expect_rc 2
expect_err "--pass: cannot read nowhere.txt"
run pfx split --in d.pfx --pass wrong --out w
expect_rc 1
expect_err "d.pfx: the MAC does not verify: wrong password"
[ ! -e w.key ] || fail "wrong password left a key file"
run pfx split --in server.crt --pass s3cret --out w
expect_rc 1
expect_err "PKCS#12 files are binary"

# On the handset: a CSR from the store, signed by the admin CA, installed back.
run store --dir st csr platform1 --cn handset-0004f2a1b2c3 --o "ACME"
expect_rc 0
expect_out "-----BEGIN CERTIFICATE REQUEST-----"
cp "$OUT" hs.csr
openssl req -in hs.csr -verify -noout >/dev/null 2>&1 || fail "openssl req -verify refused the store's CSR"
run store --dir st list
expect_out "platform1 device (private key awaiting its certificate)"
run issue --ca inter --csr hs.csr --client --out hs
expect_rc 0
run store --dir st install platform1 device server.crt
expect_rc 1
expect_err "does not match"
run store --dir st install platform1 device hs-chain.pem
expect_rc 0
expect_out "installed into platform1 device: 2 certificates, first CN=handset-0004f2a1b2c3, with private key"
run store --dir st list
expect_out 'platform1 device subject="handset-0004f2a1b2c3" issuer="Admin Intermediate CA"'
expect_out 'platform1 chain subject="Admin Intermediate CA"'
run store --dir st csr platform1 --cn again
expect_rc 1
expect_err "holds a device certificate"

finish
