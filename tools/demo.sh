#!/usr/bin/env bash
# make demo: the module's main job on a simulated handset under qemu-arm.
#
#   tools/demo.sh CERTSLOT_TOOL HANDSET_BINARY RUNNER...
#
# 1. An administrator's PKI is made with certslot (ca create, issue).
# 2. A provisioning directory (000000000000.cfg, wireless.cfg, site.cfg) is
#    written, certificates injected with `certslot inject`, and served by
#    nginx (HTTP and HTTPS) on 127.0.0.1 high ports.
# 3. TLS peers start: openssl s_server as the SIP server (mutual TLS), the
#    syslog and LDAP servers; nginx itself is the browser's peer (a GET).
# 4. The ARM handset boots with an empty store, installs the provisioning CA
#    from an http:// URL (as from its menu), provisions over HTTPS with the
#    strict name check, prints its slots and profiles, and connects to each
#    peer. Everything it started is stopped at the end.
set -euo pipefail
tool=$(realpath "$1")
handset=$(realpath "$2")
shift 2
here=$(cd "$(dirname "$0")/.." && pwd)
D=$(mktemp -d "${TMPDIR:-/tmp}/certslot-demo.XXXXXX")
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    "$here/tests/servers/prov-servers.sh" stop "$D/srv" >/dev/null 2>&1 || true
    rm -rf "$D"
}
trap cleanup EXIT
step() { printf '\n### %s\n' "$*"; }
quiet() { "$@" >"$D/last.log" 2>&1 || { cat "$D/last.log"; exit 1; }; }

step "administrator: a private CA and the servers' certificates (certslot ca create / issue)"
quiet "$tool" ca create --cn "Demo Root CA" --out "$D/ca"
quiet "$tool" issue --ca "$D/ca" --cn 127.0.0.1 --san prov.demo.test --server --out "$D/prov"
quiet "$tool" issue --ca "$D/ca" --cn sip.demo.test --san 127.0.0.1 --server --out "$D/sip"
quiet "$tool" issue --ca "$D/ca" --cn handset-0004f2a1b2c3 --client --out "$D/handset"
echo "Demo Root CA, prov.demo.test (127.0.0.1), sip.demo.test, handset-0004f2a1b2c3: made"

step "administrator: provisioning directory; certificates injected with certslot inject"
mkdir -p "$D/srv/files" "$D/srvpki"
cat >"$D/srv/files/000000000000.cfg" <<'X'
<?xml version="1.0" standalone="yes"?>
<APPLICATION APP_FILE_PATH="sip.ld" CONFIG_FILES="[mac]-phone.cfg, site.cfg, wireless.cfg"/>
X
cat >"$D/srv/files/wireless.cfg" <<'X'
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<wireless device.set="1">
  <WLAN device.wifi.ssid="ClinicVoice" device.wifi.ssid.set="1"/>
  <WPA2Enterprise.EAPTLS device.sec.TLS.profileSelection.dot1x="PlatformProfile1"
    device.sec.TLS.profileSelection.dot1x.set="1"/>
  <PROVISIONING device.prov.serverType="3" device.prov.serverType.set="1"
    device.sec.TLS.profileSelection.provisioning="PlatformProfile2"
    device.sec.TLS.profileSelection.provisioning.set="1"
    device.sec.TLS.profile.caCertList2="Platform2" device.sec.TLS.profile.caCertList2.set="1"/>
</wireless>
X
cat >"$D/srv/files/site.cfg" <<'X'
<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<site>
  <sip sec.TLS.profileSelection.SIP="ApplicationProfile1" sec.TLS.profile.1.caCert.defaultList="0"
       sec.TLS.profile.1.deviceCert="Platform1"/>
  <syslog device.sec.TLS.profileSelection.syslog="ApplicationProfile1"
       device.sec.TLS.profileSelection.syslog.set="1"/>
  <ldap sec.TLS.profileSelection.LDAP="PlatformProfile1" sec.TLS.LDAP.strictCertCommonNameValidation="0"/>
</site>
X
w="$D/srv/files/wireless.cfg"
quiet "$tool" inject --param device.sec.TLS.customCaCert1 --file "$D/ca/ca.crt" \
    --param device.sec.TLS.customCaCert2 --file "$D/ca/ca.crt" \
    --param device.sec.TLS.customDeviceCert1 --file "$D/handset.crt" \
    --param device.sec.TLS.customDeviceKey1 --file "$D/handset.key" "$w"
quiet "$tool" inject --param sec.TLS.customCaCert.1 --file "$D/ca/ca.crt" "$D/srv/files/site.cfg"
"$tool" lint --master "$D/srv/files" || true
echo "000000000000.cfg, wireless.cfg (CA in platform slots 1 and 2, device certificate + key in platform 1), site.cfg"
cp "$D/ca/ca.crt" "$D/srv/files/ca.crt"

step "servers: nginx (HTTP, HTTPS) for provisioning; openssl s_server for SIP (mutual TLS), syslog, LDAP"
cp "$D/prov.crt" "$D/srvpki/server.crt"
cp "$D/prov.key" "$D/srvpki/server.key"
: >"$D/srvpki/inter.crt"
quiet "$here/tests/servers/prov-servers.sh" start "$D/srv" "$D/srvpki" nginx
. "$D/srv/ports.env"
peer() { # name cert key extra...
    local name=$1 cert=$2 key=$3 port
    shift 3
    for try in 1 2 3 4 5 6 7 8; do
        port=$((20000 + (RANDOM % 40000)))
        openssl s_server -www -accept "127.0.0.1:$port" -cert "$cert" -key "$key" "$@" \
            </dev/null >"$D/$name.log" 2>&1 &
        local pid=$!
        for i in $(seq 100); do grep -q ACCEPT "$D/$name.log" && break; sleep 0.05; done
        if grep -q ACCEPT "$D/$name.log"; then
            pids+=("$pid")
            eval "${name}_port=$port"
            return 0
        fi
        kill "$pid" 2>/dev/null || true
    done
    echo "demo: $name server did not start" >&2
    exit 1
}
peer sip "$D/sip.crt" "$D/sip.key" -Verify 1 -verify_return_error -CAfile "$D/ca/ca.crt"
peer syslog "$D/prov.crt" "$D/prov.key"
peer ldap "$D/sip.crt" "$D/sip.key"
echo "nginx http $HTTP_PORT, https $HTTPS_PORT; sip $sip_port (requires a client certificate), syslog $syslog_port, ldap $ldap_port"

step "the handset (ARM, under qemu-arm) boots with an empty store"
mkdir -m 700 "$D/handset-store"
set +e
"$@" "$handset" --dir "$D/handset-store" --mac 0004f2a1b2c3 \
    --ca-url "http://PlcmSpIp:PlcmSpIp@127.0.0.1:$HTTP_PORT/ca.crt" \
    --server "https://PlcmSpIp:PlcmSpIp@127.0.0.1:$HTTPS_PORT/" \
    --peer "sip=127.0.0.1:$sip_port,sip.demo.test" \
    --peer "syslog=127.0.0.1:$syslog_port,127.0.0.1" \
    --peer "ldap=127.0.0.1:$ldap_port,ldap.demo.test" \
    --peer "browser=127.0.0.1:$HTTPS_PORT,prov.demo.test" \
    --peer "browser!=127.0.0.1:$HTTPS_PORT,www.elsewhere.test" \
    --peer "provisioning!=127.0.0.1:$HTTPS_PORT,wrong.demo.test"
rc=$?
set -e
exit $rc
