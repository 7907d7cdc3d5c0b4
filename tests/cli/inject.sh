#!/usr/bin/env bash
# certslot inject: certificates, keys and settings into real-world-shaped
# config files, byte-exactly, and the refusals that leave the file untouched.
. "$(dirname "$0")/../common/cli.sh"
PKI=${CERTSLOT_TESTPKI:?}
S=$DATA/seed001
D=$T/store

# Seed 001's wireless.cfg: replace the platform CA (spelled device.sec.tls.* in
# the file), add the device certificate and key of platform slot 2, and a CA
# chain in application slot 3, in one run.
cp "$S/wireless.cfg" "$T/w.cfg"
run inject --param device.sec.TLS.customCaCert1 --file "$PKI/root-rsa.crt" \
    --param device.sec.TLS.customDeviceCert2 --file "$PKI/device.crt" \
    --param device.sec.TLS.customDeviceKey2 --file "$PKI/device.key" \
    --param sec.TLS.customCaCert.3 --file "$PKI/server-chain.pem" "$T/w.cfg"
expect_rc 0
expect_out "set device.sec.TLS.customDeviceKey2: private key (RSA-2048)"
expect_no_out "PRIVATE"
run store --dir "$D" apply "$T/w.cfg"
expect_rc 0
run store --dir "$D" list
expect_out 'platform1 ca subject="certslot Test Root CA"'
expect_out 'platform2 device subject="handset-0004f2a1b2c3"'
expect_out 'application3 ca subject="server.test"'
expect_out 'application3 ca subject="certslot Test Intermediate CA"'
[ "$(wc -l <"$OUT")" -eq 4 ] || fail "list should show exactly 4 certificates"

# Only the intended lines changed: the root element (application CA added, no
# related attribute exists), the CA line, and four new attribute lines.
diff "$S/wireless.cfg" "$T/w.cfg" >"$T/diff" || true
[ "$(grep -c '^<' "$T/diff")" -eq 2 ] || fail "expected 2 changed lines, diff: $(head -c 300 "$T/diff")"
[ "$(grep -c '^>' "$T/diff")" -eq 6 ] || fail "expected 2 changed + 4 added lines"
grep -q '^    device.sec.tls.customCaCert1="MII[^"]*"$' "$T/w.cfg" || fail "CA value not single-line base64 in the file's spelling"
grep -q '^    device.sec.TLS.customDeviceKey2="-----BEGIN RSA ''PRIVATE KEY-----&#10;MII' "$T/w.cfg" ||
    fail "key not written as PEM with &#10; line breaks"
grep -q -- '-----END CERTIFICATE-----&#10;-----BEGIN CERTIFICATE-----' "$T/w.cfg" || fail "chain not written as PEM blocks"
# Removing what was injected gives back the original, byte for byte.
sed -e 's| sec.TLS.customCaCert.3="[^"]*"||' -e '/customDevice\(Cert\|Key\)2/d' \
    -e "s|^    device.sec.tls.customCaCert1=.*|$(grep 'device.sec.tls.customCaCert1=' "$S/wireless.cfg")|" \
    "$T/w.cfg" >"$T/w.back"
cmp -s "$T/w.back" "$S/wireless.cfg" || fail "removing the injected attributes does not restore the original"

# The seed's own gap: customCaCert2 has no working .set (typo). Injecting it adds
# the companion next to it; device.prov.user.set="0" is updated to "1";
# special characters are escaped.
cp "$S/wireless.cfg" "$T/w2.cfg"
run inject --param device.sec.TLS.customCaCert2 --file "$PKI/root-ec.crt" \
    --param device.prov.user --value 'a"b<c&d' "$T/w2.cfg"
expect_rc 0
grep -q 'device.sec.TLS.customCaCert2.set="1"' "$T/w2.cfg" || fail ".set not added"
grep -q 'device.prov.user="a&quot;b&lt;c&amp;d" device.prov.user.set="1"' "$T/w2.cfg" || fail "value not escaped or .set not updated"
run config --get device.prov.user "$T/w2.cfg"
expect_out_exactly 'a"b<c&d'
run config --get device.sec.TLS.customCaCert2 "$T/w2.cfg"
expect_out "MII"

# CRLF file, single quotes, a comment, no device.set: all kept; what is added
# uses the file's line endings and the layout of its neighbours.
printf '<?xml version="1.0"?>\r\n<!-- site -->\r\n<site a=\x27x\x27>\r\n  <TLS\r\n    sec.TLS.protocol.sip=\x27TLSv1_1\x27\r\n    device.sec.TLS.customCaCert1.set="0"/>\r\n</site>\r\n' >"$T/crlf.cfg"
chmod 640 "$T/crlf.cfg"
cp "$T/crlf.cfg" "$T/crlf.orig"
run inject --param device.sec.TLS.customCaCert1 --file "$PKI/root-rsa.der" "$T/crlf.cfg"
expect_rc 0
lines=$(wc -l <"$T/crlf.cfg")
[ "$(grep -c $'\r$' "$T/crlf.cfg")" -eq "$lines" ] || fail "a line lost its CRLF"
[ "$lines" -eq 8 ] || fail "expected one added line, got $lines lines"
grep -q "<site a='x' device.set=\"1\">" "$T/crlf.cfg" || fail "device.set not added to the first element"
grep -q "^    sec.TLS.protocol.sip='TLSv1_1'"$'\r$' "$T/crlf.cfg" || fail "untouched attribute changed"
grep -q '^    device.sec.TLS.customCaCert1="MII[^"]*"'$'\r$' "$T/crlf.cfg" || fail "certificate not added next to its family"
grep -q 'device.sec.TLS.customCaCert1.set="1"/>' "$T/crlf.cfg" || fail ".set=0 not updated"
[ "$(stat -c %a "$T/crlf.cfg")" = 640 ] || fail "file mode not kept"
run config --get device.sec.TLS.customCaCert1 "$T/crlf.cfg"
expect_out "$(cat "$PKI/root-rsa.der.b64")"

