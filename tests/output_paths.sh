#!/usr/bin/env bash
# Where reports go (#20): -o FILE renames a temporary file only over a regular
# file or a missing path; a FIFO, a device or a symlink such as /dev/stdout is
# written in place; an existing report keeps its mode; and a report that
# cannot be written (stdout on /dev/full) exits 2 with a message. Nothing here
# writes to a real device but /dev/full, which discards.
set -euo pipefail
bin=$(realpath "$1")
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
in=fixtures/go/nil_deref.log

# A FIFO is written in place, not replaced by a regular file.
mkfifo "$tmp/fifo"
timeout 20 cat "$tmp/fifo" > "$tmp/from-fifo" &
reader=$!
timeout 20 "$bin" triage -o "text:$tmp/fifo" "$in" || fail "triage -o FIFO exits 0"
wait "$reader" || fail "the FIFO's reader got the report"
[ -p "$tmp/fifo" ] || fail "the FIFO was replaced by a regular file"
grep -q 'nil pointer dereference' "$tmp/from-fifo" || fail "the report came through the FIFO"

# A symlink to /dev/stdout: the report is printed, the link stays a link.
ln -s /dev/stdout "$tmp/out-link"
"$bin" triage -o "text:$tmp/out-link" "$in" > "$tmp/stdout.txt"
[ -L "$tmp/out-link" ] || fail "the link to /dev/stdout was replaced"
grep -q 'nil pointer dereference' "$tmp/stdout.txt" || fail "-o /dev/stdout printed nothing"
# The same through a pipe (stdout is a FIFO then).
"$bin" triage -o "json:$tmp/out-link" "$in" | grep '"traces"' >/dev/null || fail "-o /dev/stdout into a pipe"

# An existing report keeps its mode; a new one follows the umask.
echo old > "$tmp/r.txt"
chmod 0644 "$tmp/r.txt"
"$bin" triage -o "text:$tmp/r.txt" "$in"
[ "$(stat -c %a "$tmp/r.txt")" = 644 ] || fail "report mode became $(stat -c %a "$tmp/r.txt")"
grep -q 'nil pointer dereference' "$tmp/r.txt" || fail "the report was replaced"
(umask 022 && "$bin" triage -o "text:$tmp/new.txt" "$in")
[ "$(stat -c %a "$tmp/new.txt")" = 644 ] || fail "new report mode $(stat -c %a "$tmp/new.txt")"
[ -z "$(ls "$tmp" | grep '\.tmp\.')" ] || fail "temporary files left: $(ls "$tmp")"

# A report that cannot be written is exit 2 with a message.
for cmd in "triage" "triage -f json" "inventory" "explain"; do
  set +e
  $bin $cmd "$in" > /dev/full 2> "$tmp/err"; rc=$?
  set -e
  [ "$rc" = 2 ] || fail "'$cmd' to /dev/full exits 2 (got $rc)"
  grep -q 'cannot write' "$tmp/err" || fail "'$cmd' to /dev/full says why: $(cat "$tmp/err")"
done
ln -s /dev/full "$tmp/full-link"
set +e
"$bin" triage -o "text:$tmp/full-link" "$in" 2> "$tmp/err"; rc=$?
set -e
[ "$rc" = 2 ] || fail "-o to a full device exits 2 (got $rc)"
[ -L "$tmp/full-link" ] || fail "the link to /dev/full was replaced"
grep -q "cannot write '$tmp/full-link'" "$tmp/err" || fail "names the output: $(cat "$tmp/err")"
echo "output_paths: passed"
