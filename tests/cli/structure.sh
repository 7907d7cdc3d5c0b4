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
# Peel off files that call no remaining file; what cannot be peeled is a cycle.
cp "$T/edges" "$T/left"
while :; do
    awk '{ print $2 }' "$T/left" | sort -u >"$T/callees"
    awk '{ print $1 }' "$T/left" | sort -u >"$T/callers"
    comm -23 "$T/callees" "$T/callers" >"$T/leaves"
    [ -s "$T/leaves" ] || break
    awk 'NR == FNR { leaf[$1] = 1; next } !($2 in leaf)' "$T/leaves" "$T/left" >"$T/next"
    mv "$T/next" "$T/left"
done
# Then files nothing remaining calls: what is left is the cycles themselves.
while [ -s "$T/left" ]; do
    awk '{ print $1 }' "$T/left" | sort -u >"$T/callers"
    awk '{ print $2 }' "$T/left" | sort -u >"$T/callees"
    comm -23 "$T/callers" "$T/callees" >"$T/roots"
    [ -s "$T/roots" ] || break
    awk 'NR == FNR { root[$1] = 1; next } !($1 in root)' "$T/roots" "$T/left" >"$T/next"
    mv "$T/next" "$T/left"
done
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
