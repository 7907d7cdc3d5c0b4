#!/usr/bin/env bash
# The installed tree is all an integrator needs (README, "Building"): for the host and for ARM,
#   1. make install into a fresh tree (host: PREFIX; ARM: DESTDIR into a copy of the ARM sysroot, PREFIX=/usr and
#      Debian's multiarch LIBDIR, as Buildroot and Yocto stage it), with the project's mbedTLS (INSTALL_MBEDTLS=1);
#   2. every installed public header compiles alone in a translation unit, with the Cflags of certslot.pc;
#   3. tests/install/example.c, compiled and linked with `pkg-config --cflags --static --libs certslot` and
#      nothing else of the source tree, opens a store, applies a config file and makes one verified connection to
#      openssl s_server (the ARM build under qemu-arm), and refuses a wrong name;
#   4. an OEM's own hal: certslot installed with HAL=none (no hal library, none in certslot.pc), the example linked
#      with a hal built out of tree against the installed headers (hal/linux's sources, copied, stand in for it).
# Run by make test (make test-install) after the libraries are built; it runs make install itself.
. "$(dirname "$0")/../common/cli.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
PKI=${CERTSLOT_TESTPKI:?}
arm_sysroot=$root/build/arm-sysroot
multi=arm-linux-gnueabihf
strict=(-std=c11 -Wall -Wextra -Werror -Wpedantic -Wstrict-prototypes)
: >"$OUT"
: >"$ERR"

# ---- install ----
# The libraries are built before this runs; a make of its own (no -n, -k or variables of the caller's).
host=$T/host/usr
LAST="make install PREFIX=$host INSTALL_MBEDTLS=1"
env -u MAKEFLAGS -u MFLAGS make -s -C "$root" --no-print-directory install PREFIX="$host" INSTALL_MBEDTLS=1 >"$T/install-host.log" 2>&1 ||
    fail "$(tail -5 "$T/install-host.log")"
stage=$T/arm-stage
mkdir -p "$stage"
cp -a "$arm_sysroot/usr" "$stage/"
LAST="CROSS_COMPILE=$multi- make install DESTDIR=$stage PREFIX=/usr LIBDIR=/usr/lib/$multi INSTALL_MBEDTLS=1"
env -u MAKEFLAGS -u MFLAGS make -s -C "$root" --no-print-directory CROSS_COMPILE=$multi- install DESTDIR="$stage" PREFIX=/usr \
    LIBDIR=/usr/lib/$multi INSTALL_MBEDTLS=1 >"$T/install-arm.log" 2>&1 || fail "$(tail -5 "$T/install-arm.log")"
nohal=$T/nohal/usr
LAST="make install HAL=none PREFIX=$nohal INSTALL_MBEDTLS=1"
env -u MAKEFLAGS -u MFLAGS make -s -C "$root" --no-print-directory install HAL=none PREFIX="$nohal" INSTALL_MBEDTLS=1 \
    >"$T/install-nohal.log" 2>&1 || fail "$(tail -5 "$T/install-nohal.log")"
[ -z "$(ls "$nohal"/lib/libcertslot-hal-* 2>/dev/null)" ] || fail "a hal library was installed"
[ ! -e "$nohal/include/certslot/hal_linux.h" ] || fail "hal_linux.h was installed"
[ ! -e "$nohal/bin/certslot" ] || fail "the tool (which needs hal/linux) was installed"
grep -q -- '-lcertslot-hal' "$nohal/lib/pkgconfig/certslot.pc" && fail "certslot.pc names a hal library"
[ -x "$host/bin/certslot" ] || { LAST="host install"; fail "no bin/certslot"; }
[ ! -e "$stage/usr/bin/certslot" ] || { LAST="ARM install"; fail "the host tool was installed into the ARM tree"; }

# pkg-config as each build system runs it: the host tree on PKG_CONFIG_PATH; the ARM tree as the sysroot.
host_pc() { PKG_CONFIG_PATH=$host/lib/pkgconfig pkg-config "$@"; }
arm_pc() {
    PKG_CONFIG_SYSROOT_DIR=$stage PKG_CONFIG_LIBDIR=$stage/usr/lib/$multi/pkgconfig:$stage/usr/share/pkgconfig \
        PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 PKG_CONFIG_ALLOW_SYSTEM_LIBS=1 pkg-config "$@"
}
want=$(sed -n 's/^#define CERTSLOT_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' \
    "$root/firmware/include/certslot/version.h" | paste -sd.)
for pc in host_pc arm_pc; do
    LAST="$pc --modversion certslot"
    [ "$($pc --modversion certslot 2>&1)" = "$want" ] || fail "not $want: $($pc --modversion certslot 2>&1)"
done

