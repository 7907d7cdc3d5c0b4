#!/usr/bin/env bash
# make bench: runs the benchmark programs under valgrind's callgrind (an
# instruction count repeats on a noisy machine), reads their heap figures
# (a counting allocator in tests/bench/bench.h), measures the ARM footprint,
# and writes the table to $BUILD/bench.md (and prints it).
#
# Usage: tools/bench.sh   (env: BUILD, CERTSLOT_TESTPKI, CERTSLOT_BUILTIN_BUNDLE,
#                          ARM_SIZE = arm-linux-gnueabihf-size, ARM_LIB = the ARM libcertslot.a,
#                          ARM_MBEDTLS = the directory of the firmware-only ARM mbedTLS build)
set -euo pipefail

build=${BUILD:?BUILD not set}
bin=$build/host/bench
out=$build/bench
bundle=${CERTSLOT_BUILTIN_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
mkdir -p "$out"
rows=()

die() { echo "bench: $*" >&2; exit 1; }

# Instructions of the function $1 (and what it calls) in: $2 args...
instr() {
    local fn=$1 tag=$2
    shift 2
    valgrind --tool=callgrind --toggle-collect="$fn" --callgrind-out-file="$out/cg.$tag" \
        "$@" >"$out/$tag.txt" 2>"$out/$tag.err" || { cat "$out/$tag.err" >&2; die "$tag failed"; }
    awk '/^summary:/ { print $2; exit }' "$out/cg.$tag"
}
val() { awk -v k="$1" '$1 == k { print $2; exit }' "$out/$2.txt"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.3f", a / b }'; }
# row FIGURE OURS BASELINE RATIO TARGET MET
row() { rows+=("| $1 | $2 | $3 | $4 | $5 | $6 |"); }
met() { awk -v r="$1" -v t="$2" 'BEGIN { print (r + 0 <= t + 0) ? "yes" : "**no**" }'; }

# ---- 1. config parse + apply against a bare expat pass
if [ -x "$bin/bench_config" ]; then
    base=$(instr bench_measure config.base "$bin/bench_config" base)
    ours=$(instr bench_measure config.ours "$bin/bench_config" ours)
    bytes=$(val bytes config.ours)
    bo=$(awk -v i="$ours" -v n="$bytes" 'BEGIN { printf "%.1f", i / n }')
    bb=$(awk -v i="$base" -v n="$bytes" 'BEGIN { printf "%.1f", i / n }')
    r=$(ratio "$ours" "$base")
    row "config parse + finish + apply, $bytes-byte file ($(val certs config.ours) certificates decoded, the rest settings; instructions per input byte)" \
        "$bo" "$bb (bare expat)" "$r" "<= 1.3" "$(met "$r" 1.3)"
    row "config: peak heap (bytes)" "$(val heap_peak config.ours)" "$(val heap_peak config.base)" \
        "$(ratio "$(val heap_peak config.ours)" "$(val heap_peak config.base)")" "-" "-"
fi

# ---- 2. trust anchors: built-in list against parsing the whole bundle
if [ -x "$bin/bench_anchors" ]; then
    half=$out/half-bundle.pem
    n=$(grep -c 'BEGIN CERTIFICATE' "$bundle")
    awk -v max=$((n / 2)) '/BEGIN CERTIFICATE/ { c++ } c <= max { print }' "$bundle" >"$half"
    os=$(instr bench_start anchors.ours.start "$bin/bench_anchors" ours start "$bundle")
    bs=$(instr bench_start anchors.base.start "$bin/bench_anchors" base start "$bundle")
    hs=$(instr bench_start anchors.half.start "$bin/bench_anchors" base start "$half")
    ov=$(instr bench_verify anchors.ours.verify "$bin/bench_anchors" ours verify "$bundle")
    bv=$(instr bench_verify anchors.base.verify "$bin/bench_anchors" base verify "$bundle")
    oh=$(val heap_peak anchors.ours.start)
    bh=$(val heap_peak anchors.base.start)
    roots=$(val roots anchors.base.start)
    hroots=$(val roots anchors.half.start)
    r=$(ratio "$oh" "$bh")
    row "trust anchors: heap held, start-up + verifying one chain (bytes; chain = $(sed -n 's/^root //p' "$out/anchors.ours.start.txt"), its self-signature)" \
        "$oh" "$bh" "$r" "<= 0.02 (1/50)" "$(met "$r" 0.02)"
    # ours: an empty function (its own call and return, a handful of instructions).
    row "trust anchors: start-up instructions, $roots roots (ours: no work, the empty call itself)" "$os" "$bs" "-" \
        "ours ~0, not growing" "$([ "$os" -lt 20 ] && echo yes || echo '**no**')"
    row "trust anchors: start-up instructions, $hroots roots (half the bundle)" "$os" "$hs" "-" \
        "theirs grows: $(awk -v a="$bs" -v b="$hs" -v n="$roots" -v m="$hroots" 'BEGIN { printf "%.0f", (a - b) / (n - m) }') per root" "-"
    # mbedTLS trusts a presented certificate byte-identical to a trusted one
    # without checking its signature; certslot checks it with the root's key.
    row "trust anchors: instructions to verify the chain (theirs: byte-compare with the trusted copy, no signature check; ours: one signature verification)" \
        "$ov" "$bv" "$(ratio "$ov" "$bv")" "-" "-"
    row "built-in list: read-only data (bytes, host build)" "$(val builtin_rodata anchors.ours.start)" "-" "-" "-" "-"
fi

# ---- 3. a TLS handshake through a profile against a plain mbedTLS client, TLS 1.2 and TLS 1.3
if [ -x "$bin/bench_tls" ]; then
    for v in 1.2 1.3; do
        ours=$(instr bench_measure "tls$v.ours" "$bin/bench_tls" ours "$v")
        base=$(instr bench_measure "tls$v.base" "$bin/bench_tls" base "$v")
        r=$(ratio "$ours" "$base")
        row "TLS $v handshake ($(val suite "tls$v.ours")), instructions" "$ours" "$base" "$r" "<= 1.05" "$(met "$r" 1.05)"
        oh=$(val heap_peak "tls$v.ours")
        bh=$(val heap_peak "tls$v.base")
        row "TLS $v handshake, peak heap (bytes)" "$oh" "$bh" "$([ $((oh - bh)) -ge 0 ] && echo +)$((oh - bh))" "<= +4096" \
            "$([ $((oh - bh)) -le 4096 ] && echo yes || echo '**no**')"
    done
fi

# ---- 4. footprint for ARM (thumb-2, -Os)
if [ -n "${ARM_LIB:-}" ] && [ -f "$ARM_LIB" ]; then
    size=${ARM_SIZE:-arm-linux-gnueabihf-size}
    # .text + .rodata of each member, from size -A (System V format).
    "$size" -A "$ARM_LIB" >"$out/arm-size.txt"
    sums=$(awk '/^.* \(ex / { m = $1 } /^\.text|^\.rodata/ { t[m] += $2; all += $2 }
                END { for (k in t) if (k ~ /^builtin\.o/) b += t[k]; print all, b }' "$out/arm-size.txt")
    all=${sums% *}
    bi=${sums#* }
    row "ARM footprint: .text + .rodata of libcertslot.a without the built-in list (bytes)" "$((all - bi))" "-" "-" "-" "-"
    row "ARM footprint: .text + .rodata of builtin.o (the built-in list)" "$bi" "-" "-" "-" "-"
fi
# mbedTLS as a firmware links it: certslot's configuration without the tool's and the tests' part
# (CERTSLOT_MBEDTLS_FIRMWARE_ONLY), every object of its three libraries.
if [ -n "${ARM_MBEDTLS:-}" ] && [ -f "$ARM_MBEDTLS/libmbedcrypto.a" ]; then
    size=${ARM_SIZE:-arm-linux-gnueabihf-size}
    mb=$("$size" -A "$ARM_MBEDTLS"/libmbed*.a | awk '/^\.text|^\.rodata/ { t += $2 } /^\.data/ { d += $2 }
                                                     END { print t, d }')
    row "ARM footprint: .text + .rodata of mbedTLS $(sed -n 's/^mbedtls=//p' "$ARM_MBEDTLS/.built") with certslot's firmware configuration (bytes; .data: ${mb#* })" \
        "${mb% *}" "-" "-" "-" "-"
fi

{
    echo "certslot benchmarks, $(date -u +%Y-%m-%d), $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
    echo "(instructions: valgrind callgrind; heap: counting allocator, bytes held at the peak)"
    echo
    echo "| figure | ours | baseline | ratio | target | met? |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
} >"$build/bench.md"
cat "$build/bench.md"
