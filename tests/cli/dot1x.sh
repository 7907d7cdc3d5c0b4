#!/usr/bin/env bash
# certslot dot1x: the dot1x profile as a wpa_supplicant network block, proven
# with eapol_test against FreeRADIUS (EAP-TLS and PEAP/MSCHAPv2) started here
# on 127.0.0.1 and stopped at the end. Two ports: "good" presents radius.test
# under the test root; "rogue" presents a self-signed radius.test.
. "$(dirname "$0")/../common/cli.sh"
PKI=${CERTSLOT_TESTPKI:?}
T=$(cd "$T" && pwd)
for p in freeradius eapol_test; do
    command -v "$p" >/dev/null || { echo "FAIL: $p is not installed (tools/deps.sh installs it)"; exit 1; }
done

# ---- certificates for the RADIUS server ----
cat >"$T/radius.ext" <<'X'
basicConstraints=CA:false
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:radius.test
X
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/radius.key" 2>/dev/null
openssl req -new -key "$T/radius.key" -subj "/O=certslot tests/CN=radius.test" -out "$T/radius.csr" 2>/dev/null
openssl x509 -req -in "$T/radius.csr" -CA "$PKI/inter.crt" -CAkey "$PKI/inter.key" -CAcreateserial \
    -CAserial "$T/radius.srl" -days 30 -sha256 -extfile "$T/radius.ext" -out "$T/radius.crt" 2>/dev/null
cat "$T/radius.crt" "$PKI/inter.crt" >"$T/radius-chain.pem"
openssl req -x509 -new -key "$T/radius.key" -subj "/CN=radius.test" -days 30 -sha256 \
    -addext "subjectAltName=DNS:radius.test" -out "$T/rogue.crt" 2>/dev/null
# Client certificates FreeRADIUS accepts: the RSA and the EC test roots.
cat "$PKI/root-rsa.crt" "$PKI/root-ec.crt" >"$T/clients-ca.pem"