# ---- every public header alone ----
# The installed set is exactly the public API: firmware/include, hal.h, hal_linux.h (HAL=linux), port.h.
expected=$(cd "$root" && ls firmware/include/certslot/*.h hal/include/certslot/hal.h hal/include/certslot/hal_linux.h \
    port/include/certslot/port.h | xargs -n1 basename | sort)
for tree in "$host/include" "$stage/usr/include"; do
    LAST="headers installed in $tree/certslot"
    got=$(ls "$tree/certslot" | grep -vx mbedtls_config.h | sort)
    [ "$got" = "$expected" ] || fail "$(diff <(echo "$expected") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
done
n=0
for h in $expected; do
    printf '#include <certslot/%s>\ntypedef int one_header_t;\n' "$h" >"$T/one.c"
    LAST="host: #include <certslot/$h> alone"
    # shellcheck disable=SC2046
    gcc "${strict[@]}" $(host_pc --cflags certslot) -c "$T/one.c" -o "$T/one.o" 2>"$T/cc.err" ||
        fail "$(head -3 "$T/cc.err")"
    LAST="ARM: #include <certslot/$h> alone"
    # shellcheck disable=SC2046
    $multi-gcc "${strict[@]}" $(arm_pc --cflags certslot) -c "$T/one.c" -o "$T/one.o" 2>"$T/cc.err" ||
        fail "$(head -3 "$T/cc.err")"
    n=$((n + 1))
done
echo "$n headers compile alone on the host and for ARM"

# ---- the example, from the installed tree only ----
LAST="host: cc example.c \$(pkg-config --cflags --static --libs certslot)"
# shellcheck disable=SC2046
gcc "${strict[@]}" -O2 -o "$T/example-host" "$root/tests/install/example.c" \
    $(host_pc --cflags --static --libs certslot) 2>"$T/cc.err" || fail "$(head -5 "$T/cc.err")"
# The OEM's hal: its own sources and header, out of certslot's tree, built against the installed headers only.
mkdir -p "$T/oem/certslot"
cp "$root"/hal/linux/*.c "$T/oem/"
cp "$root/hal/include/certslot/hal_linux.h" "$T/oem/certslot/"
LAST="an OEM hal: cc example.c oem/*.c \$(pkg-config ... certslot) for the HAL=none tree"
# shellcheck disable=SC2046
gcc "${strict[@]}" -D_DEFAULT_SOURCE -O2 -o "$T/example-oem" -I"$T/oem" "$root/tests/install/example.c" \
    "$T"/oem/*.c $(PKG_CONFIG_PATH=$nohal/lib/pkgconfig pkg-config --cflags --static --libs certslot) \
    2>"$T/cc.err" || fail "$(head -5 "$T/cc.err")"
LAST="ARM: $multi-gcc example.c \$(pkg-config --cflags --static --libs certslot)"
# shellcheck disable=SC2046
$multi-gcc "${strict[@]}" -Os -mthumb -o "$T/example-arm" "$root/tests/install/example.c" \
    $(arm_pc --cflags --static --libs certslot) 2>"$T/cc.err" || fail "$(head -5 "$T/cc.err")"

# The server: the test PKI's server certificate (CN and SAN server.test), its chain through the intermediate.
for try in 1 2 3 4 5 6 7 8; do
    port=$((20000 + (RANDOM % 40000)))
    openssl s_server -www -accept "127.0.0.1:$port" -cert "$PKI/server.crt" -key "$PKI/server.key" \
        -cert_chain "$PKI/inter.crt" </dev/null >"$T/server.log" 2>&1 &
    spid=$!
    for i in $(seq 100); do grep -q ACCEPT "$T/server.log" 2>/dev/null && break; sleep 0.05; done
    grep -q ACCEPT "$T/server.log" && break
    kill $spid 2>/dev/null
    wait $spid 2>/dev/null
done
trap 'kill $spid 2>/dev/null' EXIT
LAST="openssl s_server"
grep -q ACCEPT "$T/server.log" || fail "did not start: $(cat "$T/server.log")"

# The handset's config: a master file naming site.cfg, which puts the test root into platform CA slot 2 and gives
# the provisioning application platform profile 2, trusting only that slot.
mkdir -p "$T/cfg"
cat >"$T/cfg/master.cfg" <<'X'
<?xml version="1.0" standalone="yes"?>
<APPLICATION CONFIG_FILES="site.cfg"/>
X
cat >"$T/cfg/site.cfg" <<X
<site device.set="1"
   device.sec.TLS.customCaCert2="$(cat "$PKI/root-rsa.der.b64")" device.sec.TLS.customCaCert2.set="1"
   device.sec.TLS.profileSelection.provisioning="PlatformProfile2" device.sec.TLS.profileSelection.provisioning.set="1"
   device.sec.TLS.profile.caCertList2="Platform2" device.sec.TLS.profile.caCertList2.set="1"/>
X

qemu=(qemu-arm -L /usr/$multi -E LD_LIBRARY_PATH=$stage/usr/lib/$multi)
for build in host arm oem; do
    wrap=()
    [ "$build" != arm ] || wrap=("${qemu[@]}")
    ex=$T/example-$build
    [ -x "$ex" ] || continue
    store=$T/store-$build
    run_ex() { RC=0; "${wrap[@]}" "$ex" "$@" >"$OUT" 2>"$ERR" || RC=$?; LAST="$build: example $*"; }
    run_ex "$store" "$T/cfg/master.cfg" 127.0.0.1 "$port" server.test
    expect_rc 0
    expect_out "built with certslot $want, running certslot $want (mbedTLS 3.6."
    expect_out "verified: server.test (TLSv1.3)"
    # The same store, a name the certificate does not have: refused by the strict name check.
    run_ex "$store" "$T/cfg/master.cfg" 127.0.0.1 "$port" wrong.test
    expect_rc 1
    expect_out "refused: name 'wrong.test' is not in the certificate"
    [ "$build" != oem ] || continue
    # Without the config file's CA, the profile trusts nothing: the connection is refused.
    printf '<?xml version="1.0"?>\n<APPLICATION/>\n' >"$T/cfg/none.cfg"
    run_ex "$T/fresh-$build" "$T/cfg/none.cfg" 127.0.0.1 "$port" server.test
    expect_rc 1
    expect_out "refused:"
done
finish
