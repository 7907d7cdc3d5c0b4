#!/usr/bin/env bash
# The architecture README describes stays true (README, "Architecture"):
# - no call cycle between firmware source files (from the symbols each object
#   of the host library defines and uses);
# - certslot/config.h only in the config stage and the provisioning flow;
# - no file-system call in firmware/src: files go through the hal or a source;
# - no firmware source file over 800 lines.
. "$(dirname "$0")/../common/cli.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
lib=$(dirname "$TOOL")/host/libcertslot.a
[ -f "$lib" ] || lib=$(dirname "$TOOL")/../host/libcertslot.a
cd "$root" || exit 1
: >"$OUT"
: >"$ERR"

# ---- call cycles ----
LAST="call graph of $lib"
firmware=" $(for f in firmware/src/*/*.c; do basename "${f%.c}.o"; done | tr '\n' ' ') "
nm "$lib" >"$T/nm" 2>/dev/null || fail "cannot read the library"
# "user provider" for each symbol a firmware object uses and another defines.
awk -v fw="$firmware" '
    /:$/ { obj = substr($0, 1, length($0) - 1); keep = index(fw, " " obj " ") > 0; next }
    !keep { next }
    NF == 3 && $2 ~ /^[TDBR]$/ { def[$3] = obj }
    NF == 2 && $1 == "U" { use[obj] = use[obj] " " $2 }
    END { for (o in use) { n = split(use[o], s, " "); for (i = 1; i <= n; i++)
            if ((s[i] in def) && def[s[i]] != o) print o, def[s[i]] } }' "$T/nm" | sort -u >"$T/edges"
[ -s "$T/edges" ] || fail "no call edges found (is the library built?)"
# peel A B: drop the edges whose column B file never appears in column A
# (a file that calls nothing left, or that nothing left calls), until none is.
peel() {
    while [ -s "$T/left" ]; do
        awk -v c="$2" '{ print $c }' "$T/left" | sort -u >"$T/b"
        awk -v c="$1" '{ print $c }' "$T/left" | sort -u >"$T/a"
        comm -23 "$T/b" "$T/a" >"$T/done"
        [ -s "$T/done" ] || break
        awk -v c="$2" 'NR == FNR { done[$1] = 1; next } !($c in done)' "$T/done" "$T/left" >"$T/next"
        mv "$T/next" "$T/left"
    done
}
# Files that call no remaining file, then files no remaining file calls: what is left is the cycles themselves.
cp "$T/edges" "$T/left"
peel 1 2
peel 2 1
[ ! -s "$T/left" ] || fail "call cycle among: $(awk '{ print $1 }' "$T/left" | sort -u | tr '\n' ' ')"

# ---- config.h stays in the config stage ----
LAST="who includes certslot/config.h"
leaks=$(grep -rl 'certslot/config\.h' firmware hal port |
    grep -v -e '^firmware/src/config/' -e '^firmware/include/certslot/config\.h$' -e '^firmware/src/prov/prov\.c$')
[ -z "$leaks" ] || fail "included below the config stage: $leaks"

# ---- no file-system call in firmware/src ----
LAST="file-system calls in firmware/src"
calls=$(grep -nE '(^|[^>._[:alnum:]])(fopen|fread|fwrite|open|openat|stat|lstat|fstat|access|rename|renameat|fsync|realpath|unlink|mkdir|rmdir|opendir)[[:space:]]*\(' \
    firmware/src/*/*.c firmware/src/*/*.h | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*|/\*|//)')
[ -z "$calls" ] || fail "outside hal/ and port/: $calls"

# ---- file size ----
LAST="firmware file sizes"
for f in firmware/src/*/*.c; do
    n=$(wc -l <"$f")
    [ "$n" -le 800 ] || fail "$f has $n lines (at most 800)"
done
finish
