#!/usr/bin/env bash
# Install everything the certslot build and tests need, build the ARM sysroot
# (armhf expat, cmocka, lwIP headers and libraries) under build/arm-sysroot/
# without installing any armhf package on the host or adding armhf to dpkg's
# architectures (an apt configuration of our own: build/apt-armhf/), and fetch the source of
# mbedTLS 3.6 (Debian's source package, below) into build/mbedtls-src/, which the
# Makefile builds for the host and for ARM with the project's configuration.
#
# Idempotent: when everything is present it only runs dpkg-query and reads
# the stamps, so a second run takes well under two seconds.
#
# The system image (make qemu-image) gets an armhf kernel with its modules and a static busybox the same way,
# unpacked into build/arm-guest/.
#
# Usage: tools/deps.sh [--host-only | --sysroot-only | --mbedtls-only | --guest-only]
# Env:   ARM_SYSROOT  sysroot directory (default: <repo>/build/arm-sysroot)
#        MBEDTLS_DEB_VERSION  another Debian version of the mbedtls source package
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sysroot=${ARM_SYSROOT:-$here/build/arm-sysroot}

# The mbedTLS source package: pinned here, and only here. Debian 13 ships
# 3.6.6 (3.6.6-0.1~deb13u1), whose TLS 1.2 client refuses a ServerKeyExchange
# signed with rsa_pss_rsae_* whenever it also offers TLS 1.3 (upstream
# Mbed-TLS/mbedtls#10668: every TLS 1.2 server with an RSA key that prefers
# PSS, OpenSSL's default), and which lacks the fixes of eight CVEs 3.6.7
# carries (among them an X.509 CA bit forgery). So the pin is Debian's own
# 3.6.7 source package, from unstable, until Debian 13 has it (trixie,
# trixie-updates and trixie-security are searched too: move the pin to the
# trixie version then). When the pinned version leaves the archive, the
# fetch fails and says which versions it has: move the pin to one of them.
MBEDTLS_DEB_VERSION=${MBEDTLS_DEB_VERSION:-3.6.7-3}
mbedtls_src=$here/build/mbedtls-src

do_host=1
do_sysroot=1
do_mbedtls=1
do_guest=1
case "${1:-}" in
    --host-only) do_sysroot=0 do_mbedtls=0 do_guest=0 ;;
    --sysroot-only) do_host=0 do_mbedtls=0 do_guest=0 ;;
    --mbedtls-only) do_host=0 do_sysroot=0 do_guest=0 ;;
    --guest-only) do_host=0 do_sysroot=0 do_mbedtls=0 ;;
    "") ;;
    *) echo "usage: $0 [--host-only | --sysroot-only | --mbedtls-only | --guest-only]" >&2; exit 2 ;;
esac

host_pkgs=(
    build-essential
    dpkg-dev
    bzip2
    xz-utils
    debian-archive-keyring
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
    doxygen
    nginx
    apache2
    apache2-utils
    vsftpd
    tftpd-hpa
    freeradius
    eapoltest
    rsyslog
    rsyslog-gnutls
    slapd
    kamailio
    kamailio-tls-modules
    libhiredis0.14
    libmemcached11
    libmemcachedutil2
    libpcre2-posix3
    libsodium23
    libwrap0
    qemu-system-arm
    e2fsprogs
    cpio
)

# Test servers whose packages conflict with ones above (ftp-server, tftpd): unpacked, never installed, into
# build/servers/ (their libraries come with host_pkgs); the tests run their binaries from there.
server_pkgs=(
    proftpd-core
    proftpd-mod-crypto
    pure-ftpd
    pure-ftpd-common
    atftpd
)
servers=$here/build/servers

# armhf packages of the system image (make qemu-image), unpacked (never installed) into build/arm-guest/:
# the kernel (the metapackage names the current linux-image-*-armmp, which is what is fetched) and busybox.
guest_pkgs=(
    linux-image-armmp
    busybox-static
)
guest=$here/build/arm-guest

