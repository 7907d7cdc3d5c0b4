#!/usr/bin/env bash
# certslot store: a real-world-shaped wireless.cfg into the store, then list,
# install, clear, export, with the refusals an administrator runs into.
. "$(dirname "$0")/../common/cli.sh"
PKI=${CERTSLOT_TESTPKI:?}
D=$T/store

# wireless.cfg as seed 001 describes it: the RADIUS root CA as single-line
# base64 in platform CA slot 1; the device certificate (multi-line PEM) and
# its key (PEM, header kept) in platform device slot 2.
ca_b64=$(cat "$PKI/root-rsa.der.b64")
cat >"$T/wireless.cfg" <<X
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<wireless device.set="1">
  <WPA2Enterprise.EAPTLS
    device.sec.TLS.customCaCert1="$ca_b64"
    device.sec.TLS.customCaCert1.set="1"
    device.sec.TLS.customDeviceCert2="$(cat "$PKI/device.crt")"
    device.sec.TLS.customDeviceCert2.set="1"
    device.sec.TLS.customDeviceKey2="$(cat "$PKI/device-pkcs1.key")"
    device.sec.TLS.customDeviceKey2.set="1"
    device.sec.TLS.profile.deviceCert1="Platform2" device.sec.TLS.profile.deviceCert1.set="1"
  />
</wireless>
X
run store --dir "$D" apply "$T/wireless.cfg"
expect_rc 0
run store --dir "$D" list
expect_rc 0
expect_out 'platform1 ca subject="certslot Test Root CA" issuer="certslot Test Root CA" not-after='
expect_out 'platform2 device subject="handset-0004f2a1b2c3" issuer="certslot Test Root CA"'
expect_out 'key=RSA-2048 sha256='
fp=$(openssl x509 -in "$PKI/device.crt" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f)
expect_out "sha256=$fp"
na=$(date -u -d "$(openssl x509 -in "$PKI/device.crt" -noout -enddate | sed 's/notAfter=//')" +%Y-%m-%dT%H:%M:%SZ)
expect_out "not-after=$na days-left=82"
[ "$(wc -l <"$OUT")" -eq 2 ] || fail "list should show exactly 2 entries"
# Nothing readable of the key is on disk.
key_b64=$(grep -v -- ----- "$PKI/device-pkcs1.key" | head -2 | tail -1 | cut -c1-24)
if grep -rqF -- "$key_b64" "$D"; then fail "key text found in the store directory"; fi
if grep -rqaF -- "handset-0004f2a1b2c3" "$D"; then fail "certificate stored in clear"; fi

# --expiring: the device certificate (825 days) expires within 900 days, the CA (10 years) not.
run store --dir "$D" list --expiring 900
expect_out "platform2 device"
expect_no_out "platform1 ca"

# A weak CA in application slot 1: refused with parameter, file and line; the rest applies.
cat >"$T/site.cfg" <<X
<site
  sec.TLS.customCaCert.1="$(cat "$PKI/weak-sha1.crt")"
  sec.TLS.customCaCert.2="$(cat "$PKI/root-ec.crt")"/>
X
run store --dir "$D" apply "$T/site.cfg"
expect_rc 1
expect_err "site.cfg:2:3: error: sec.TLS.customCaCert.1: application1 ca refused, slot unchanged: certificate 1 (CN=weak sha1): signed with SHA-1 (SHA-256 or stronger required)"
run store --dir "$D" list
expect_out 'application2 ca subject="certslot Test EC Root CA"'
expect_no_out "application1"
expect_out "platform1 ca"

# A device key that does not match: refused, platform2 keeps its certificate and key.
cat >"$T/mismatch.cfg" <<X
<x device.set="1" device.sec.TLS.customDeviceKey2="$(cat "$PKI/other.key")" device.sec.TLS.customDeviceKey2.set="1"/>
X
run store --dir "$D" apply "$T/mismatch.cfg"
expect_rc 1
expect_err "mismatch.cfg:1:19: error: device.sec.TLS.customDeviceKey2: platform2 device refused, slot unchanged: the private key does not match the device certificate"
run store --dir "$D" list
expect_out "platform2 device"

# .set="1" with an empty value empties the slot; without .set nothing changes.
cat >"$T/clear.cfg" <<'X'
<x device.set="1" device.sec.TLS.customCaCert1="" device.sec.TLS.customCaCert1.set="1"
   device.sec.TLS.customDeviceCert2=""/>
X
run store --dir "$D" apply "$T/clear.cfg"
expect_rc 0
run store --dir "$D" list
expect_no_out "platform1 ca"
expect_out "platform2 device"

