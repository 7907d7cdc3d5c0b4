#!/usr/bin/env bash
# The RFC 5280 conformance PKI (tests/unit/test_rfc5280.c), made at test time with the OpenSSL CLI:
#
#   tests/pki/make-rfc5280.sh OUT_DIR
#
# Every certificate is NAME.crt with its key NAME.key (EC P-256, quick to make). Chains a server sends are
# NAME.chain (PEM, in the order given). The trust anchors are root.crt (and the other roots named below).
set -euo pipefail
out=$1
mkdir -p "$out"
cd "$out"

ossl() { openssl "$@" 2>/dev/null; }
key() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }
CA="basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid"
LEAF="basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth"

# cert NAME ISSUER SUBJECT DAYS EXTENSIONS... (ISSUER "-": self-signed; a NAME.key that exists is reused)
cert() {
    local name=$1 issuer=$2 subj=$3 days=$4
    shift 4
    [ -f "$name.key" ] || key "$name"
    { echo "[v3]"; printf '%s\n' "$@"; echo "[dir_sect]"; echo "O=certslot tests"; } >"$name.ext"
    ossl req -new -key "$name.key" -subj "$subj" -out "$name.csr"
    if [ "$issuer" = - ]; then
        ossl x509 -req -in "$name.csr" -signkey "$name.key" -days "$days" -sha256 -extfile "$name.ext" \
            -extensions v3 -out "$name.crt"
    else
        ossl x509 -req -in "$name.csr" -CA "$issuer.crt" -CAkey "$issuer.key" -CAcreateserial -days "$days" -sha256 \
            -extfile "$name.ext" -extensions v3 -out "$name.crt"
    fi
    rm -f "$name.csr" "$name.ext"
    [ -s "$name.crt" ] || { echo "make-rfc5280: $name was not made" >&2; exit 1; }
}
chain() { # NAME LEAF CERT... : what a server sends, in this order (NAME.rest: after the leaf)
    local name=$1
    shift
    for c in "$@"; do cat "$c.crt"; done >"$name.chain"
    shift
    for c in "$@"; do cat "$c.crt"; done >"$name.rest"
}
leaf() { # NAME ISSUER [SAN] [more extensions...]
    local name=$1 issuer=$2 san=${3:-DNS:server.test}
    shift 3 || shift $#
    cert "$name" "$issuer" "/O=certslot tests/CN=server.test" 825 "$LEAF" "subjectAltName=$san" "$@"
}

cert root - "/O=certslot tests/CN=RFC5280 Root" 3650 "$CA"

# ---- path building: out of order, an expired first candidate, extras ----
cert int1 root "/O=certslot tests/CN=Int 1" 3650 "$CA"
cert int2 int1 "/O=certslot tests/CN=Int 2" 3650 "$CA"
leaf order int2
chain order order root int1 int2 # leaf, then its issuers from the top down (reversed), and the root
cp int1.key int-old.key
cert int-old root "/O=certslot tests/CN=Int 1" 1 "$CA" # the same CA (name, key), expiring tomorrow
leaf cross int1
chain cross cross int-old int1 # the first candidate for the issuer expires before the one after it
cert stray - "/O=certslot tests/CN=Stray" 3650 "$CA"
cert int1-other - "/O=certslot tests/CN=Int 1" 3650 "$CA" # Int 1's name, another key (and key identifier)
leaf other-key int1-other # sent with the real Int 1: the key identifiers differ
ski=$(openssl x509 -in int1.crt -noout -ext subjectKeyIdentifier | tail -1 | tr -d ' ')
cert int1-forged - "/O=certslot tests/CN=Int 1" 3650 "basicConstraints=critical,CA:true" \
    "keyUsage=critical,keyCertSign,cRLSign" "subjectKeyIdentifier=$ski" # Int 1's name and key identifier
leaf forged int1-forged # sent with the real Int 1: its signature does not verify
cp int2.key int2-forged.key
cert int2-forged int1-forged "/O=certslot tests/CN=Int 2" 3650 "$CA" # Int 2 (its key too), signed by the forger
chain forged-mid order int2-forged int1 # the real leaf under it verifies; the forged Int 2 under Int 1 does not
leaf extra int1
chain extra extra stray int1 stray # an unrelated certificate, twice, and the issuer

