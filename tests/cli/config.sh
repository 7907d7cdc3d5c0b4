#!/usr/bin/env bash
# certslot config / lint / params, as an administrator uses them.
. "$(dirname "$0")/../common/cli.sh"
S=$DATA/seed001

# The seed-001 wireless.cfg: effective settings in canonical spelling, registry order.
run config "$S/wireless.cfg"
expect_rc 0
expect_out "device.set = 1"
expect_out "device.sec.TLS.customCaCert1 = MIIDcTCCAlmgAwIBAgIQfd7Y9uouwrFM37k8j7dKhz"
expect_out "device.sec.TLS.profileSelection.provisioning = PlatformProfile2"
expect_out "device.prov.serverType = 4"
expect_no_out "customCaCert2"
expect_no_out "device.prov.user"
expect_err "wireless.cfg:20:5: warning: unknown parameter 'device.sec.TLS.cusomCaCert2.set'; did you mean 'device.sec.TLS.customCaCert2.set'?"
[ "$(head -1 "$OUT")" = "device.set = 1" ] || fail "registry order: device.set first"

# lint: only diagnostics, notes included, on stdout.
run lint "$S/wireless.cfg"
expect_rc 1 # the seed's pasted 802.1X CA is expired (tests/cli/lint_certs.sh)
expect_out "wireless.cfg:19:5: note: value present but device.sec.TLS.customCaCert2.set is not 1: ignored"
expect_out "wireless.cfg:20:5: warning: unknown parameter 'device.sec.TLS.cusomCaCert2.set'"
expect_no_out "MIID"

# A PEM certificate value is kept as its DER: config shows it as PEM again, a block per certificate, whether its
# lines came as newlines or as &#10;.
PKI=${CERTSLOT_TESTPKI:?}
pem=$(cat "$PKI/root-ec.crt" "$PKI/inter.crt")
printf '<x sec.TLS.customCaCert.1="%s" sec.TLS.customCaCert.2="%s"/>\n' "$pem" "$(printf '%s' "$pem" |
    awk '{printf "%s&#10;", $0}')" >"$T/pem.cfg"
want=$(printf '%s\n' "$pem" | awk '{printf "%s\\n", $0}')
for n in 1 2; do
    run config --get sec.TLS.customCaCert.$n "$T/pem.cfg"
    expect_rc 0
    expect_out_exactly "$want"
done

# --get prints one value (the default when unset) and nothing else.
run config --get DEVICE.PROV.SERVERTYPE "$S/wireless.cfg"
expect_rc 0
expect_out_exactly "4"
run config --get sec.TLS.protocol.sip "$S/wireless.cfg"
expect_out_exactly "TLSv1_2"
run config --get device.sec.TLS.customCaCert2 "$S/wireless.cfg"
expect_out_exactly ""
run config --get device.sec.tls.cusomCaCert2 "$S/wireless.cfg"
expect_rc 2
expect_err "did you mean 'device.sec.TLS.customCaCert2'?"

# Master file with CONFIG_FILES: the per-handset file wins over site.cfg and wireless.cfg.
run config --master --mac 00:04:f2:a1:b2:c3 "$S/000000000000.cfg"
expect_rc 0
expect_out "device.prov.serverName = prov2.example.com"
expect_out "sec.TLS.profileSelection.SIP = ApplicationProfile1"
expect_out "device.sec.TLS.profileSelection.syslog = ApplicationProfile1"
run config --master "$S"
expect_rc 0
expect_out "device.prov.serverName = prov.example.com"
expect_err "names '000000000000-ext.cfg', which does not exist; skipped"

# Left overrides right on the command line too.
cat >"$T/a.cfg" <<'X'
<x sec.TLS.protocol.sip="TLSv1_1"/>
X
cat >"$T/b.cfg" <<'X'
<x sec.TLS.protocol.sip="TLSv1_0" sec.TLS.protocol.ldap="SSLv2v3"/>
X
run config "$T/a.cfg" "$T/b.cfg"
expect_out "sec.TLS.protocol.sip = TLSv1_1"
expect_out "sec.TLS.protocol.ldap = SSLv2v3"

# A bad value: error with file:line:col, exit 1, the rest applies.
cat >"$T/bad.cfg" <<'X'
<x sec.TLS.protocol.ldap="TLSv1_0"
   sec.TLS.protocol.sip="TLSv3"/>