# A private key or a password in a file others can read: the file is tightened to its owner, said on stderr.
for secret in "--param device.sec.TLS.customDeviceKey1 --file $PKI/device.key" \
              "--param device.prov.password --value s3cret"; do
    printf '<x/>\n' >"$T/open.cfg"
    chmod 644 "$T/open.cfg"
    run inject --param device.sec.TLS.customDeviceCert1 --file "$PKI/device.crt" $secret "$T/open.cfg"
    expect_rc 0
    [ "$(stat -c %a "$T/open.cfg")" = 600 ] || fail "a file holding a secret is mode $(stat -c %a "$T/open.cfg")"
    expect_err "now holds a secret: its mode goes from 0644 to 0600 (it was readable by everyone)"
done
printf '<x/>\n' >"$T/group.cfg"
chmod 660 "$T/group.cfg"
run inject --param device.sec.TLS.customDeviceKey1 --file "$PKI/device.key" \
    --param device.sec.TLS.customDeviceCert1 --file "$PKI/device.crt" "$T/group.cfg"
expect_rc 0
[ "$(stat -c %a "$T/group.cfg")" = 600 ] || fail "a group-readable file holding a key is not 0600"
expect_err "(it was readable by its group)"

# Refusals: exit 1, a clear message, the file byte-identical.
cp "$T/w.cfg" "$T/before"
refused() { # message, inject args...
    local msg=$1
    shift
    run inject "$@" "$T/w.cfg"
    expect_rc 1
    expect_err "$msg"
    cmp -s "$T/w.cfg" "$T/before" || fail "file changed by a refused inject"
}
refused "signed with SHA-1" --param sec.TLS.customCaCert.1 --file "$PKI/weak-sha1.crt"
refused "RSA key of 1024 bits" --param device.sec.TLS.customCaCert2 --file "$PKI/weak-rsa1024.crt"
refused "encrypted" --param sec.TLS.customDeviceKey.1 --file "$PKI/device.enc.key"
refused "does not match the device certificate in the file" \
    --param device.sec.TLS.customDeviceKey2 --file "$PKI/other.key"
refused "the private key in the file does not match the device certificate given" \
    --param device.sec.TLS.customDeviceCert2 --file "$PKI/device-ec.crt"
refused "does not match the device certificate given" --param sec.TLS.customDeviceCert.4 --file "$PKI/device.crt" \
    --param sec.TLS.customDeviceKey.4 --file "$PKI/device-ec.key"
refused "sec.TLS.customCaCert.2:" --param sec.TLS.customCaCert.2 --value "not a certificate"
refused "expected one of SSLv2v3" --param sec.TLS.protocol.sip --value TLSv9
# The pair given together replaces both.
cp "$T/before" "$T/pair.cfg"
run inject --param device.sec.TLS.customDeviceCert2 --file "$PKI/device-ec.crt" \
    --param device.sec.TLS.customDeviceKey2 --file "$PKI/device-ec.key" "$T/pair.cfg"
expect_rc 0
run store --dir "$T/store2" apply "$T/pair.cfg"
expect_rc 0
run store --dir "$T/store2" list
expect_out 'platform2 device subject="handset-ec"'

# Not well-formed XML: refused, untouched.
printf '<x sec.TLS.protocol.sip="TLSv1_1">\n<y></x>\n' >"$T/bad.cfg"
cp "$T/bad.cfg" "$T/bad.orig"
run inject --param sec.TLS.protocol.sip --value TLSv1_2 "$T/bad.cfg"
expect_rc 1
expect_err "not well-formed"
cmp -s "$T/bad.cfg" "$T/bad.orig" || fail "malformed file changed"

# Unknown parameter: usage error with did-you-mean; usage errors.
run inject --param device.sec.TLS.cusomCaCert2 --file "$PKI/root-rsa.crt" "$T/w.cfg"
expect_rc 2
expect_err "did you mean 'device.sec.TLS.customCaCert2'?"
cmp -s "$T/w.cfg" "$T/before" || fail "file changed by an unknown parameter"
run inject --param sec.TLS.protocol.sip "$T/w.cfg"
expect_rc 2
run inject --param sec.TLS.protocol.sip --value TLSv1_2 "$T/nope.cfg"
expect_rc 2
run inject --help
expect_rc 0
expect_out "usage: certslot inject"
finish
