#!/usr/bin/env bash
# The systemd install steps in deploy/scribe.service's header, run as written into an empty
# root (a fresh machine has none of /etc/scribe or /usr/share/doc/scribe), and the installed unit
# checked with systemd's own `systemd-analyze verify`. Usage: systemd_test.sh <path to scribe>
set -uo pipefail
scribe=$(realpath "$1")
top=$(cd "$(dirname "$0")/../.." && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
failures=0
passes=0
check() {  # check <description> <command...>
  local what=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $what" >&2; failures=$((failures + 1)); fi
}

steps=$(sed -n 's/^#   \(install .*\)$/\1/p' "$top/deploy/scribe.service" | sed 's/ *#.*$//')
check "the unit's header lists install steps" test -n "$steps"
# Every absolute path goes under $root; build/scribe is the binary under test.
while read -r step; do
  step=$(sed -E "s# /# $root/#g; s# build/scribe # $scribe #" <<<"$step")
  check "as written on a fresh machine: $step" bash -c "cd '$top' && $step"
done <<<"$steps"

unit="$root/etc/systemd/system/scribe.service"
check "the unit is installed" test -f "$unit"
check "the environment file is installed with mode 0600" test "$(stat -c %a "$root/etc/scribe/scribe.env")" = 600
doc=$(sed -n 's#^Documentation=file://##p' "$unit")
check "Documentation= names a file" test -n "$doc"
check "Documentation= names a file the steps installed ($doc)" test -f "$root$doc"
for link in $(grep -o '](docs/[^)#]*' "$root$doc" | cut -c3- | sort -u); do
  check "the installed README's link to $link works" test -f "$(dirname "$root$doc")/$link"
done

if command -v systemd-analyze >/dev/null; then
  # verify resolves the unit's dependencies (sysinit.target, ...) inside the root too.
  mkdir -p "$root/usr/lib/systemd"
  cp -r /usr/lib/systemd/system "$root/usr/lib/systemd/"
  out=$(systemd-analyze verify --root="$root" scribe.service 2>&1); rc=$?
  check "systemd-analyze verify finds nothing wrong (exit $rc): $out" test "$rc" = 0 -a -z "$out"
else
  echo "FAIL: systemd-analyze is missing: scripts/install-deps --tests installs systemd" >&2
  failures=$((failures + 1))
fi

echo "systemd: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
