#!/usr/bin/env bash
# Builds mbedTLS's static libraries from the source tools/deps.sh fetched,
# with certslot's configuration header, out of tree:
#
#   tools/build-mbedtls.sh SRC OUT CC AR CFLAGS...
#
# compiles every SRC/library/*.c into OUT/obj/ (all cores), then writes
# OUT/libmbedcrypto.a, OUT/libmbedx509.a and OUT/libmbedtls.a (the split of
# mbedTLS's own library/Makefile) and OUT/.built. The configuration comes in
# through CFLAGS (-DMBEDTLS_CONFIG_FILE=... -I<its directory>).
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: $0 SRC OUT CC AR CFLAGS..." >&2; exit 2; }
src=$1 out=$2 cc=$3 ar=$4
shift 4
[ -f "$src/.stamp" ] || { echo "build-mbedtls: $src has no mbedTLS source: run make deps" >&2; exit 1; }

rm -rf "$out"
mkdir -p "$out/obj"
export src out cc
# Objects are named after their sources; the flags reach each compile as arguments.
compile() {
    local c=$1
    shift
    "$cc" "$@" -I"$src/include" -I"$src/library" -c "$c" -o "$out/obj/$(basename "${c%.c}").o"
}
export -f compile
printf '%s\n' "$src"/library/*.c |
    xargs -P "$(nproc)" -I{} bash -c 'compile "$1" "${@:2}"' _ {} "$@"

objs=("$out"/obj/*.o)
crypto=() x509=() tls=()
for o in "${objs[@]}"; do
    case "$(basename "$o")" in
        x509*.o | pkcs7.o) x509+=("$o") ;;
        ssl_*.o | debug.o | net_sockets.o | mps_*.o) tls+=("$o") ;;
        *) crypto+=("$o") ;;
    esac
done
"$ar" rcs "$out/libmbedcrypto.a" "${crypto[@]}"
"$ar" rcs "$out/libmbedx509.a" "${x509[@]}"
"$ar" rcs "$out/libmbedtls.a" "${tls[@]}"
cat "$src/.stamp" >"$out/.built"
echo "build-mbedtls: $out: ${#objs[@]} objects ($(cat "$src/.stamp"))" >&2
