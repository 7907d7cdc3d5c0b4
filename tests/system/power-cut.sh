#!/usr/bin/env bash
# Power cuts on a real kernel and file system: boots the system image (make qemu-image) again and again on one
# ext4 disk, lets tests/system/powercut apply store updates inside the guest, and kills qemu-system-arm with
# SIGKILL at a random moment of them. The guest's page cache dies with it; what the guest had written to its
# disk stays (the host's file).
#
#   tests/system/power-cut.sh IMAGE CYCLES SEED [broken]
#
# Cycle i: boot (certslot=powercut); the guest opens the store and prints what it found, then updates it
# ("begin G", commit, "durable G") until it is killed, R milliseconds after its first update, R drawn from
# SEED. The next boot judges the cut: the store must open, hold exactly one generation's content (the guest
# checks it), and that generation G must be one written so far and not older than the last one known to be on
# the disk:  max(last "durable" seen, generation found by the boot before) <= G <= last "begin" seen.
# After the last cycle one more boot (certslot=check) judges it. A cycle that fails starts the next one on a
# fresh disk. Prints one line per cycle and "power-cut: S/N survived"; exit 0 when every cycle survived.
# broken: the guest uses /tests/powercut-broken (a hal that never fsyncs the store's file), which must fail.
# Env: POWERCUT_MAX_MS (default 4000): the cut comes 0 to that many ms after the first update.
#      CERTSLOT_KEEP_TMP=1 keeps the logs and the disk.
set -uo pipefail
[ $# -ge 3 ] || { echo "usage: $0 IMAGE CYCLES SEED [broken]" >&2; exit 2; }
image=$1 cycles=$2 seed=$3 broken=${4:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
boot=$here/tools/qemu-boot.sh
max_ms=${POWERCUT_MAX_MS:-4000}
work=$(mktemp -d "${TMPDIR:-/tmp}/certslot-powercut.XXXXXX")
disk=$work/data.img
pidfile=$work/qemu.pid
args=()
[ "$broken" != broken ] || args+=(certslot.hal=broken)
job=
cleanup() {
    [ -z "$job" ] || { kill -KILL "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null; wait "$job" 2>/dev/null; }
    if [ "${CERTSLOT_KEEP_TMP:-0}" = 1 ]; then echo "power-cut: logs and disk kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits (at most 100 s) until LOG has a line matching the pattern or the boot ended; 0 when it matched.
wait_for() {
    local i
    for ((i = 0; i < 2000; i++)); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        kill -0 "$job" 2>/dev/null || { grep -q "$2" "$1" 2>/dev/null; return; }
        sleep 0.05
    done
    return 1
}

# Judges what the boot of LOG found against the bounds low..high; sets found (the generation) and verdict.
judge() {
    local line
    line=$(grep -m 1 -E '^powercut: (generation [0-9]+ intact|DAMAGED)' "$1" | tr -d '\r')
    found=
    case "$line" in
        "powercut: generation "*) found=${line#powercut: generation }; found=${found%% *} ;;
    esac
    if [ -z "$line" ]; then
        verdict="the guest did not report the store (see $(basename "$1"))"
    elif [ -z "$found" ]; then
        verdict="store ${line#powercut: }"
    elif [ "$found" -lt "$low" ]; then
        verdict="generation $found is older than $low, which was on the disk"
    elif [ "$found" -gt "$high" ]; then
        verdict="generation $found was never written (the last begun was $high)"
    else
        verdict=ok
    fi
}

last_number() { grep -E "^powercut: $2 [0-9]+" "$1" | tail -n 1 | tr -dc '0-9'; }

RANDOM=$seed
echo "power-cut: $cycles cycles, seed $seed${broken:+, on the BROKEN hal (never fsyncs the store)}, logs in $work"
low=0 high=0 survived=0 judged=0
for ((c = 1; c <= cycles + 1; c++)); do
    log=$work/boot-$c.log
    last=$((c > cycles))
    mode=powercut
    [ "$last" -eq 0 ] || mode=check
    QEMU_PIDFILE=$pidfile "$boot" "$image" "$disk" "$log" 120 certslot=$mode "${args[@]}" &
    job=$!
    wait_for "$log" '^powercut: \(generation\|DAMAGED\)'
    if [ "$c" -gt 1 ]; then
        judge "$log"
        judged=$((judged + 1))
        if [ "$verdict" = ok ]; then
            survived=$((survived + 1))
            echo "power-cut: cycle $((c - 1)): survived: generation $found ($low <= $found <= $high)"
        else
            echo "power-cut: cycle $((c - 1)): FAILED: $verdict; $cut"
        fi
    else
        judge "$log"
        [ "$found" = 0 ] || { echo "power-cut: the blank disk did not open as an empty store: $verdict"; exit 1; }
    fi
    if [ "$last" -eq 1 ]; then
        wait "$job"
        job=
        break
    fi
    if [ "$c" -gt 1 ] && [ "$verdict" != ok ]; then
        # Start again on a blank disk: a refused store stays refused.
        kill -KILL "$(cat "$pidfile")" 2>/dev/null
        wait "$job" 2>/dev/null
        rm -f "$disk"
        log=$work/boot-$c-blank.log
        QEMU_PIDFILE=$pidfile "$boot" "$image" "$disk" "$log" 120 certslot=$mode "${args[@]}" &
        job=$!
        wait_for "$log" '^powercut: generation 0 intact' || { echo "power-cut: a blank disk did not open"; exit 1; }
        found=0
    fi
    delay=$((RANDOM % max_ms))
    if ! wait_for "$log" '^powercut: begin'; then
        echo "power-cut: cycle $c: the guest never began an update (see $log)"
        CERTSLOT_KEEP_TMP=1
        exit 1
    fi
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    kill -KILL "$(cat "$pidfile")" 2>/dev/null
    wait "$job" 2>/dev/null
    job=
    durable=$(last_number "$log" durable)
    begun=$(last_number "$log" begin)
    low=${durable:-0}
    [ "$low" -ge "$found" ] || low=$found
    high=${begun:-$found}
    cut="cut $delay ms after the first update, at 'begin ${begun:-none}', 'durable ${durable:-none}'"
done
echo "power-cut: $survived/$judged survived (seed $seed)"
[ "$survived" -eq "$judged" ] && [ "$judged" -eq "$cycles" ]
