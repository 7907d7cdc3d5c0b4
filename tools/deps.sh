#!/usr/bin/env bash
# Install everything the certslot build and tests need, then build the ARM
# sysroot (armhf mbedTLS, expat, cmocka, lwIP headers and libraries) under
# build/arm-sysroot/ without installing any armhf package on the host.
#
# Idempotent: when everything is present it only runs dpkg-query and reads
# the sysroot stamp, so a second run takes well under two seconds.
#
# Usage: tools/deps.sh [--host-only | --sysroot-only]
# Env:   ARM_SYSROOT  sysroot directory (default: <repo>/build/arm-sysroot)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sysroot=${ARM_SYSROOT:-$here/build/arm-sysroot}

do_host=1
do_sysroot=1
case "${1:-}" in
    --host-only) do_sysroot=0 ;;
    --sysroot-only) do_host=0 ;;
    "") ;;
    *) echo "usage: $0 [--host-only | --sysroot-only]" >&2; exit 2 ;;
esac

host_pkgs=(
    build-essential
    libmbedtls-dev
    libexpat1-dev
    libcmocka-dev
    liblwip-dev
    gcc-arm-linux-gnueabihf
    libc6-dev-armhf-cross
    qemu-user
    ca-certificates
    openssl
    valgrind
    clang
    libclang-rt-14-dev
    xxd
    nginx
    vsftpd
    tftpd-hpa
    freeradius
    eapoltest
    rsyslog
    rsyslog-gnutls
    slapd
    kamailio
    kamailio-tls-modules
)

# armhf packages unpacked (never installed) into the sysroot.
arm_pkgs=(
    libmbedtls-dev
    libmbedtls14
    libmbedcrypto7
    libmbedx509-1
    libexpat1-dev
    libexpat1
    libcmocka-dev
    libcmocka0
    liblwip-dev
    liblwip0
)

log() { echo "deps: $*" >&2; }
die() { echo "deps: error: $*" >&2; exit 1; }

# Run a command as root: directly when we are root, else through sudo.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@" || die "'sudo $*' failed (passwordless sudo needed, or run 'make deps' as root)"
    else
        die "need root to run '$*': run as root or install sudo"
    fi
}

apt_updated=0
apt_update() {
    [ "$apt_updated" -eq 0 ] || return 0
    apt_updated=1
    local try
    for try in 1 2 3; do
        log "apt-get update"
        if as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2; then
            return 0
        fi
        [ "$try" -eq 3 ] || sleep "$try"
    done
    # A mirror caught mid-sync fails one index ("File has unexpected size");
    # apt keeps the lists it did get, which is usually enough: go on, and let
    # the install or download below report what is really missing.
    log "warning: apt-get update reported errors; continuing with the lists it fetched"
}

is_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

stamp=$sysroot/.stamp
want_names=$(printf '%s\n' "${arm_pkgs[@]}" | sort)
sysroot_ok() {
    [ -f "$stamp" ] && [ "$(cut -d= -f1 "$stamp" | sort)" = "$want_names" ]
}
armhf_enabled() { dpkg --print-foreign-architectures | grep -qx armhf; }
enable_armhf() {
    log "enabling the armhf architecture (for apt-get download only)"
    as_root dpkg --add-architecture armhf
    apt_updated=0
}

# A fresh machine: enable armhf before the first apt-get update, so one
# update fetches both the host and the armhf package lists.
if [ "$do_sysroot" -eq 1 ] && ! sysroot_ok && ! armhf_enabled; then
    enable_armhf
fi

# ---------------------------------------------------------------- host ---
if [ "$do_host" -eq 1 ]; then
    missing=()
    for p in "${host_pkgs[@]}"; do
        is_installed "$p" || missing+=("$p")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        log "installing: ${missing[*]}"
        apt_update
        # The test servers (nginx, vsftpd, tftpd-hpa) are started by the tests
        # on high ports: keep their packages from starting system services
        # (policy-rc.d 101 = "not allowed"), restoring any policy we found.
        policy=/usr/sbin/policy-rc.d
        had_policy=0
        [ -e "$policy" ] && had_policy=1 && as_root cp -p "$policy" "$policy.certslot-saved"
        printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
        as_root chmod 755 "$policy"
        rc=0
        as_root env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 || rc=$?
        if [ "$had_policy" -eq 1 ]; then
            as_root mv -f "$policy.certslot-saved" "$policy"
        else
            as_root rm -f "$policy"
        fi
        [ "$rc" -eq 0 ] || die "apt-get install failed"
        # The daemons the peer tests run (rsyslog, slapd, kamailio, freeradius) must not
        # stay behind as system services: for the ones just installed, stop
        # any instance (found by its init script's pidfile) and keep it off at
        # boot. A logger the machine already had is left alone.
        for s in rsyslog slapd kamailio freeradius; do
            case " ${missing[*]} " in *" $s "*) ;; *) continue ;; esac
            if [ -d /run/systemd/system ]; then
                as_root systemctl disable --now "$s" >/dev/null 2>&1 || true
            elif [ -x "/etc/init.d/$s" ]; then
                as_root "/etc/init.d/$s" stop >/dev/null 2>&1 || true
                as_root update-rc.d "$s" disable >/dev/null 2>&1 || true
            fi
        done
    fi
