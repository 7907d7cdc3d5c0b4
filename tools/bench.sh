#!/usr/bin/env bash
# make bench: every benchmark figure with its baseline (measured in the same
# run), its target and whether it is met. Instructions are valgrind
# callgrind counts of the measured function only (they repeat on a noisy
# machine); heap figures come from a counting allocator (tests/bench/bench.h);
# the ARM footprint is tools/footprint.sh's. The runs go in parallel, one per
# CPU. Writes $BUILD/bench.md (the README's table is made from it by
# tools/readme-bench.sh) and prints it.
#
# Usage: tools/bench.sh
# env: BUILD, CERTSLOT_TESTPKI, CERTSLOT_BUILTIN_BUNDLE, BENCH_BUNDLE (the bundle with the test root), and for the
#      footprint FP_LIB, FP_HAL, FP_CC, ARM_CC, ARM_NM, ARM_SIZE, ARM_MBEDTLS, ARM_LIBDIR
set -euo pipefail

build=${BUILD:?BUILD not set}
bin=$build/host/bench
out=$build/bench
bundle=${BENCH_BUNDLE:?BENCH_BUNDLE not set}
mkdir -p "$out"
rm -f "$out"/cg.* "$out"/*.txt "$out"/*.err
rows=()
fails=0

die() { echo "bench: $*" >&2; exit 1; }

# ---- the runs: "TAG FUNCTION PROGRAM ARGS..." lines, run under callgrind, up to nproc at a time
jobs=$out/jobs
: >"$jobs"
job() { echo "$*" >>"$jobs"; }
for s in mixed other params certs nearmiss; do
    for w in ours base; do job "config.$s.$w bench_measure $bin/bench_config $w $s"; done
done
for w in ours base; do
    job "anchors.$w.start bench_start $bin/bench_anchors $w start $bundle $CERTSLOT_TESTPKI/inter.crt"
    job "anchors.$w.verify bench_verify $bin/bench_anchors $w verify $bundle $CERTSLOT_TESTPKI/inter.crt"
done
half=$out/half-bundle.pem
n=$(grep -c 'BEGIN CERTIFICATE' "$bundle")
awk -v max=$((n / 2)) '/BEGIN CERTIFICATE/ { c++ } c <= max { print }' "$bundle" >"$half"
job "anchors.half.start bench_start $bin/bench_anchors base start $half $CERTSLOT_TESTPKI/inter.crt"
for k in rsa ec; do
    for v in 1.2 1.3; do
        for w in ours base; do job "tls.$k.$v.$w bench_measure $bin/bench_tls $w $v $k"; done
    done
done
for w in ours base; do
    job "store.open.$w bench_measure $bin/bench_store open $w 56"
    job "store.list.$w bench_measure $bin/bench_store list $w 56"
    job "store.update0.$w bench_measure $bin/bench_store update $w 0"
    job "store.update56.$w bench_measure $bin/bench_store update $w 56"
done
run1() {
    local tag=$1 fn=$2
    shift 2
    valgrind --tool=callgrind --toggle-collect="$fn" --callgrind-out-file="$out/cg.$tag" "$@" \
        >"$out/$tag.txt" 2>"$out/$tag.err" || { echo "bench: $tag failed:" >&2; tail -5 "$out/$tag.err" >&2; return 1; }
}
export -f run1
export out
xargs -P "$(nproc)" -L 1 bash -c 'run1 "$@"' _ <"$jobs" || die "a benchmark failed"

# ---- reading the results
ins() { awk '/^summary:/ { print $2; exit }' "$out/cg.$1"; }
val() { awk -v k="$2" '$1 == k { print $2; exit }' "$out/$1.txt"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.3f", a / b }'; }
# row FIGURE OURS BASELINE RATIO TARGET MET
row() { rows+=("| $1 | $2 | $3 | $4 | $5 | $6 |"); [ "$6" != "**no**" ] || fails=$((fails + 1)); }
le() { awk -v r="$1" -v t="$2" 'BEGIN { print (r + 0 <= t + 0) ? "yes" : "**no**" }'; }
# meets A B T: A / B <= T, unrounded (the table shows the ratio to three places).
meets() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { print (b > 0 && a / b <= t) ? "yes" : "**no**" }'; }
# Instructions inside function $2 (inclusive) in run $1: the key exchange is taken out of the TLS figures.
fn_ins() {
    callgrind_annotate --threshold=100 --inclusive=yes "$out/cg.$1" 2>/dev/null |
        awk -v f="$2" '{ for (i = 2; i <= NF; i++) if ($i ~ (":" f "$") && $(i + 1) ~ /^\[/) { gsub(",", "", $1); s += $1 } }
                       END { print s + 0 }'
}

# ---- 1. config parse + apply against a bare expat pass, per input shape
declare -A shape_name=([mixed]="a wireless.cfg-like file" [other]="other subsystems' parameters only"
    [params]="certslot parameters only" [certs]="certificate bundles as values"
    [nearmiss]="names one edit from a parameter")
for s in mixed other params certs nearmiss; do
    o=$(ins "config.$s.ours") b=$(ins "config.$s.base") bytes=$(val "config.$s.ours" bytes)
    t=1.3
    [ "$s" = nearmiss ] && t=2
    r=$(ratio "$o" "$b")
    row "config parse + apply, $(awk -v n="$bytes" 'BEGIN { printf "%.0f", n / 1024 }') KiB of ${shape_name[$s]} (instructions per byte; baseline bare expat)" \
        "$(awk -v i="$o" -v n="$bytes" 'BEGIN { printf "%.1f", i / n }')" \
        "$(awk -v i="$b" -v n="$bytes" 'BEGIN { printf "%.1f", i / n }')" "$r" "<= $t" "$(meets "$o" "$b" "$t")"
    oh=$(val "config.$s.ours" heap_peak) bh=$(val "config.$s.base" heap_peak)
    r=$(ratio "$oh" "$bh")
    row "config, ${shape_name[$s]}: peak heap (bytes)" "$oh" "$bh" "$r" "<= 1.3" "$(meets "$oh" "$bh" 1.3)"
done
row "config, near-miss names: did-you-mean searches made (of CERTSLOT_CONFIG_MAX_SUGGEST)" \
    "$(val config.nearmiss.ours suggestions)" "-" "-" "<= 32" "$(le "$(val config.nearmiss.ours suggestions)" 32)"

# ---- 2. trust anchors: the built-in list against parsing the whole bundle
roots=$(val anchors.base.start roots) hroots=$(val anchors.half.start roots)
os=$(ins anchors.ours.start) bs=$(ins anchors.base.start) hs=$(ins anchors.half.start)
row "trust anchors: start-up instructions, $roots roots (ours: no work, the call itself)" "$os" "$bs" "-" \
    "ours < 20" "$([ "$os" -lt 20 ] && echo yes || echo '**no**')"
row "trust anchors: start-up instructions, $hroots roots (half the bundle)" "$os" "$hs" "-" \
    "theirs grows $(awk -v a="$bs" -v b="$hs" -v n="$roots" -v m="$hroots" 'BEGIN { printf "%.0f", (a - b) / (n - m) }') per root, ours not" \
    "$([ "$os" -lt 20 ] && echo yes || echo '**no**')"
oh=$(val anchors.ours.start heap_held_startup) bh=$(val anchors.base.start heap_held_startup)
r=$(ratio "$oh" "$bh")
row "trust anchors: heap held after start-up (bytes)" "$oh" "$bh" "$r" "<= 0.02 (1/50)" "$(meets "$oh" "$bh" 0.02)"
oh=$(val anchors.ours.verify heap_peak_verify) bh=$(val anchors.base.verify heap_peak_verify)
d=$((oh - bh))
row "trust anchors: peak heap while verifying the chain, above start-up (bytes)" "$oh" "$bh" \
    "$([ "$d" -ge 0 ] && echo +)$d" "within 4096" "$([ "${d#-}" -le 4096 ] && echo yes || echo '**no**')"
ov=$(ins anchors.ours.verify) bv=$(ins anchors.base.verify)
r=$(ratio "$ov" "$bv")
row "trust anchors: instructions to verify $(sed -n 's/^chain //p' "$out/anchors.ours.verify.txt" | sed 's/.*CN=//'), an intermediate under a root in both lists (one signature check each)" \
    "$ov" "$bv" "$r" "<= 1.05" "$(meets "$ov" "$bv" 1.05)"
row "built-in list: read-only data (bytes, host build)" "$(val anchors.ours.start builtin_rodata)" "-" "-" "-" "-"

# ---- 3. a TLS handshake through a profile against a plain mbedTLS client
for k in rsa ec; do
    for v in 1.2 1.3; do
        o=$(ins "tls.$k.$v.ours") b=$(ins "tls.$k.$v.base")
        ko=$(($(fn_ins "tls.$k.$v.ours" psa_export_public_key) + $(fn_ins "tls.$k.$v.ours" mbedtls_ecdh_calc_secret)))
        kb=$(($(fn_ins "tls.$k.$v.base" psa_export_public_key) + $(fn_ins "tls.$k.$v.base" mbedtls_ecdh_calc_secret)))
        [ "$ko" -gt 0 ] && [ "$kb" -gt 0 ] || die "tls.$k.$v: no key exchange found in the profile"
        name="TLS $v, $(echo "$k" | tr a-z A-Z | sed 's/^EC$/ECDSA/') server ($(val "tls.$k.$v.ours" suite))"
        r=$(ratio "$o" "$b")
        row "$name: setup + handshake, instructions" "$o" "$b" "$r" "-" "-"
        r=$(ratio $((o - ko)) $((b - kb)))
        row "$name: the same without the key exchange (ECDHE key generation and shared secret)" "$((o - ko))" \
            "$((b - kb))" "$r" "<= 1.05" "$(meets $((o - ko)) $((b - kb)) 1.05)"
        oh=$(val "tls.$k.$v.ours" heap_peak) bh=$(val "tls.$k.$v.base" heap_peak)
        d=$((oh - bh))
        row "$name: peak heap (bytes)" "$oh" "$bh" "$([ "$d" -ge 0 ] && echo +)$d" "within 4096" \
            "$([ "${d#-}" -le 4096 ] && echo yes || echo '**no**')"
    done
done

# ---- 4. the store
o=$(ins store.open.ours) b=$(ins store.open.base)
r=$(ratio "$o" "$b")
row "store: open, $(val store.open.ours certs) certificates, store and store.bak present (baseline: read and decrypt one copy)" \
    "$o" "$b" "$r" "<= 1.1" "$(meets "$o" "$b" 1.1)"
o=$(ins store.list.ours) b=$(ins store.list.base) c=$(val store.list.ours certs)
r=$(ratio "$o" "$b")
row "store: listing, instructions per certificate (baseline: parse + SHA-256 fingerprint, no decryption)" \
    "$((o / c))" "$((b / c))" "$r" "<= 1.3" "$(meets "$o" "$b" 1.3)"
o0=$(ins store.update0.ours) o56=$(ins store.update56.ours) b56=$(ins store.update56.base)
n0=$(val store.update0.ours bytes) n56=$(val store.update56.ours bytes)
slope=$(awk -v a="$o56" -v b="$o0" -v n="$n56" -v m="$n0" 'BEGIN { printf "%.1f", (a - b) / (n - m) }')
gcm=$(awk -v a="$b56" -v n="$n56" 'BEGIN { printf "%.1f", a / n }')
r=$(ratio "$slope" "$gcm")
row "store: an update's cost per byte of the store it rewrites (one certificate added; empty vs $(val store.update56.ours certs)-certificate store; baseline one AES-256-GCM pass)" \
    "$slope" "$gcm" "$r" "<= 1.2" "$(meets "$slope" "$gcm" 1.2)"
row "store: one update of that $((n56 / 1024)) KiB store, instructions (the whole file re-encrypted and written)" \
    "$o56" "$b56" "$(ratio "$o56" "$b56")" "<= 20000000" "$(le "$o56" 20000000)"
max=$((512 * 1024))
bound=$(awk -v a="$o0" -v s="$slope" -v n="$max" 'BEGIN { printf "%.0f", a + s * n }')
row "store: bound for an update of a store at CERTSLOT_STORE_MAX_FILE (512 KiB): fixed part + per-byte cost x size" \
    "$bound" "-" "-" "<= 80000000" "$(le "$bound" 80000000)"

# ---- 5. ARM footprint (thumb-2 -Os), the handset configuration
if [ -n "${FP_LIB:-}" ]; then
    tools/footprint.sh "$out/fp" "$FP_LIB" "$FP_HAL" >"$out/footprint.txt"
    fp() { awk -v k="$1" '$1 == k { print $2; exit }' "$out/footprint.txt"; }
    total=$(fp linked)
    row "ARM footprint of the module, handset configuration (hal/linux, port/posix, every feature on; its share of a linked program's flash after --gc-sections: code, read-only data, strings, relocations, data; without mbedTLS, expat, the built-in list)" \
        "$total" "-" "-" "<= 49152 (48 KiB)" "$(le "$total" 49152)"
    row "ARM footprint: the same, as the sum of the kept sections of its objects (.text + .rodata + .data; per object below)" \
        "$(fp total)" "-" "-" "-" "-"
    row "ARM footprint: the built-in list (builtin.o)" "$(fp builtin)" "-" "-" "-" "-"
    while read -r _ f saved; do
        row "ARM footprint: saved by CERTSLOT_WITH_$f=0" "$saved" "-" "-" "-" "-"
    done < <(grep '^feature ' "$out/footprint.txt")
    {
        echo "| object | bytes |"
        echo "|---|---|"
        awk '$1 == "obj" { printf "| %s | %d |\n", $2, $3 }' "$out/footprint.txt"
    } >"$out/footprint.md"
    mb=$("$ARM_SIZE" -A "$ARM_MBEDTLS"/libmbed*.a | awk '/^\.text|^\.rodata/ { t += $2 } /^\.data/ { d += $2 } END { print t, d }')
    row "ARM footprint: mbedTLS $(sed -n 's/^mbedtls=//p' "$ARM_MBEDTLS/.built") with certslot's firmware configuration, every object (.text + .rodata; .data: ${mb#* })" \
        "${mb% *}" "-" "-" "-" "-"
fi

{
    echo "certslot benchmarks, $(date -u +%Y-%m-%d), $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
    echo "(instructions: valgrind callgrind; heap: counting allocator; ratio: ours / baseline, both measured in this run)"
    echo
    echo "| figure | ours | baseline | ratio | target | met? |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "$fails of ${#rows[@]} figures miss their target."
    if [ -f "$out/footprint.md" ]; then
        echo
        echo "ARM footprint per object (handset configuration):"
        echo
        cat "$out/footprint.md"
    fi
} >"$build/bench.md"
cat "$build/bench.md"