# ---- pathLenConstraint ----
cert pl0 root "/O=certslot tests/CN=Pathlen 0" 3650 "$CA" "basicConstraints=critical,CA:true,pathlen:0"
cert pl0-sub pl0 "/O=certslot tests/CN=Below pathlen 0" 3650 "$CA"
leaf pl-deep pl0-sub
chain pl-deep pl-deep pl0-sub pl0
cert pl0-self pl0 "/O=certslot tests/CN=Pathlen 0" 3650 "$CA" # self-issued: the same name, a new key (rollover)
leaf pl-self pl0-self
chain pl-self pl-self pl0-self pl0
cert pl1 root "/O=certslot tests/CN=Pathlen 1" 3650 "$CA" "basicConstraints=critical,CA:true,pathlen:1"
cert pl5 pl1 "/O=certslot tests/CN=Pathlen 5" 3650 "$CA" "basicConstraints=critical,CA:true,pathlen:5"
leaf pl-wide pl5
chain pl-wide pl-wide pl5 pl1 # the lower CA allows more; the upper one still limits: accepted here
cert pl5-sub pl5 "/O=certslot tests/CN=Below pathlen 5" 3650 "$CA"
leaf pl-wide-deep pl5-sub
chain pl-wide-deep pl-wide-deep pl5-sub pl5 pl1 # two below pathlen 1: refused

# ---- name constraints ----
cert nc-dns root "/O=certslot tests/CN=NC DNS" 3650 "$CA" "nameConstraints=critical,permitted;DNS:allowed.example"
leaf nc-dns-ok nc-dns "DNS:www.allowed.example"
leaf nc-dns-bad nc-dns "DNS:evil.example.com"
cert nc-dns-soft root "/O=certslot tests/CN=NC DNS soft" 3650 "$CA" "nameConstraints=permitted;DNS:allowed.example"
leaf nc-soft-bad nc-dns-soft "DNS:evil.example.com"
cert nc-ex root "/O=certslot tests/CN=NC excluded" 3650 "$CA" "nameConstraints=critical,excluded;DNS:bad.example"
leaf nc-ex-ok nc-ex "DNS:good.example"
leaf nc-ex-bad nc-ex "DNS:www.bad.example"
cert nc-ip root "/O=certslot tests/CN=NC IP" 3650 "$CA" "nameConstraints=critical,permitted;IP:10.0.0.0/255.0.0.0"
leaf nc-ip-ok nc-ip "IP:10.1.2.3"
leaf nc-ip-bad nc-ip "IP:192.168.1.1"
cert nc-dir root "/O=certslot tests/CN=NC dir" 3650 "$CA" "nameConstraints=critical,permitted;dirName:dir_sect"
leaf nc-dir-ok nc-dir
cert nc-dir-bad nc-dir "/O=other/CN=server.test" 825 "$LEAF" "subjectAltName=DNS:server.test"
cert nc-email root "/O=certslot tests/CN=NC email" 3650 "$CA" "nameConstraints=critical,permitted;email:.example"
leaf nc-email-leaf nc-email # no mailbox: nothing to constrain
leaf nc-email-ok nc-email "DNS:server.test,email:a@mail.example"
leaf nc-email-bad nc-email "DNS:server.test,email:a@other.test"
cert nc-email-subj nc-email "/O=certslot tests/CN=server.test/emailAddress=a@other.test" 825 "$LEAF" # no SAN
cert nc-uri root "/O=certslot tests/CN=NC URI" 3650 "$CA" "nameConstraints=critical,permitted;URI:.allowed.example"
leaf nc-uri-leaf nc-uri
cert nc-uri-soft root "/O=certslot tests/CN=NC URI soft" 3650 "$CA" "nameConstraints=permitted;URI:.allowed.example"
leaf nc-uri-soft-leaf nc-uri-soft
cert nc-dns-int nc-dns "/O=certslot tests/CN=Int below NC" 3650 "$CA" "subjectAltName=DNS:evil.example.com"
leaf nc-int-bad nc-dns-int "DNS:www.allowed.example"
chain nc-int-bad nc-int-bad nc-dns-int nc-dns
cert nc-email-soft root "/O=certslot tests/CN=NC email soft" 3650 "$CA" "nameConstraints=permitted;email:.example"
leaf nc-email-soft-leaf nc-email-soft
cert nc-cn nc-dns "/O=certslot tests/CN=evil.example.com" 825 "$LEAF" # no SAN: the CN is the host name
cert root-nc - "/O=certslot tests/CN=RFC5280 Root NC" 3650 "$CA" "nameConstraints=critical,permitted;DNS:allowed.example"
cert root-nc-int root-nc "/O=certslot tests/CN=Under NC root" 3650 "$CA"
leaf root-nc-bad root-nc-int "DNS:evil.example.com"
leaf root-nc-ok root-nc-int "DNS:www.allowed.example"
# A permitted subtree whose GeneralSubtree is cut short ([0] holding a lone tag byte).
cert nc-malformed root "/O=certslot tests/CN=NC malformed" 3650 "$CA" "2.5.29.30=critical,DER:3003a00182"
leaf nc-malformed-leaf nc-malformed