fi

[ "$do_sysroot" -eq 1 ] || exit 0

# ------------------------------------------------------------- sysroot ---
# Fast path: the stamp lists exactly the packages we want (name=version).
sysroot_ok && exit 0

mkdir -p "$(dirname "$sysroot")"
# Serialise concurrent runs (make -j, two shells) on the same sysroot.
exec 9>"$sysroot.lock"
flock 9
sysroot_ok && exit 0

if ! armhf_enabled; then
    enable_armhf
    apt_update
fi

arm_refs=()
for p in "${arm_pkgs[@]}"; do arm_refs+=("$p:armhf"); done

# Candidate version of every armhf package, or nothing when apt has no
# armhf lists yet.
candidates() {
    LC_ALL=C apt-cache policy "${arm_refs[@]}" 2>/dev/null | awk '
        /^[^ ].*:$/ { name = $1; sub(/:armhf:$/, "", name); sub(/:$/, "", name) }
        /^  Candidate:/ { if ($2 != "(none)") print name "=" $2 }'
}

versions=$(candidates)
if [ "$(printf '%s\n' "$versions" | grep -c =)" -ne "${#arm_pkgs[@]}" ]; then
    apt_update
    versions=$(candidates)
fi
[ "$(printf '%s\n' "$versions" | grep -c =)" -eq "${#arm_pkgs[@]}" ] ||
    die "apt has no armhf candidate for some of: ${arm_pkgs[*]} (got: $(echo $versions))"

log "building ARM sysroot in $sysroot"
tmp=$(mktemp -d "$sysroot.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/debs"

download() {
    local refs=()
    local nv
    while read -r nv; do refs+=("${nv%%=*}:armhf=${nv#*=}"); done <<<"$versions"
    # As root, apt drops privileges to _apt for downloads, which cannot write
    # into our directory; download as root instead (no sandbox warning).
    (cd "$tmp/debs" && apt-get download -q -o APT::Sandbox::User=root "${refs[@]}") >&2
}
if ! download; then
    log "download failed; refreshing apt lists and retrying"
    apt_updated=0
    apt_update
    versions=$(candidates)
    download
fi

for deb in "$tmp"/debs/*.deb; do
    dpkg -x "$deb" "$tmp/root"
done
mv "$tmp/debs" "$tmp/root/debs"

# Some symlinks in the debs are absolute (usr/lib/.../libexpat.so ->
# /lib/.../libexpat.so.1.8.10): re-point them inside the sysroot.
while IFS= read -r -d '' link; do
    target=$(readlink "$link")
    case "$target" in
        /*) ln -sfnr "$tmp/root$target" "$link" ;;
    esac
done < <(find "$tmp/root" -type l -print0)

# usrmerge-style lookups: the runtime .so files live in lib/, the linker
# and LD_LIBRARY_PATH look in usr/lib/: make usr/lib/<triplet> complete.
multi=arm-linux-gnueabihf
if [ -d "$tmp/root/lib/$multi" ]; then
    mkdir -p "$tmp/root/usr/lib/$multi"
    for f in "$tmp/root/lib/$multi"/*; do
        base=$(basename "$f")
        [ -e "$tmp/root/usr/lib/$multi/$base" ] || [ -L "$tmp/root/usr/lib/$multi/$base" ] ||
            ln -s "../../../lib/$multi/$base" "$tmp/root/usr/lib/$multi/$base"
    done
fi

for a in libmbedtls.a libmbedx509.a libmbedcrypto.a libexpat.a; do
    [ -f "$tmp/root/usr/lib/$multi/$a" ] || die "sysroot lacks usr/lib/$multi/$a"
done
[ -e "$tmp/root/usr/lib/$multi/libcmocka.so.0" ] || die "sysroot lacks libcmocka.so.0"

printf '%s\n' "$versions" >"$tmp/root/.stamp"
rm -rf "$sysroot"
mv "$tmp/root" "$sysroot"
log "ARM sysroot ready: $(echo $versions)"