X
run config "$T/bad.cfg"
expect_rc 1
expect_err "bad.cfg:2:4: error: sec.TLS.protocol.sip: expected one of SSLv2v3,TLSv1_0,TLSv1_1,TLSv1_2"
expect_out "sec.TLS.protocol.ldap = TLSv1_0"
run lint "$T/bad.cfg"
expect_rc 1

# Not well-formed: the whole file is rejected.
printf '<x sec.TLS.protocol.ldap="TLSv1_0">\n<y>\n</x>\n' >"$T/broken.cfg"
run config "$T/broken.cfg"
expect_rc 1
expect_err "broken.cfg:3:3: error: not well-formed XML: mismatched tag; nothing in this file applies"
expect_no_out "ldap"

# Secrets are never printed.
PK="PRIVATE KEY" # (split so that no tracked file looks like it holds a key)
cat >"$T/secret.cfg" <<X
<x device.set="1" device.prov.password="hunter2" device.prov.password.set="1"
   sec.TLS.customDeviceKey.1="-----BEGIN $PK-----MIIEvQIBADAN-----END $PK-----"/>
X
run config "$T/secret.cfg"
expect_out "device.prov.password = <secret>"
expect_out "sec.TLS.customDeviceKey.1 = <secret>"
expect_no_out "hunter2"
cat >"$T/url.cfg" <<'X'
<x device.set="1" device.prov.serverName="https://bob:s3cret@prov.example.com/cfg" device.prov.serverName.set="1"/>
X
run config "$T/url.cfg"
expect_out "device.prov.serverName = https://bob:<secret>@prov.example.com/cfg"
expect_no_out "s3cret"
expect_no_out "MIIEvQ"
# '@', ':' and percent escapes in user and password: the firmware's URL parser decides what the password is,
# for config, lint (a wrong port makes it report the value), provisioning's messages and its log lines.
check_hidden() { # password-fragment...
    for frag in "$@"; do
        grep -qF -- "$frag" "$OUT" "$ERR" && fail "shows '$frag' of the password"
    done
    return 0
}
while IFS='|' read -r url shown frags; do
    printf '<x device.set="1" device.prov.serverName="%s" device.prov.serverName.set="1"/>\n' "$url" >"$T/url.cfg"
    run config "$T/url.cfg"
    expect_out "device.prov.serverName = $shown"
    check_hidden $frags
    run config --get device.prov.serverName "$T/url.cfg"
    expect_out_exactly "$shown"
    run lint "$T/url.cfg"
    check_hidden $frags
    # A wrong port: lint reports the value's problem, never the value.
    printf '<x device.set="1" device.prov.serverName="%s" device.prov.serverName.set="1"/>\n' "${url/.com/.com:0}" \
        >"$T/url-bad.cfg"
    run lint "$T/url-bad.cfg"
    expect_rc 1
    expect_out "device.prov.serverName: bad port"
    check_hidden $frags
    # Provisioning that fails (nobody listens on port 1), in its messages and log lines.
    run provision --dir "$T/prov-store" --mac 0004f2a1b2c3 --timeout 2 --server "${url/.com/.com:1}"
    expect_rc 1
    expect_err "cannot connect"
    check_hidden $frags
done <<'X'
ftp://admin:Top@Secret99@prov.example.com/dir|ftp://admin:<secret>@prov.example.com/dir|Top Secret99
ftps://u:pa:ss@w:rd@prov.example.com/|ftps://u:<secret>@prov.example.com/|pa:ss ss@w w:rd
https://ad%40min:p%40ss%3Aw0rd@prov.example.com/x|https://ad%40min:<secret>@prov.example.com/x|p%40ss p@ss w0rd
X

# Usage errors and unreadable files: exit 2.
run config
expect_rc 2
run config --bogus "$T/a.cfg"
expect_rc 2
run config "$T/does-not-exist.cfg"
expect_rc 2
expect_err "does-not-exist.cfg: error: cannot read: No such file or directory"
run config --mac 12345 "$T/a.cfg"
expect_rc 2
run frobnicate
expect_rc 2

# Help.
run config --help
expect_rc 0
expect_out "usage: certslot config"
run lint --help
expect_rc 0
expect_out "usage: certslot lint"
run --help
expect_rc 0
expect_out "config"

# The registry table.
run params --markdown
expect_rc 0
expect_out '| `device.sec.TLS.customCaCertN` (+`.set`) | N=1..2 | certificate |'
expect_out '| `sec.TLS.profile.N.caCert.applicationM` | N=1..6, M=1..6 | 0/1 |'
finish
