#!/usr/bin/env bash
# Builds the system image that make test-system and make power-cut boot under qemu-system-arm -M virt.
#
#   tools/qemu-image.sh OUT GUEST TESTPKI TESTDATA POWERCUT POWERCUT_BROKEN TEST...
#
# OUT/vmlinuz       Debian's armmp kernel (GUEST: its package and busybox-static, unpacked by make deps)
# OUT/initrd.gz     the initramfs: busybox, the init (tests/system/init), the modules that reach the store's
#                   disk (virtio-mmio, virtio-blk, ext4 and what it needs), the ARM programs (stripped) with the
#                   shared libraries they need, the test PKI, the test data and the built-in CA bundle
# OUT/data.img      a blank 64 MiB ext4 disk (mkfs.ext4 -d): each boot gets a copy of it, or the disk of the
#                   boot before (tools/qemu-boot.sh)
# Env: ARM_CROSS (arm-linux-gnueabihf-), ARM_LIBDIR (the sysroot's libraries: cmocka), QEMU_PREFIX (the
#      cross libc: /usr/arm-linux-gnueabihf), BUILTIN_BUNDLE, SYSTEM_EXTRA (more ARM programs: /tests/extra/,
#      run by the init after the unit suites).
set -euo pipefail
[ $# -ge 7 ] || { echo "usage: $0 OUT GUEST TESTPKI TESTDATA POWERCUT POWERCUT_BROKEN TEST..." >&2; exit 2; }
out=$1 guest=$2 pki=$3 data=$4 powercut=$5 broken=$6
shift 6
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cross=${ARM_CROSS:-arm-linux-gnueabihf-}
libdirs=("${QEMU_PREFIX:-/usr/arm-linux-gnueabihf}/lib" "${ARM_LIBDIR:?ARM_LIBDIR: the library directory of the sysroot}")
bundle=${BUILTIN_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
die() { echo "qemu-image: $*" >&2; exit 1; }

kernel=$(ls "$guest"/boot/vmlinuz-*-armmp 2>/dev/null | head -n 1)
[ -n "$kernel" ] || die "no kernel in $guest/boot (make deps unpacks linux-image-armmp)"
release=${kernel##*/vmlinuz-}
mods=$guest/lib/modules/$release/kernel
[ -x "$guest/bin/busybox" ] || die "no busybox in $guest/bin (make deps unpacks busybox-static)"

tmp=$(mktemp -d "${out%/}.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root"/{bin,lib/modules,dev,proc,sys,tmp,data,tests/extra,pki,testpki,testdata,etc/ssl/certs}

cp "$guest/bin/busybox" "$root/bin/busybox"
install -m 755 "$here/tests/system/init" "$root/init"

# Modules, in load order: each after the ones its .modinfo depends= names. crc32c_generic is ext4's and jbd2's
# soft dependency (the crypto API asks for it by name, and there is no modprobe in the image to answer).
modinfo_deps() { "${cross}objcopy" -O binary --only-section=.modinfo "$1" /dev/stdout | tr '\0' '\n' |
    sed -n 's/^depends=//p' | tr ',' ' '; }
declare -A where=() loaded=()
while IFS= read -r -d '' ko; do
    n=${ko##*/}
    n=${n%.ko}
    where[${n//-/_}]=$ko
done < <(find "$mods" -name '*.ko' -print0)
order=()
add_module() {
    local m=${1//-/_} d
    [ -z "${loaded[$m]:-}" ] || return 0
    [ -n "${where[$m]:-}" ] || die "module $m is not in $mods"
    loaded[$m]=1
    for d in $(modinfo_deps "${where[$m]}"); do add_module "$d"; done
    order+=("$m")
}
for m in virtio_mmio virtio_blk crc32c_generic ext4; do add_module "$m"; done
for m in "${order[@]}"; do cp "${where[$m]}" "$root/lib/modules/$m.ko"; done
printf '%s\n' "${order[@]}" >"$root/lib/modules/load"

# The programs, stripped, and every shared library they need (found in the cross libc and the sysroot).
declare -A have_lib=()
needed() { "${cross}readelf" -d "$1" | awk '$2 == "(NEEDED)" { gsub(/[][]/, "", $NF); print $NF }'; }
copy_libs() {
    local lib dir found
    for lib in $(needed "$1"); do
        [ -z "${have_lib[$lib]:-}" ] || continue
        found=
        for dir in "${libdirs[@]}"; do
            if [ -e "$dir/$lib" ]; then found=$(readlink -f "$dir/$lib"); break; fi
        done
        [ -n "$found" ] || die "$1 needs $lib, which is in none of ${libdirs[*]}"
        have_lib[$lib]=1
        "${cross}strip" -o "$root/lib/$lib" "$found"
        copy_libs "$found"
    done
}
add_program() { # FILE DEST
    "${cross}strip" -o "$2" "$1"
    copy_libs "$1"
}
add_program "$powercut" "$root/tests/powercut"
add_program "$broken" "$root/tests/powercut-broken"
for t in "$@"; do add_program "$t" "$root/tests/${t##*/}"; done
for t in ${SYSTEM_EXTRA:-}; do add_program "$t" "$root/tests/extra/${t##*/}"; done
# The interpreter the programs name.
[ -e "$root/lib/ld-linux-armhf.so.3" ] || die "no ld-linux-armhf.so.3 among the libraries"

# Test data: the test PKI made at test time (never committed), tests/data, the bundle the built-in list is
# made from, and the CA certificates (DER) tests/system/powercut writes as its generations.
cp -a "$pki/." "$root/testpki/"
cp -a "$data/." "$root/testdata/"
cp "$bundle" "$root/etc/ssl/certs/ca-certificates.crt"
i=0
for c in root-rsa root-ec inter ec384; do
    openssl x509 -in "$pki/$c.crt" -outform DER -out "$root/pki/ca$i.der"
    i=$((i + 1))
done

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet --owner=0:0) | gzip -6 >"$tmp/initrd.gz"
mkdir -p "$tmp/blank/tmp"
mkfs.ext4 -q -F -L certslot-data -d "$tmp/blank" "$tmp/data.img" 64M >/dev/null

mkdir -p "$out"
cp "$kernel" "$out/vmlinuz"
mv "$tmp/initrd.gz" "$tmp/data.img" "$out/"
echo "$release" >"$out/.done"
echo "qemu-image: $out: kernel $release, initramfs $(du -h "$out/initrd.gz" | cut -f1), modules ${order[*]}"