# install / export / clear.
run store --dir "$D" install application3 ca "$PKI/server-chain.pem"
expect_rc 0
expect_out "installed into application3 ca: 2 certificates, first CN=server.test"
run store --dir "$D" export application3 ca
expect_rc 0
cat "$PKI/server-chain.pem" >"$T/expected.pem"
diff -q "$OUT" "$T/expected.pem" >/dev/null || fail "export differs from the installed PEM chain"
expect_no_out "PRIVATE"
run store --dir "$D" export platform2 device
expect_no_out "PRIVATE KEY"
run store --dir "$D" install application4 device "$PKI/device-ec.crt" "$PKI/device-ec.key"
expect_rc 0
run store --dir "$D" install application4 device "$PKI/device.crt" "$PKI/device.enc.key"
expect_rc 1
expect_err "application4 device: refused: the private key is encrypted"
run store --dir "$D" install application5 ca "$PKI/weak-rsa1024.crt"
expect_rc 1
expect_err "RSA key of 1024 bits"
run store --dir "$D" install application5 ca "$PKI/weak-rsa1024.crt" --allow-weak
expect_rc 0
expect_err "accepted weak certificate CN=weak rsa1024"
run store --dir "$D" list
expect_out 'application4 device subject="handset-ec"'
expect_out "application5 ca"
run store --dir "$D" clear application3 ca
expect_rc 0
run store --dir "$D" list
expect_no_out "application3"

# Usage and unreadable input.
run store --dir "$D" install platform9 ca "$PKI/root-rsa.crt"
expect_rc 2
run store --dir "$D" install platform1 ca "$T/nope.pem"
expect_rc 2
run store --dir "$D" frob
expect_rc 2
run store list
expect_rc 2
run store --help
expect_rc 0
expect_out "usage: certslot store"

# A damaged store file: reported. With the anti-rollback counter (the default, DIR.counter) the older copy
# left is a rollback and refused; without one it is used, said out loud; the administrator may keep it.
b=$(od -An -tu1 -j100 -N1 "$D/store" | tr -d ' ')
printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$D/store" bs=1 seek=100 conv=notrunc 2>/dev/null # one bit flipped
run store --dir "$D" list
expect_rc 1
expect_err "file 'store' is corrupt (authentication failed"
expect_err "refused as a rollback"
run store --dir "$D" --counter none list
expect_rc 0
expect_err "warning: store: file 'store' is corrupt (authentication failed (damaged)); using version"
run store --dir "$D" accept-rollback
expect_rc 0
expect_out "rollback accepted: version"
run store --dir "$D" list
expect_rc 0
expect_out "platform2 device"

# Rollbacks are never silent: the newest file deleted, an older generation copied back, everything deleted.
R=$T/rb
"$TOOL" store --dir "$R" install platform1 ca "$PKI/root-rsa.crt" >/dev/null 2>&1
"$TOOL" store --dir "$R" install application1 ca "$PKI/root-ec.crt" >/dev/null 2>&1
mkdir "$T/rb-old" && cp -p "$R"/store* "$T/rb-old/" # generation 2
"$TOOL" store --dir "$R" install application2 ca "$PKI/root-ec.crt" >/dev/null 2>&1
[ -f "$R.counter" ] || fail "no anti-rollback counter beside $R"
mv "$R/store" "$T/rb-store"
run store --dir "$R" list
expect_rc 1
expect_err "version 2 is older than the anti-rollback counter (3): refused as a rollback"
mv "$T/rb-store" "$R/store"
cp -p "$T/rb-old/store" "$T/rb-old/store.bak" "$R/"
run store --dir "$R" list
expect_rc 1
expect_err "version 2 is older than the anti-rollback counter (3)"
run store --dir "$R" install application3 ca "$PKI/root-ec.crt"
expect_rc 1
rm -f "$R"/store*
run store --dir "$R" list
expect_rc 1
expect_err "no intact store, but the anti-rollback counter says version 3 was written"
run store --dir "$R" accept-rollback
expect_rc 0
expect_out "rollback accepted: version 0 (the counter said 3) is kept as version 4"
run store --dir "$R" list
expect_rc 0
expect_out_exactly ""

# Read-only commands create nothing: a typo is an error.
for c in "store --dir $T/TYPO list" "store --dir $T/TYPO export platform1 ca" \
         "connect --dir $T/TYPO --app sip 127.0.0.1:1" "dot1x --dir $T/TYPO --out $T/o --eap tls --name x"; do
    run $c
    expect_rc 2
    expect_err "no store in $T/TYPO"
done
[ ! -e "$T/TYPO" ] && [ ! -e "$T/TYPO.counter" ] && [ ! -e "$T/o" ] || fail "a read-only command created files"

# A missing device secret for an existing store is an error, never a new secret.
mv "$D/.device_secret" "$T/saved-secret"
for c in list "install application6 ca $PKI/root-ec.crt"; do
    run store --dir "$D" $c
    expect_rc 2
    expect_err "its device secret $D/.device_secret is missing"
done
[ ! -e "$D/.device_secret" ] || fail "a new device secret was made for an existing store"
run store --dir "$D" --secret "$T/saved-secret" list
expect_rc 0
expect_out "platform2 device"
# Another device secret is reported as that, not as damage.
head -c 32 /dev/urandom >"$T/other-secret"
run store --dir "$D" --secret "$T/other-secret" list
expect_rc 2
expect_err "written under another device secret"
expect_err "was written under another device secret than $T/other-secret"
finish
