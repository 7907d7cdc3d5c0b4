#!/usr/bin/env bash
# certslot provision and store install URL against real servers (nginx,
# vsftpd, tftpd-hpa on 127.0.0.1 high ports, started and stopped here).
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/common/cli.sh"
PKI=${CERTSLOT_TESTPKI:?CERTSLOT_TESTPKI not set}
SRV=$T/srv
trap '"$here/tests/servers/prov-servers.sh" stop "$SRV"; rm -rf "$T"' EXIT
"$here/tests/servers/prov-servers.sh" start "$SRV" "$PKI" || { echo "FAIL: the test servers did not start"; exit 1; }
. "$SRV/ports.env"
F=$SRV/files
L="127.0.0.1"
CRED=(--user certslotftp --password PlcmSpIp)

ca_value() { tr -d '\n' <"$1" | sed 's/-----BEGIN CERTIFICATE-----//; s/-----END CERTIFICATE-----//'; }
cat >"$F/0004f2a1b2c3.cfg" <<E
<APPLICATION CONFIG_FILES="wireless.cfg"/>
E
cat >"$F/wireless.cfg" <<E
<w device.set="1" device.sec.TLS.customCaCert1="$(ca_value "$PKI/root-ec.crt")" device.sec.TLS.customCaCert1.set="1"
   device.wifi.ssid="ProvNet" device.wifi.ssid.set="1"/>