# ---- extensions and structure ----
cert int-crit root "/O=certslot tests/CN=Unknown critical" 3650 "$CA" "1.3.6.1.4.1.55555.1=critical,ASN1:NULL"
leaf crit int-crit
cert int-soft root "/O=certslot tests/CN=Unknown non-critical" 3650 "$CA" "1.3.6.1.4.1.55555.1=ASN1:NULL"
leaf soft int-soft
cert int-noks root "/O=certslot tests/CN=No keyCertSign" 3650 "basicConstraints=critical,CA:true" \
    "keyUsage=critical,digitalSignature"
leaf noks int-noks
cert int-noca root "/O=certslot tests/CN=Not a CA" 3650 "basicConstraints=critical,CA:false"
leaf noca int-noca
cert empty-subject int1 "/" 825 "$LEAF" "subjectAltName=DNS:server.test"
cert empty-subject-ok int1 "/" 825 "$LEAF" "subjectAltName=critical,DNS:server.test"
# Two extensions of the same length for test_rfc5280.c to turn into a duplicate (and sign again).
cert int-dup root "/O=certslot tests/CN=Duplicate" 3650 "$CA" "1.3.6.1.4.1.55555.1=ASN1:NULL" \
    "1.3.6.1.4.1.55555.2=ASN1:NULL"
openssl x509 -in int-dup.crt -outform DER -out int-dup.der
leaf dup int-dup

# ---- the policy on verified signatures only ----
ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out root-sha1.key
ossl req -x509 -new -key root-sha1.key -subj "/O=certslot tests/CN=RFC5280 SHA-1 Root" -days 3650 -sha1 \
    -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" -out root-sha1.crt
leaf under-sha1 root-sha1

# ---- seed 000 compatibility: a v1 root (no extensions at all), as a trust anchor and as an intermediate ----
key root-v1
ossl req -new -key root-v1.key -subj "/O=certslot tests/CN=RFC5280 v1 Root" -out root-v1.csr
ossl x509 -req -in root-v1.csr -signkey root-v1.key -days 3650 -sha256 -out root-v1.crt
rm -f root-v1.csr
leaf under-v1 root-v1
cp root-v1.key int-v1.key
ossl req -new -key int-v1.key -subj "/O=certslot tests/CN=RFC5280 v1 Root" -out int-v1.csr
ossl x509 -req -in int-v1.csr -CA root.crt -CAkey root.key -CAcreateserial -days 3650 -sha256 -out int-v1.crt
rm -f int-v1.csr

# ---- depth ----
leaf depth2 int2
chain depth2 depth2 int2 int1

# ---- the search's bound: look-alike issuers ----
# Eight CAs of one name and no key identifiers, each signed by the next (loop8 self-signed), the leaf by loop1,
# sent from loop8 down: every level's right issuer is the last candidate tried, so the search spends its
# CERTSLOT_VERIFY_MAX_SIGNATURES (32) signature checks at the sixth level, and no path leads to a trusted root.
# (Eight: mbedTLS's own chain in a handshake holds at most 10 certificates before certslot's search runs.)
LOOP="basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=none
authorityKeyIdentifier=none"
cert loop8 - "/O=certslot tests/CN=Look-alike" 3650 "$LOOP"
for i in $(seq 7 -1 1); do cert "loop$i" "loop$((i + 1))" "/O=certslot tests/CN=Look-alike" 3650 "$LOOP"; done
leaf loop loop1 DNS:server.test "subjectKeyIdentifier=none" "authorityKeyIdentifier=none"
chain loop loop $(seq -f 'loop%g' 8 -1 1)
# 17 certificates, one more than CERTSLOT_VERIFY_MAX_PEER: the look-alike chain, its CAs twice. Unrefused, mbedTLS
# would link them in a handshake until its own limit of 10 and fail with a fatal error of its own.
chain toolong loop $(seq -f 'loop%g' 8 -1 1) $(seq -f 'loop%g' 8 -1 1)

# ---- RSA public exponents: a CA key whose exponent is 2,000 bits long (every signature check with it costs what a
# private-key operation does), one just past CERTSLOT_CERT_MAX_RSA_E_BITS (33) and one at it (2^32 + 1) ----
rsa_e() { ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -pkeyopt "rsa_keygen_pubexp:$2" -out "$1.key"; }
rsa_e e-huge "0x8$(printf '%0498d' 0)1"
rsa_e e-34 $(((1 << 33) + 1))
rsa_e e-33 $(((1 << 32) + 1))
for k in e-huge e-34 e-33; do
    cert "$k" root "/O=certslot tests/CN=Exponent $k" 3650 "$CA"
    leaf "under-$k" "$k"
done

rm -f ./*.srl
