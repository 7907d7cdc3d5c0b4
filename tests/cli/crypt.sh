#!/usr/bin/env bash
# certslot encrypt / decrypt, and config / lint --key on encrypted files.
. "$(dirname "$0")/../common/cli.sh"
K='Crypt=1;KeyDesc=site-2026;Key=00112233445566778899aabbccddeeff;'
K_WRONG='Crypt=1;KeyDesc=site-2026;Key=00112233445566778899aabbccddeefe;'
K_OTHER='Crypt=1;KeyDesc=site-2027;Key=00112233445566778899aabbccddeeff;'

cat >"$T/site.cfg" <<'X'
<?xml version="1.0" encoding="UTF-8"?>
<site sec.TLS.protocol.sip="TLSv1_1"
      sec.TLS.protocol.ldap="TLSv1_0"/>
X

# encrypt: the header line, no plaintext, OUT world-readable like any config file.
run encrypt --key "$K" "$T/site.cfg" "$T/site.enc"
expect_rc 0
expect_empty_err
[ "$(head -1 "$T/site.enc")" = "CERTSLOT-ENCRYPTED-CONFIG v1 keydesc=site-2026" ] || fail "header line"
if grep -q TLSv1 "$T/site.enc"; then fail "plaintext in the encrypted file"; fi
ls "$T"/site.enc.* >/dev/null 2>&1 && fail "temporary file left behind"

# config --key reads it, with file and line positions of the decrypted text.
run config --key "$K" "$T/site.enc"
expect_rc 0
expect_out "sec.TLS.protocol.sip = TLSv1_1"
expect_out "sec.TLS.protocol.ldap = TLSv1_0"
# The key from a file (@FILE) keeps it out of the process list.
printf '%s\n' "$K" >"$T/key.txt"
run lint --key "@$T/key.txt" "$T/site.enc"
expect_rc 0
run config --key - "$T/site.enc" <<<"$K" # or from standard input
expect_rc 0
expect_out "sec.TLS.protocol.sip = TLSv1_1"
# Plain and encrypted files mix; the left file still wins.
printf '<a sec.TLS.protocol.sip="TLSv1_0"/>\n' >"$T/a.cfg"
run config --key "$K" "$T/a.cfg" "$T/site.enc"
expect_out "sec.TLS.protocol.sip = TLSv1_0"
expect_out "sec.TLS.protocol.ldap = TLSv1_0"

# No key, another key, the wrong key: refused whole (exit 1) with a message naming the labels.
run config "$T/site.enc"
expect_rc 1
expect_err "site.enc:1:1: error: encrypted with key 'site-2026', but no key was supplied; nothing in this file applies"
expect_no_out "sec.TLS"
run lint --key "$K_OTHER" "$T/site.enc"
expect_rc 1
expect_out "site.enc:1:1: error: encrypted with key 'site-2026', but the key supplied is 'site-2027'"
run decrypt --key "$K_WRONG" "$T/site.enc" "$T/out.cfg"
expect_rc 1
expect_err "site.enc:1:1: error: encrypted file failed authentication"
[ -e "$T/out.cfg" ] && fail "decrypt wrote OUT for a wrong key"

# decrypt: byte for byte the original, mode 0600.
run decrypt --key "$K" "$T/site.enc" "$T/out.cfg"
expect_rc 0
cmp -s "$T/site.cfg" "$T/out.cfg" || fail "decrypted file differs from the original"
[ "$(stat -c %a "$T/out.cfg")" = 600 ] || fail "decrypted file mode is $(stat -c %a "$T/out.cfg"), not 600"

# Tampered (one character of the body) or truncated: exit 1, OUT untouched.
first=$(sed -n 2p "$T/site.enc" | cut -c1)
new=A; [ "$first" = A ] && new=B
sed "2s/^./$new/" "$T/site.enc" >"$T/tampered.enc"
cmp -s "$T/site.enc" "$T/tampered.enc" && fail "tampering did not change the file"
echo "keep" >"$T/out.cfg"
run decrypt --key "$K" "$T/tampered.enc" "$T/out.cfg"
expect_rc 1
expect_err "tampered.enc:1:1: error: encrypted file failed authentication: it was altered or truncated"
expect_err "out.cfg not written"
[ "$(cat "$T/out.cfg")" = keep ] || fail "OUT changed by a refused decrypt"
run config --key "$K" "$T/tampered.enc"
expect_rc 1
expect_err "tampered.enc:1:1: error: encrypted file failed authentication"
head -c 80 "$T/site.enc" >"$T/cut.enc"
run decrypt --key "$K" "$T/cut.enc" "$T/out.cfg"
expect_rc 1
expect_err "cut.enc:1:1: error:"

# Refusals of encrypt, and usage errors (exit 2).
run encrypt --key "$K" "$T/site.enc" "$T/twice.enc"
expect_rc 1
expect_err "is encrypted already"
printf '<x a="1"' >"$T/broken.cfg"
run encrypt --key "$K" "$T/broken.cfg" "$T/broken.enc"
expect_rc 1
expect_err "not well-formed XML"
[ -e "$T/broken.enc" ] && fail "encrypt wrote OUT for broken XML"
run decrypt --key "$K" "$T/site.cfg" "$T/x.cfg"
expect_rc 1
expect_err "not an encrypted config file"
run encrypt --key 'Crypt=1;KeyDesc=x;Key=0011;' "$T/site.cfg" "$T/x.enc"
expect_rc 2
expect_err "Key must be 32 hex digits"
run config --key 'Crypt=1;KeyDesc=x;Key=0011;' "$T/site.cfg"
expect_rc 2
run encrypt "$T/site.cfg" "$T/x.enc"
expect_rc 2
expect_err "--key is required"
run decrypt --key "$K" "$T/missing.enc" "$T/x.cfg"
expect_rc 2
expect_err "cannot read"
run encrypt --help
expect_rc 0
expect_out "CERTSLOT-ENCRYPTED-CONFIG v1"
finish
