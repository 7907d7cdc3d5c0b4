#!/usr/bin/env bash
# Boots the system image (make qemu-image) once under qemu-system-arm -M virt: no network device, the serial
# console to a log file, the store's ext4 disk on virtio, and a time limit after which qemu is killed.
#
#   tools/qemu-boot.sh [--shell] IMAGE DISK LOG [TIMEOUT [KERNEL_ARG...]]
#
# IMAGE    the directory make qemu-image fills (build/qemu)
# DISK     the store's disk: a copy of IMAGE/data.img is made there when it does not exist; the disk of an
#          earlier boot is used as it is (so a power-cut cycle boots again on what the cut left)
# LOG      the serial console (the guest's whole output); --shell: the console is this terminal instead
# TIMEOUT  seconds (default 120): qemu is killed (SIGKILL) after it, and the exit status is 137
# KERNEL_ARG  added to the kernel command line: certslot=suites|powercut|check|shell, certslot.hal=broken
# Env: QEMU_PIDFILE: qemu writes its pid there (tests/system/power-cut.sh kills it by that pid).
#      QEMU_SYSTEM_ARM (default qemu-system-arm).
set -euo pipefail
shell=0
[ "${1:-}" != --shell ] || { shell=1; shift; }
[ $# -ge 3 ] || { echo "usage: $0 [--shell] IMAGE DISK LOG [TIMEOUT [KERNEL_ARG...]]" >&2; exit 2; }
image=$1 disk=$2 log=$3 limit=${4:-120}
shift $(($# >= 4 ? 4 : 3))
[ -f "$image/.done" ] || { echo "qemu-boot: no image in $image (make qemu-image)" >&2; exit 2; }
[ -e "$disk" ] || cp --sparse=always "$image/data.img" "$disk"

args=(-M virt -cpu cortex-a15 -smp 1 -m 256 -nic none -no-reboot -display none -monitor none
    -kernel "$image/vmlinuz" -initrd "$image/initrd.gz"
    # cache=unsafe: the guest's flushes are not passed on to the host's disk. What the guest wrote reaches the
    # host's page cache all the same, and a killed qemu (a power cut) loses only what the guest had not written.
    -drive "file=$disk,format=raw,if=none,id=data,cache=unsafe" -device virtio-blk-device,drive=data)
[ -z "${QEMU_PIDFILE:-}" ] || args+=(-pidfile "$QEMU_PIDFILE")
cmdline="console=ttyAMA0 panic=1 loglevel=4 $*"
if [ "$shell" -eq 1 ]; then
    args+=(-serial mon:stdio)
    cmdline="$cmdline certslot=shell"
else
    : >"$log"
    args+=(-serial "file:$log")
fi
exec timeout -s KILL "$limit" "${QEMU_SYSTEM_ARM:-qemu-system-arm}" "${args[@]}" -append "$cmdline"