E
cp "$PKI/root-rsa.crt" "$F/ca.pem"
openssl x509 -in "$PKI/root-rsa.crt" -outform DER -out "$F/ca.der"
echo "not a certificate" >"$F/junk.txt"
chmod 644 "$F"/*

# A store trusting root-rsa in platform2 (the provisioning profile's CA slot).
fresh() {
    S=$(mktemp -d "$T/store.XXXXXX")
    "$TOOL" store --dir "$S" install platform2 ca "$PKI/root-rsa.crt" >/dev/null
}
prov() { run provision --dir "$S" --mac 00:04:f2:a1:b2:c3 --timeout 5 "$@"; }

# Each server type applies the served configuration.
for s in "ftp://$L:$FTP_PORT" "tftp://$L:$TFTP_PORT" "http://$L:$HTTP_PORT" "https://$L:$HTTPS_PORT" \
         "ftps://$L:$FTPS_PORT" "ftpes://$L:$FTPES_PORT" "http://$L:$APACHE_HTTP_PORT/digest"; do
    fresh
    prov --server "$s" "${CRED[@]}"
    expect_rc 0
    expect_out "applied 2 files from $s"
    run store --dir "$S" list
    expect_out 'platform1 ca subject="certslot Test EC Root CA"'
done
# host:port with --type, and HTTP's basic auth with the default credentials.
fresh
prov --server "$L:$HTTP_PORT" --type 2
expect_rc 0

# Wrong name under the strict check: refused, store unchanged; accepted with it off.
for s in "https://localhost:$HTTPS_PORT" "ftps://localhost:$FTPS_PORT"; do
    fresh
    before=$("$TOOL" store --dir "$S" list)
    prov --server "$s" "${CRED[@]}"
    expect_rc 1
    expect_err "server certificate refused"
    [ "$("$TOOL" store --dir "$S" list)" = "$before" ] || fail "store changed after a refused run"
    cat >"$T/lax.cfg" <<E
<x device.set="1" device.sec.TLS.prov.strictCertCommonNameValidation="0"
   device.sec.TLS.prov.strictCertCommonNameValidation.set="1"/>
E
    "$TOOL" store --dir "$S" apply "$T/lax.cfg" >/dev/null
    prov --server "$s" "${CRED[@]}"
    expect_rc 0
done

# Wrong password, missing master: status, exit 1, store unchanged.
fresh
before=$("$TOOL" store --dir "$S" list)
prov --server "http://$L:$HTTP_PORT" --user PlcmSpIp --password wrong
expect_rc 1
expect_err "refused"
prov --server "ftp://$L:$FTP_PORT" --user certslotftp --password wrong
expect_rc 1
expect_err "login refused"
prov --server "http://$L:$HTTP_PORT/nowhere" "${CRED[@]}"
expect_rc 1
expect_err "not found: no master file"
[ "$("$TOOL" store --dir "$S" list)" = "$before" ] || fail "store changed after failed runs"

# Install from a URL: PEM over HTTP, DER over FTP, refusals.
fresh
run store --dir "$S" install application1 ca "http://PlcmSpIp:PlcmSpIp@$L:$HTTP_PORT/ca.pem"
expect_rc 0
expect_out "application1"
run store --dir "$S" install application2 ca "ftp://certslotftp:PlcmSpIp@$L:$FTP_PORT/ca.der"
expect_rc 0
run store --dir "$S" list
expect_out 'application2 ca subject="certslot Test Root CA"'
run store --dir "$S" install application3 ca "http://PlcmSpIp:PlcmSpIp@$L:$HTTP_PORT/junk.txt"
expect_rc 1
expect_err "not a certificate"
run store --dir "$S" install application3 ca "http://PlcmSpIp:PlcmSpIp@$L:$HTTP_PORT/missing.pem"
expect_rc 1
expect_err "not found"
# Anonymous FTP is refused before connecting: port 1 would say "cannot connect".
run store --dir "$S" install application3 ca "ftp://$L:1/ca.der"
expect_rc 1
expect_err "anonymous FTP is not allowed"

run provision --dir "$S" --mac 0004f2a1b2c3
expect_rc 2
# Credentials from a file or standard input win over those in the URL: no password on the command line.
fresh
printf 'certslotftp\n' >"$T/user"
prov --server "ftp://nobody:wrong@$L:$FTP_PORT" --user "@$T/user" --password - <<<PlcmSpIp
expect_rc 0
expect_out "applied 2 files"
prov --server "ftp://$L:$FTP_PORT" --user - --password - <<<PlcmSpIp
expect_rc 2
expect_err "standard input is already read by another option"
printf 'PlcmSpIp\n' >"$T/pw"
run store --dir "$S" install application4 ca "http://$L:$HTTP_PORT/ca.pem" --user PlcmSpIp --password "@$T/pw"
expect_rc 0
expect_out "installed into application4 ca"
# A user name or password that would smuggle an FTP command: refused before any connection.
run provision --dir "$S" --mac 0004f2a1b2c3 --server "ftp://$L:$FTP_PORT" --user $'u\r\nDELE victim.cfg' --password x
expect_rc 2
expect_err "the user name contains a control character"
run provision --dir "$S" --mac 0004f2a1b2c3 --server "ftp://$L:$FTP_PORT" --user u --password $'x\nSITE CHMOD 777 y'
expect_rc 2
expect_err "the password contains a control character"
# Log upload: appended over FTP and FTPS, replaced over HTTP, refused over TFTP; the server's own words on refusal.
fresh
printf 'boot 1\n' >"$T/log1"
printf 'boot 2\n' >"$T/log2"
up() { run upload --dir "$S" --mac 00:04:f2:a1:b2:c3 --timeout 5 "$@"; }
for s in "ftp://$L:$FTP_PORT" "ftps://$L:$FTPS_PORT" "ftpes://$L:$FTPES_PORT"; do
    rm -f "$F/0004f2a1b2c3-app.log"
    up --server "$s" "${CRED[@]}" "$T/log1"
    expect_rc 0
    expect_out "uploaded 7 bytes"
    up --server "$s" "${CRED[@]}" "$T/log2"
    expect_rc 0
    [ "$(cat "$F/0004f2a1b2c3-app.log")" = "$(printf 'boot 1\nboot 2')" ] || fail "$s did not append"
done
up --server "http://$L:$HTTP_PORT" "${CRED[@]}" --name boot.log "$T/log1"
expect_rc 0
up --server "http://$L:$HTTP_PORT" "${CRED[@]}" --name boot.log "$T/log2"
expect_rc 0
[ "$(cat "$F/boot.log")" = "boot 2" ] || fail "HTTP did not replace the log"
up --server "tftp://$L:$TFTP_PORT" "$T/log1"
expect_rc 1
expect_err "log upload over TFTP is not supported"
up --server "ftps://$L:$FTPS_PORT" "${CRED[@]}" --name no-such-dir/x.log "$T/log1"
expect_rc 1
expect_err "APPE failed: 553"
# Without --server: the server the stored settings name.
cat >"$T/server.cfg" <<E
<x device.set="1" device.prov.serverName="ftp://$L:$FTP_PORT" device.prov.serverName.set="1"
   device.prov.user="certslotftp" device.prov.user.set="1"/>
E
"$TOOL" store --dir "$S" apply "$T/server.cfg" >/dev/null
rm -f "$F/0004f2a1b2c3-app.log"
up "$T/log1"
expect_rc 0
expect_out "ftp://$L:$FTP_PORT/0004f2a1b2c3-app.log: uploaded 7 bytes"
up
expect_rc 2
expect_err "the log file to upload is required"
finish
