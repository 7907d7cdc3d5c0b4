#!/usr/bin/env bash
# Makes the test PKI with OpenSSL, at test time, into DIR (nothing here is
# committed: no key, no certificate). Idempotent: DIR/.done marks a finished run.
#
#   tests/pki/make-pki.sh DIR
#
# root-rsa      RSA 2048 root CA           root-ec     EC P-256 root CA
# inter         RSA 2048 intermediate CA (under root-rsa, pathlen 0)
# server        RSA 2048 leaf under inter, CN server.test, SAN server.test + 127.0.0.1
# server-ec     EC P-256 leaf under root-ec, the same names (ECDSA handshakes: make bench)
# server-sha1, server-rsa1024   leaves under root-rsa the verification policy refuses
# server-noca   leaf under inter-noca, a CA:false "intermediate" under root-rsa
# server-ca, server-kcs   leaves under root-rsa that are a CA / assert keyCertSign without being one
# server-evil   leaf under root-rsa whose CN holds ESC, LF and BEL
# device        RSA 2048 client cert under root-rsa; key as PKCS#8 (device.key)
#               and PKCS#1 (device-pkcs1.key); device.enc.key / device.legacy-enc.key encrypted
# device-ec     EC P-256 client cert under root-ec; key as SEC1 (device-ec.key) and PKCS#8
# weak-*        self-signed certificates the policy refuses: RSA 1024, SHA-1, RSA 4104, EC P-521
# ec384         self-signed EC P-384 (accepted)
# device.pfx, device-legacy.pfx, device-ec.pfx   PKCS#12 of device / device-ec (password pfx-secret)
# other.key     an RSA key that matches nothing
# dh-1024, dh-2048, dh-8192   Diffie-Hellman groups for DHE servers (below, at and above what a profile takes)
# rfc5280/      the RFC 5280 conformance PKI of tests/unit/test_rfc5280.c (tests/pki/make-rfc5280.sh)
set -euo pipefail
out=${1:?usage: make-pki.sh DIR}
[ -f "$out/.done" ] && exit 0
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
cd "$out"
rm -f ./*.key ./*.crt ./*.pem ./*.der ./*.srl ./*.ext ./*.b64

ossl() { openssl "$@" 2>/dev/null; }
rsa() { ossl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$1"; }
ec() { ossl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:$2" -out "$1"; }

cat >inter.ext <<'X'
basicConstraints=critical,CA:true,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
X
cat >server.ext <<'X'
basicConstraints=CA:false
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:server.test,IP:127.0.0.1
X
cat >client.ext <<'X'
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
X

selfsigned() { # name key-file subject [digest]
    ossl req -x509 -new -key "$2" -subj "$3" -days 3650 -"${4:-sha256}" -extensions v3_ca \
        -addext "basicConstraints=critical,CA:true" -out "$1.crt"
}
issue() { # name key-file subject issuer ext-file
    ossl req -new -key "$2" -subj "$3" -out "$1.csr"
    ossl x509 -req -in "$1.csr" -CA "$4.crt" -CAkey "$4.key" -CAcreateserial -days 825 -sha256 \
        -extfile "$5" -out "$1.crt"
    rm -f "$1.csr"
}

rsa root-rsa.key 2048
ossl req -x509 -new -key root-rsa.key -subj "/O=certslot tests/CN=certslot Test Root CA" -days 3650 -sha256 \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out root-rsa.crt
ec root-ec.key P-256
ossl req -x509 -new -key root-ec.key -subj "/O=certslot tests/CN=certslot Test EC Root CA" -days 3650 -sha256 \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out root-ec.crt

rsa inter.key 2048
issue inter inter.key "/O=certslot tests/CN=certslot Test Intermediate CA" root-rsa inter.ext

rsa server.key 2048
issue server server.key "/O=certslot tests/CN=server.test" inter server.ext
cat server.crt inter.crt >server-chain.pem
ec server-ec.key P-256
issue server-ec server-ec.key "/O=certslot tests/CN=server.test" root-ec server.ext

# Server certificates the verification policy refuses, under the trusted root.
rsa server-sha1.key 2048
ossl req -new -key server-sha1.key -subj "/O=certslot tests/CN=server.test" -out server-sha1.csr
ossl x509 -req -in server-sha1.csr -CA root-rsa.crt -CAkey root-rsa.key -CAcreateserial -days 825 -sha1 \
    -extfile server.ext -out server-sha1.crt
rm -f server-sha1.csr
rsa server-rsa1024.key 1024
issue server-rsa1024 server-rsa1024.key "/O=certslot tests/CN=server.test" root-rsa server.ext
cat >noca.ext <<'X'
basicConstraints=critical,CA:false
keyUsage=critical,digitalSignature,keyCertSign
X
rsa inter-noca.key 2048
issue inter-noca inter-noca.key "/O=certslot tests/CN=certslot Test Not-A-CA" root-rsa noca.ext
rsa server-noca.key 2048
issue server-noca server-noca.key "/O=certslot tests/CN=server.test" inter-noca server.ext
cat server-noca.crt inter-noca.crt >server-noca-chain.pem

# Leaves RFC 5280 forbids (issue 11): a CA presented as the server, and keyCertSign without cA=TRUE.
cat >leaf-ca.ext <<'X'
basicConstraints=critical,CA:true
keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:server.test,IP:127.0.0.1
X
cat >leaf-kcs.ext <<'X'
basicConstraints=CA:false
keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:server.test,IP:127.0.0.1
X
rsa server-ca.key 2048
issue server-ca server-ca.key "/O=certslot tests/CN=server.test" root-rsa leaf-ca.ext
rsa server-kcs.key 2048
issue server-kcs server-kcs.key "/O=certslot tests/CN=server.test" root-rsa leaf-kcs.ext
# A CN that would forge log lines and drive a terminal (issue 11): ESC, a line feed, BEL.
ossl req -new -key server-kcs.key -utf8 -subj $'/O=certslot tests/CN=evil\e[2J\nforged: line\a' -out evil.csr
ossl x509 -req -in evil.csr -CA root-rsa.crt -CAkey root-rsa.key -CAcreateserial -days 825 -sha256 \
    -extfile server.ext -out server-evil.crt
rm -f evil.csr

rsa device.key 2048
issue device device.key "/O=certslot tests/CN=handset-0004f2a1b2c3" root-rsa client.ext
ossl rsa -in device.key -traditional -out device-pkcs1.key
ossl pkcs8 -topk8 -in device.key -v2 aes-256-cbc -passout pass:secret -out device.enc.key
ossl rsa -in device.key -traditional -aes256 -passout pass:secret -out device.legacy-enc.key

ec device-ec.p8.key P-256
ossl ec -in device-ec.p8.key -out device-ec.key
issue device-ec device-ec.p8.key "/O=certslot tests/CN=handset-ec" root-ec client.ext

rsa other.key 2048

rsa weak-rsa1024.key 1024
selfsigned weak-rsa1024 weak-rsa1024.key "/CN=weak rsa1024"
# A SHA-1 signature a path would check (a CA issued by root-rsa with SHA-1): refused. A SHA-1 self-signed root:
# its self-signature is never checked, so it is accepted (seed 001's sample root is one).
rsa weak-sha1.key 2048
ossl req -new -key weak-sha1.key -subj "/CN=weak sha1" -out weak-sha1.csr
printf 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n' >weak-sha1.ext
ossl x509 -req -in weak-sha1.csr -CA root-rsa.crt -CAkey root-rsa.key -CAcreateserial -days 825 -sha1 \
    -extfile weak-sha1.ext -out weak-sha1.crt
rm -f weak-sha1.csr
rsa root-sha1.key 2048
selfsigned root-sha1 root-sha1.key "/O=certslot tests/CN=certslot Test SHA-1 Root CA" sha1
rsa weak-rsa4104.key 4104
selfsigned weak-rsa4104 weak-rsa4104.key "/CN=weak rsa4104"
ec weak-p521.key P-521
selfsigned weak-p521 weak-p521.key "/CN=weak p521"
ec ec384.key P-384
selfsigned ec384 ec384.key "/CN=ec384"

# Keys mbedTLS 3.6 cannot use: refused with their type named (EdDSA signs without a separate digest).
for k in ed25519 ed448 RSA-PSS; do
    ossl genpkey -algorithm "$k" -out "key-$k.key"
    ossl req -x509 -new -key "key-$k.key" -subj "/CN=key $k" -days 3650 -out "key-$k.crt"
done

# PKCS#12 files (password pfx-secret): OpenSSL 3 defaults (PBES2 AES-256-CBC, SHA-256 MAC),
# -legacy (RC2-40 certificates, 3DES key, SHA-1 MAC), and EC with clear certificates, 3DES, SHA-384 MAC.
ossl pkcs12 -export -inkey device.key -in device.crt -certfile root-rsa.crt -passout pass:pfx-secret -out device.pfx
ossl pkcs12 -export -legacy -inkey device.key -in device.crt -certfile root-rsa.crt -passout pass:pfx-secret \
    -out device-legacy.pfx
ossl pkcs12 -export -inkey device-ec.p8.key -in device-ec.crt -certpbe NONE -keypbe PBE-SHA1-3DES -macalg sha384 \
    -passout pass:pfx-secret -out device-ec.pfx

# Encodings of root-rsa.crt the config accepts.
ossl x509 -in root-rsa.crt -outform DER -out root-rsa.der
openssl enc -base64 -A -in root-rsa.der -out root-rsa.der.b64
openssl enc -base64 -A -in root-rsa.crt -out root-rsa.pem.b64
# DHE groups: 1024 bits (PKCS#3, as s_server takes them), RFC 7919's ffdhe2048 and ffdhe8192.
ossl dhparam -out dh-1024.pem 1024
ossl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out dh-2048.pem
ossl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe8192 -out dh-8192.pem
rm -f ./*.ext ./*.srl
rm -rf rfc5280
"$here/make-rfc5280.sh" rfc5280
touch .done
