#!/bin/sh
# stylecheck.sh SRCDIR: the style rules make check enforces on our C code:
# every file opens with a header comment, no trailing whitespace, no tabs,
# no line over 80 columns, and no allocation outside sqlite3_malloc & co.
srcdir=${1:-.}
status=0
for f in "$srcdir"/ext/*.[ch] "$srcdir"/shell/*.[ch] "$srcdir"/tcltest/*.c \
         "$srcdir"/examples/*.c; do
  [ -f "$f" ] || continue
  head -c 2 "$f" | grep -q '^/\*' || { echo "$f: no header comment"; status=1; }
  grep -n '[[:space:]]$' "$f" | sed "s|^|$f:|;s|$|: trailing whitespace|" | grep . && status=1
  grep -n '	' "$f" | sed "s|^|$f:|;s|$|: tab|" | grep . && status=1
  awk -v f="$f" 'length($0)>80 { print f ":" NR ": line longer than 80 columns"; s=1 } END { exit s }' "$f" || status=1
  grep -nE '(^|[^_a-z0-9])(malloc|realloc|free|strdup)\(' "$f" | sed "s|^|$f:|;s|$|: use sqlite3_malloc/free|" | grep . && status=1
done
[ $status = 0 ] && echo "stylecheck: ok"
exit $status