# ---- FreeRADIUS: Debian's config, copied and cut down ----
SECRET=certslot-radius-secret
C=$T/raddb
RAD_PID=
stop_radius() {
    if [ -n "$RAD_PID" ]; then
        kill "$RAD_PID" 2>/dev/null
        wait "$RAD_PID" 2>/dev/null
        RAD_PID=
    fi
}
cleanup() {
    stop_radius
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM # a timeout still stops FreeRADIUS

eap_module() { # name certificate-file [tls_max_version]
    cat <<X
eap $1 {
	default_eap_type = tls
	timer_expire = 60
	max_sessions = 64
	tls-config tls-common {
		private_key_file = $T/radius.key
		certificate_file = $2
		ca_file = $T/clients-ca.pem
		random_file = /dev/urandom
		fragment_size = 1024
		cipher_list = "DEFAULT"
		tls_min_version = "1.2"
		tls_max_version = "${3:-1.2}"
		cache {
			enable = no
		}
	}
	tls {
		tls = tls-common
	}
	peap {
		tls = tls-common
		default_eap_type = mschapv2
		virtual_server = "inner-tunnel"
	}
	mschapv2 {
	}
}
X
}
site() { # name eap-module port
    cat <<X
server $1 {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = $3
	}
	authorize {
		$2 {
			ok = return
		}
		files
	}
	authenticate {
		$2
	}
}
X
}
make_raddb() { # port
    rm -rf "$C" "$T/radrun" "$T/radlog"
    mkdir -p "$C" "$T/radrun" "$T/radlog"
    cp -a /etc/freeradius/3.0/. "$C/"
    sed -i -e "s|^raddbdir = .*|raddbdir = $C|" -e "s|^logdir = .*|logdir = $T/radlog|" \
        -e "s|^run_dir = .*|run_dir = $T/radrun|" -e '/^\s*user = freerad/d' -e '/^\s*group = freerad/d' \
        -e 's/^\(\s*reject_delay =\).*/\1 0/' -e 's/^proxy_requests.*/proxy_requests = no/' "$C/radiusd.conf"
    printf 'client localhost {\n\tipaddr = 127.0.0.1\n\tsecret = %s\n}\n' "$SECRET" >"$C/clients.conf"
    rm -f "$C"/mods-enabled/* "$C"/sites-enabled/*
    for m in always expr files mschap pap preprocess; do ln -s "../mods-available/$m" "$C/mods-enabled/$m"; done
    # The shipped eap module's tls_max_version is 1.2; the third server raises it to 1.3 (the one change) to
    # prove the exported block does EAP-TLS 1.3 where a server offers it.
    { eap_module eap "$T/radius-chain.pem"; eap_module eap_rogue "$T/rogue.crt"
      eap_module eap_tls13 "$T/radius-chain.pem" 1.3; } >"$C/mods-enabled/eap"
    { site default eap "$1"; site rogue eap_rogue "$(($1 + 1))"; site tls13 eap_tls13 "$(($1 + 2))"; } \
        >"$C/sites-enabled/dot1x"
    cat >"$C/sites-enabled/inner" <<'X'
server inner-tunnel {
	authorize {
		mschap
		eap {
			ok = return
		}
		files
		pap
	}
	authenticate {
		Auth-Type MS-CHAP {
			mschap
		}
		eap
	}
}
X
    printf 'peapuser Cleartext-Password := "peap-secret"\n' >"$C/mods-config/files/authorize"
}

PORT=
for try in 1 2 3 4 5 6; do
    port=$((20000 + RANDOM % 40000))
    make_raddb "$port"
    freeradius -X -d "$C" >"$T/radius.log" 2>&1 &
    RAD_PID=$!
    for _ in $(seq 1 100); do
        grep -q "Ready to process requests" "$T/radius.log" && break
        kill -0 "$RAD_PID" 2>/dev/null || break
        sleep 0.1
    done
    if grep -q "Ready to process requests" "$T/radius.log"; then
        PORT=$port
        break
    fi
    stop_radius
    grep -q "Failed binding\|Address already in use" "$T/radius.log" || break
done
if [ -z "$PORT" ]; then
    echo "FAIL: FreeRADIUS did not start:"
    tail -20 "$T/radius.log"
    exit 1
fi
ROGUE=$((PORT + 1))
TLS13=$((PORT + 2))

# eapol: runs eapol_test with the exported block against a port; EAPOL is SUCCESS or FAILURE.
EAPOL=
eapol() { # conf port
    EAPOL=$(eapol_test -c "$1" -a 127.0.0.1 -p "$2" -s "$SECRET" -t 10 -r 0 2>&1 | tee "$T/eapol.log" | tail -n 1)
}
expect_eapol() { # what conf port SUCCESS|FAILURE [reason in the eapol_test log]
    eapol "$2" "$3"
    if [ "$EAPOL" != "$4" ]; then
        failures=$((failures + 1))
        echo "FAIL: eapol_test $1: got '$EAPOL', expected $4"
        grep -E "CTRL-EVENT|TLS: " "$T/eapol.log" | head -10
        return
    fi
    [ -z "${5:-}" ] || grep -qF -- "$5" "$T/eapol.log" || {
        failures=$((failures + 1))
        echo "FAIL: eapol_test $1: the log lacks '$5'"
    }
}
mode_of() { stat -c %a "$1"; }

# ---- the handset's store: RADIUS root in platform1, device certificate in platform2 ----
D=$T/store
O=$T/wpa
cat >"$T/wireless.cfg" <<X
<wireless device.set="1">
  <WPA2Enterprise.EAPTLS
    device.sec.TLS.customCaCert1="$(cat "$PKI/root-rsa.der.b64")" device.sec.TLS.customCaCert1.set="1"
    device.sec.TLS.customDeviceCert2="$(cat "$PKI/device.crt")" device.sec.TLS.customDeviceCert2.set="1"
    device.sec.TLS.customDeviceKey2="$(cat "$PKI/device-pkcs1.key")" device.sec.TLS.customDeviceKey2.set="1"
    device.sec.TLS.profile.deviceCert1="Platform2" device.sec.TLS.profile.deviceCert1.set="1"
    device.sec.TLS.profile.caCertList1="Platform1" device.sec.TLS.profile.caCertList1.set="1"/>
</wireless>
X
run store --dir "$D" apply "$T/wireless.cfg"
expect_rc 0

# ---- EAP-TLS with the platform2 device certificate ----
run dot1x --dir "$D" --out "$O" --eap tls --ssid "Corp WLAN" --name radius.test
expect_rc 0
expect_out "wrote $O/dot1x.conf (EAP-TLS)"
cp "$O/dot1x.conf" "$OUT"
expect_out 'ssid="Corp WLAN"'
expect_out "eap=TLS"
expect_out 'identity="handset-0004f2a1b2c3"'
expect_out "ca_cert=\"$O/dot1x-ca.pem\""
expect_out "client_cert=\"$O/dot1x-client.pem\""
expect_out "private_key=\"$O/dot1x-client.key\""
expect_out 'domain_match="radius.test"'
expect_out 'phase1="tls_disable_tlsv1_0=1 tls_disable_tlsv1_1=1 tls_disable_tlsv1_3=0"'
expect_no_out "subject_match"
expect_no_out "ca_path" # the profile (Platform1) leaves the built-in list out
for f in dot1x.conf dot1x-ca.pem dot1x-client.pem dot1x-client.key; do
    [ "$(mode_of "$O/$f")" = 600 ] || fail "$f has mode $(mode_of "$O/$f"), expected 600"
done
[ "$(mode_of "$O")" = 700 ] || fail "the output directory has mode $(mode_of "$O")"
ls -A "$O" | grep -q '^\.' && fail "temporary files left in $O: $(ls -A "$O")"
[ "$(openssl x509 -in "$O/dot1x-ca.pem" -outform DER | od -An -tx1)" = "$(od -An -tx1 <"$PKI/root-rsa.der")" ] ||
    fail "dot1x-ca.pem is not the root in platform1"
[ "$(grep -c 'BEGIN CERTIFICATE' "$O/dot1x-ca.pem")" -eq 1 ] || fail "dot1x-ca.pem should hold exactly 1 CA"
[ "$(openssl pkey -in "$O/dot1x-client.key" -pubout 2>/dev/null)" = \
    "$(openssl x509 -in "$O/dot1x-client.pem" -noout -pubkey)" ] || fail "dot1x-client.key does not match its certificate"
expect_eapol "EAP-TLS, right CA and name" "$O/dot1x.conf" "$PORT" SUCCESS "TLSv1.2" # the shipped tls_max_version
expect_eapol "EAP-TLS, untrusted RADIUS certificate" "$O/dot1x.conf" "$ROGUE" FAILURE "self-signed certificate"
expect_eapol "EAP-TLS 1.3, where the server offers it" "$O/dot1x.conf" "$TLS13" SUCCESS "TLSv1.3"

# A wrong server name under the strict check: the handshake is refused.
run dot1x --dir "$D" --out "$T/wrong" --eap tls --name other.test
expect_rc 0
expect_eapol "EAP-TLS, wrong name" "$T/wrong/dot1x.conf" "$PORT" FAILURE "Domain mismatch"
# domain_match is a full match, never a substring.
run dot1x --dir "$D" --out "$T/sub" --eap tls --name radius
expect_eapol "EAP-TLS, name a prefix of the certificate's" "$T/sub/dot1x.conf" "$PORT" FAILURE "Domain mismatch"

# Strict check on and no name: nothing is written.
run dot1x --dir "$D" --out "$T/noname" --eap tls
expect_rc 1
expect_err "the strict name check is on and no RADIUS server name is given"
[ ! -e "$T/noname" ] || fail "a refused export created $T/noname"

# ---- PEAP/MSCHAPv2 into the same directory: the client key goes away ----
printf 'peap-secret\n' >"$T/peap-password" # from a file: never on the command line
run dot1x --dir "$D" --out "$O" --eap peap --identity peapuser --password "@$T/peap-password" --name radius.test
expect_rc 0
cp "$O/dot1x.conf" "$OUT"
expect_out "eap=PEAP"
expect_out 'identity="peapuser"'
expect_out 'password="peap-secret"'
expect_out 'phase2="auth=MSCHAPV2"'
expect_out 'domain_match="radius.test"'
expect_no_out "client_cert"
expect_no_out "private_key"
[ ! -e "$O/dot1x-client.key" ] || fail "the EAP-TLS key of the earlier export is still there"
[ "$(mode_of "$O/dot1x.conf")" = 600 ] || fail "the PEAP network block (it holds the password) is not 0600"
expect_eapol "PEAP, right CA and name" "$O/dot1x.conf" "$PORT" SUCCESS
expect_eapol "PEAP, untrusted RADIUS certificate" "$O/dot1x.conf" "$ROGUE" FAILURE "self-signed certificate"
run dot1x --dir "$D" --out "$T/wrong" --eap peap --identity peapuser --password peap-secret --name other.test
expect_eapol "PEAP, wrong name" "$T/wrong/dot1x.conf" "$PORT" FAILURE "Domain mismatch"
run dot1x --dir "$D" --out "$T/badpw" --eap peap --identity peapuser --password wrong --name radius.test
expect_eapol "PEAP, wrong password" "$T/badpw/dot1x.conf" "$PORT" FAILURE

# ---- the default profile (All, built-in device certificate): ca_path, factory EC certificate ----
D2=$T/store2
cat >"$T/ca.cfg" <<X
<x device.set="1" device.sec.TLS.customCaCert2="$(cat "$PKI/root-rsa.crt")" device.sec.TLS.customCaCert2.set="1"
   sec.TLS.customCaCert.3="$(cat "$PKI/root-ec.crt")"/>
X
run store --dir "$D2" apply "$T/ca.cfg"
expect_rc 0
run dot1x --dir "$D2" --out "$T/builtin" --eap tls --name radius.test
expect_rc 1
expect_err "EAP-TLS needs a device certificate; the built-in one is unavailable"
run dot1x --dir "$D2" --out "$T/builtin" --eap tls --name RADIUS.test \
    --factory-cert "$PKI/device-ec.crt" --factory-key "$PKI/device-ec.key"
expect_rc 0
cp "$T/builtin/dot1x.conf" "$OUT"
expect_out 'identity="handset-ec"'
expect_out 'ca_path="/etc/ssl/certs"'
[ "$(grep -c 'BEGIN CERTIFICATE' "$T/builtin/dot1x-ca.pem")" -eq 2 ] || fail "All: expected platform2's and application3's CA"
grep -q "BEGIN EC PRIVATE KEY" "$T/builtin/dot1x-client.key" || fail "the EC key is not SEC1 PEM"
expect_eapol "EAP-TLS, built-in EC device certificate, All" "$T/builtin/dot1x.conf" "$PORT" SUCCESS

# ---- strict check off: no domain_match, logged as insecure ----
cat >"$T/off.cfg" <<'X'
<x device.set="1" device.sec.TLS.dot1x.strictCertCommonNameValidation="0"
   device.sec.TLS.dot1x.strictCertCommonNameValidation.set="1"/>
X
run store --dir "$D2" apply "$T/off.cfg"
run dot1x --dir "$D2" --out "$T/off" --eap peap --identity peapuser --password peap-secret
expect_rc 0
expect_err "strict name check is off"
expect_err "(insecure)"
cp "$T/off/dot1x.conf" "$OUT"
expect_no_out "domain_match"
expect_eapol "PEAP, strict check off" "$T/off/dot1x.conf" "$PORT" SUCCESS
expect_eapol "PEAP, strict check off, untrusted" "$T/off/dot1x.conf" "$ROGUE" FAILURE

# ---- usage ----
run dot1x --dir "$D" --out "$O" --eap md5 --name radius.test
expect_rc 2
run dot1x --dir "$D" --out "$O" --eap peap --identity peapuser --name radius.test
expect_rc 2
expect_err "PEAP needs an identity and a password"
run dot1x --dir "$D" --out "$O" --eap tls --password x --name radius.test
expect_rc 2
run dot1x --dir "$D" --out "$O" --eap tls --name 'radius.test" eap=MD5'
expect_rc 2
run dot1x --help
expect_rc 0
expect_out "usage: certslot dot1x"

stop_radius
finish