# armhf packages unpacked (never installed) into the sysroot.
arm_pkgs=(
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
    local try=0 fails=0 err
    err=$(mktemp)
    while [ "$fails" -lt 3 ]; do
        log "apt-get update"
        if as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 2>"$err"; then
            cat "$err" >&2
            rm -f "$err"
            return 0
        fi
        cat "$err" >&2
        # Another apt holds the system's lists (a fresh machine's daily update or unattended upgrades): wait
        # for it, up to 10 minutes. (apt-get install waits by itself: DPkg::Lock::Timeout below.)
        if grep -q "Could not get lock" "$err" && [ $((try += 1)) -le 120 ]; then
            log "another apt holds the package lists; waiting"
            sleep 5
            continue
        fi
        fails=$((fails + 1))
        [ "$fails" -eq 3 ] || sleep "$fails"
    done
    rm -f "$err"
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
# armhf packages are looked up and downloaded through an apt configuration of our own under build/apt-armhf/:
# the system's sources (read, never changed), armhf as the only architecture, and lists, cache and an empty dpkg
# status of its own. dpkg's architectures, the system's lists and its locks are never touched, and no root is needed.
armhf_apt=$here/build/apt-armhf
armhf_opts=(-q -o APT::Architecture=armhf -o APT::Architectures::=armhf -o "Dir::State::Lists=$armhf_apt/lists"
    -o "Dir::State::status=$armhf_apt/status" -o "Dir::Cache=$armhf_apt/cache")
# As root, apt drops privileges to _apt for downloads, which cannot write into our directories: stay root.
[ "$(id -u)" -ne 0 ] || armhf_opts+=(-o APT::Sandbox::User=root)
armhf_updated=0
armhf_update() {
    [ "$armhf_updated" -eq 0 ] || return 0
    armhf_updated=1
    mkdir -p "$armhf_apt/lists/partial" "$armhf_apt/cache/archives/partial"
    [ -f "$armhf_apt/status" ] || : >"$armhf_apt/status"
    local try
    for try in 1 2 3; do
        log "apt-get update (armhf lists, in $armhf_apt)"
        apt-get "${armhf_opts[@]}" update >&2 && return 0
        [ "$try" -eq 3 ] || sleep "$try"
    done
    log "warning: apt-get update of the armhf lists reported errors; continuing with the lists it fetched"
}
# The armhf lists, fetched when there are none yet (lookups that find nothing fetch them again).
armhf_lists() { [ -f "$armhf_apt/status" ] || armhf_update; }
# apt-cache or apt-get over the armhf lists.
armhf_run() { "$1" "${armhf_opts[@]}" "${@:2}"; }

guest_names=$(printf '%s\n' "${guest_pkgs[@]}" | sort)
guest_ok() {
    [ -f "$guest/.stamp" ] && [ "$(cut -d= -f1 "$guest/.stamp" | sort)" = "$guest_names" ]
}

# ---------------------------------------------------------------- host ---
if [ "$do_host" -eq 1 ]; then
    missing=()
    for p in "${host_pkgs[@]}"; do
        is_installed "$p" || missing+=("$p")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        log "installing: ${missing[*]}"
        apt_update
        # The test servers (nginx, apache2, vsftpd, tftpd-hpa) are started by the tests
        # on high ports: keep their packages from starting system services
        # (policy-rc.d 101 = "not allowed"), restoring any policy we found.
        policy=/usr/sbin/policy-rc.d
        had_policy=0
        [ -e "$policy" ] && had_policy=1 && as_root cp -p "$policy" "$policy.certslot-saved"
        printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null
        as_root chmod 755 "$policy"
        rc=0
        as_root env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >&2 || rc=$?
        if [ "$had_policy" -eq 1 ]; then
            as_root mv -f "$policy.certslot-saved" "$policy"
        else
            as_root rm -f "$policy"
        fi
        [ "$rc" -eq 0 ] || die "apt-get install failed"
        # The daemons the peer tests run (rsyslog, slapd, kamailio, freeradius, apache2) must not
        # stay behind as system services: for the ones just installed, stop
        # any instance (found by its init script's pidfile) and keep it off at
        # boot. A logger the machine already had is left alone.
        for s in rsyslog slapd kamailio freeradius apache2; do
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

# ------------------------------------------------- unpacked servers ---
unpack_servers() {
    local stamp_file=$servers/.stamp want
    want=$(printf '%s\n' "${server_pkgs[@]}")
    [ "$(cat "$stamp_file" 2>/dev/null)" = "$want" ] && return 0
    local tmp
    tmp=$(mktemp -d "$here/build/servers.tmp.XXXXXX")
    log "unpacking test servers: ${server_pkgs[*]}"
    apt_update
    local opts=()
    [ "$(id -u)" -ne 0 ] || opts+=(-o APT::Sandbox::User=root)
    if ! (cd "$tmp" && apt-get -q "${opts[@]}" download "${server_pkgs[@]}" >&2); then
        rm -rf "$tmp"
        die "apt-get download ${server_pkgs[*]} failed"
    fi
    mkdir -p "$tmp/root"
    for d in "$tmp"/*.deb; do dpkg -x "$d" "$tmp/root" || { rm -rf "$tmp"; die "dpkg -x $d failed"; }; done
    echo "$want" >"$tmp/root/.stamp"
    rm -rf "$servers"
    mv "$tmp/root" "$servers"
    rm -rf "$tmp"
}
[ "$do_host" -eq 0 ] || unpack_servers

# ------------------------------------------------------ mbedTLS source ---
# Debian's source package through an apt configuration of our own under
# build/: its own source list (deb-src lines for trixie and unstable, signed
# by the Debian archive keyring the system already trusts), lists and cache. apt
# checks the Sources index against the archive's signed Release file and
# every downloaded file against the index (the uploader's own signature on
# the .dsc needs debian-keyring, which is not installed: dpkg-source warns
# about it, and the archive's signature already covers the files);
# dpkg-source checks the checksums again and applies Debian's patches. The system's apt sources are never touched, and
# nothing is installed.
fetch_mbedtls() {
    local stamp_file=$mbedtls_src/.stamp want="mbedtls=$MBEDTLS_DEB_VERSION"
    [ "$(cat "$stamp_file" 2>/dev/null)" = "$want" ] && return 0
    local apt=$here/build/apt-trixie
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
    exec 8>"$apt.lock"
    flock 8
    [ "$(cat "$stamp_file" 2>/dev/null)" = "$want" ] && return 0
    local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    [ -f "$keyring" ] || die "$keyring is missing (package debian-archive-keyring)"
    printf 'deb-src [signed-by=%s] http://deb.debian.org/%s main\n' \
        "$keyring" "debian trixie" "$keyring" "debian trixie-updates" \
        "$keyring" "debian-security trixie-security" "$keyring" "debian sid" >"$apt/sources.list"
    # Valid-Until is not checked: unstable's index expires within a week, and a mirror that lags or a machine
    # whose apt reads a snapshot would stop here. The pin names one version, whose files are still checked
    # against the archive's signature over that index, so an old index cannot slip in another file.
    local opts=(-q -o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o Acquire::Check-Valid-Until=false)
    [ "$(id -u)" -ne 0 ] || opts+=(-o APT::Sandbox::User=root)
    log "fetching the mbedtls $MBEDTLS_DEB_VERSION source package"
    apt-get "${opts[@]}" update >&2 || die "cannot read Debian's source lists (network?)"
    local have
    have=$(apt-cache "${opts[@]}" showsrc mbedtls 2>/dev/null | awk '/^Version:/ { print $2 }' | sort -u | tr '\n' ' ')
    case " $have " in
        *" $MBEDTLS_DEB_VERSION "*) ;;
        *) die "Debian no longer has mbedtls $MBEDTLS_DEB_VERSION; it has: ${have:-nothing}." \
               "Move the pin (MBEDTLS_DEB_VERSION in tools/deps.sh) to the 3.6.x one of those, then make deps and make test." ;;
    esac
    case "$MBEDTLS_DEB_VERSION" in
        3.6.*) ;;
        *) die "mbedtls $MBEDTLS_DEB_VERSION is not the 3.6 LTS line" ;;
    esac
    local tmp
    tmp=$(mktemp -d "$mbedtls_src.tmp.XXXXXX")
    if ! (cd "$tmp" && apt-get "${opts[@]}" source --download-only "mbedtls=$MBEDTLS_DEB_VERSION" >&2 &&
        dpkg-source -x mbedtls_*.dsc src >&2); then
        rm -rf "$tmp"
        die "the mbedtls $MBEDTLS_DEB_VERSION source package could not be fetched and checked out"
    fi
    echo "$want" >"$tmp/src/.stamp"
    rm -rf "$mbedtls_src"
    mv "$tmp/src" "$mbedtls_src"
    rm -rf "$tmp"
    log "mbedtls $MBEDTLS_DEB_VERSION source ready in $mbedtls_src"
}
[ "$do_mbedtls" -eq 0 ] || fetch_mbedtls

# ------------------------------------------------------- system image ---
# The stamp holds name=version for busybox-static, and linux-image-armmp=PACKAGE=VERSION for the kernel: the
# package the metapackage depends on (linux-image-6.1.0-N-armmp), which is what is fetched.
armmp_kernel() {
    armhf_run apt-cache depends linux-image-armmp:armhf 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-.*-armmp(:armhf)?$/ { sub(/:armhf$/, "", $2); print $2; exit }'
}
unpack_guest() {
    guest_ok && return 0
    mkdir -p "$(dirname "$guest")"
    exec 7>"$guest.lock"
    flock 7
    guest_ok && return 0
    local kernel refs=() stamp_lines=() p v tmp
    armhf_lists
    kernel=$(armmp_kernel)
    [ -n "$kernel" ] || { armhf_update; kernel=$(armmp_kernel); }
    [ -n "$kernel" ] || die "apt has no armhf linux-image-armmp (is armhf in the package lists?)"
    for p in "$kernel" busybox-static; do
        v=$(LC_ALL=C armhf_run apt-cache policy "$p:armhf" 2>/dev/null | awk '/^  Candidate:/ { print $2 }')
        [ -n "$v" ] && [ "$v" != "(none)" ] || die "apt has no armhf candidate for $p"
        refs+=("$p:armhf=$v")
    done
    stamp_lines=("linux-image-armmp=$kernel=${refs[0]##*=}" "busybox-static=${refs[1]##*=}")
    log "unpacking the system image's kernel and busybox: ${refs[*]}"
    tmp=$(mktemp -d "$guest.tmp.XXXXXX")
    if ! (cd "$tmp" && armhf_run apt-get download "${refs[@]}" >&2); then
        rm -rf "$tmp"
        die "apt-get download ${refs[*]} failed"
    fi
    mkdir -p "$tmp/root"
    for d in "$tmp"/*.deb; do dpkg -x "$d" "$tmp/root" || { rm -rf "$tmp"; die "dpkg -x $d failed"; }; done
    ls "$tmp"/root/boot/vmlinuz-* >/dev/null 2>&1 || { rm -rf "$tmp"; die "$kernel has no /boot/vmlinuz-*"; }
    [ -x "$tmp/root/bin/busybox" ] || { rm -rf "$tmp"; die "busybox-static has no /bin/busybox"; }
    printf '%s\n' "${stamp_lines[@]}" >"$tmp/root/.stamp"
    rm -rf "$guest"
    mv "$tmp/root" "$guest"
    rm -rf "$tmp"
    log "system image packages ready in $guest"
}
[ "$do_guest" -eq 0 ] || unpack_guest

[ "$do_sysroot" -eq 1 ] || exit 0

# ------------------------------------------------------------- sysroot ---
# Fast path: the stamp lists exactly the packages we want (name=version).
sysroot_ok && exit 0

mkdir -p "$(dirname "$sysroot")"
# Serialise concurrent runs (make -j, two shells) on the same sysroot.
exec 9>"$sysroot.lock"
flock 9
sysroot_ok && exit 0

arm_refs=()
for p in "${arm_pkgs[@]}"; do arm_refs+=("$p:armhf"); done
armhf_lists

# Candidate version of every armhf package, or nothing when apt has no
# armhf lists yet.
candidates() {
    LC_ALL=C armhf_run apt-cache policy "${arm_refs[@]}" 2>/dev/null | awk '
        /^[^ ].*:$/ { name = $1; sub(/:armhf:$/, "", name); sub(/:$/, "", name) }
        /^  Candidate:/ { if ($2 != "(none)") print name "=" $2 }'
}

versions=$(candidates)
if [ "$(printf '%s\n' "$versions" | grep -c =)" -ne "${#arm_pkgs[@]}" ]; then
    armhf_update
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
    (cd "$tmp/debs" && armhf_run apt-get download "${refs[@]}") >&2
}
if ! download; then
    log "download failed; refreshing the armhf lists and retrying"
    armhf_updated=0
    armhf_update
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

for a in libexpat.a; do
    [ -f "$tmp/root/usr/lib/$multi/$a" ] || die "sysroot lacks usr/lib/$multi/$a"
done
[ -e "$tmp/root/usr/lib/$multi/libcmocka.so.0" ] || die "sysroot lacks libcmocka.so.0"

printf '%s\n' "$versions" >"$tmp/root/.stamp"
rm -rf "$sysroot"
mv "$tmp/root" "$sysroot"
log "ARM sysroot ready: $(echo $versions)"
