#!/usr/bin/env bash
# End to end: the real `scribe` binary as a process. Usage: serve_test.sh <path to scribe>
# Covers the issue's "done when": serve with no config creates ./data/scribe.db, answers
# /healthz, exits 0 on SIGTERM; a bad config is refused naming the key; the CLI's exit codes.
# With SCRIBE_TEST_POSTGRES_DIR set (the folder of tests/support/postgres_server), `serve` runs on
# a fresh PostgreSQL database of its own instead, and the checks of the SQLite file become checks
# of that database.
set -uo pipefail
scribe=$(realpath "$1")
work=$(mktemp -d)
pids=()
server_url=""
pg_db=""
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$work"
  if [ -n "$pg_db" ]; then
    psql "$server_url" -qAt -c "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1
  fi
}
trap cleanup EXIT
failures=0
passes=0
check() {  # check <description> <command...>
  local what=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $what" >&2; failures=$((failures + 1)); fi
}

# Starts `scribe serve` in $work with the given environment; sets $pid and $port from its log.
# Its stdout (the start-up banner) goes to $work/stdout.
start_scribe() {
  : >"$work/stderr"
  : >"$work/stdout"
  (cd "$work" && exec env "$@" "$scribe" serve 2>"$work/stderr" >"$work/stdout") &
  pid=$!
  pids+=("$pid")
  port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/.*msg="http server listening" .*port=\([0-9][0-9]*\).*/\1/p' "$work/stderr" | head -n 1)
    [ -n "$port" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "scribe did not start; its log:" >&2
  cat "$work/stderr" >&2
  return 1
}

status_of() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

store_env=()
pg_url=""
if [ -n "${SCRIBE_TEST_POSTGRES_DIR:-}" ]; then
  server_url=$(cat "$SCRIBE_TEST_POSTGRES_DIR/url") || {
    echo "no PostgreSQL server in $SCRIBE_TEST_POSTGRES_DIR: tests/support/postgres_server start it" >&2
    exit 1
  }
  command -v psql >/dev/null || { echo "psql is missing: scripts/install-deps --tests" >&2; exit 1; }
  pg_db="serve_test_$$_$RANDOM"
  psql "$server_url" -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE $pg_db" || exit 1
  pg_url=${server_url%/postgres}/$pg_db
  pg_password=${server_url#postgresql://*:}
  pg_password=${pg_password%%@*}
  store_env=("SCRIBE_STORAGE_URL=$pg_url")
fi
# Scribe refuses SCRIBE_* variables it does not know, and this one is the test's.
unset SCRIBE_TEST_POSTGRES_DIR

# --- serve with no configuration file: defaults, but on a free port ---------------------------
start_scribe SCRIBE_SERVER_LISTEN=127.0.0.1:0 "${store_env[@]}" || exit 1
if [ -z "$pg_url" ]; then
  check "data/scribe.db is created" test -f "$work/data/scribe.db"
else
  check "no SQLite file is created when the store is PostgreSQL" test ! -e "$work/data/scribe.db"
fi
check "/healthz answers 200" test "$(status_of "http://127.0.0.1:$port/healthz")" = 200
check "/healthz says ok" grep -q '"ok"' <(curl -s "http://127.0.0.1:$port/healthz")
check "unknown path is 404" test "$(status_of "http://127.0.0.1:$port/nope")" = 404
check "wrong method is 405" test "$(status_of -X DELETE "http://127.0.0.1:$port/healthz")" = 405
check "garbage gets a 400 and the server lives on" \
  bash -c "printf 'NOT HTTP AT ALL\r\n\r\n' | timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/$port; cat >&3; cat <&3' | grep -q ' 400 '"
check "still healthy after bad input" test "$(status_of "http://127.0.0.1:$port/healthz")" = 200
if [ -z "$pg_url" ]; then
  check "the schema is in the database" \
    test "$(sqlite3 "$work/data/scribe.db" 'SELECT COUNT(*) FROM schema_migrations')" -ge 1
else
  check "the schema is in the PostgreSQL database" \
    test "$(psql "$pg_url" -qAt -c 'SELECT COUNT(*) FROM schema_migrations' || echo 0)" -ge 1
fi

banner_says() { for _ in $(seq 1 50); do grep -qF "$1" "$work/stdout" && return 0; sleep 0.05; done; return 1; }
check "the banner names the playground's working address" \
  banner_says "Try it in the playground: http://127.0.0.1:$port/playground"

kill -TERM "$pid"
started=$(date +%s)
wait "$pid"
rc=$?
check "SIGTERM exits 0 (got $rc)" test "$rc" = 0
check "SIGTERM exits within 5 s" test $(( $(date +%s) - started )) -le 5
check "shutdown is logged" grep -q 'msg=stopped' "$work/stderr"

# --- a restart reuses the same database -----------------------------------------------------
start_scribe SCRIBE_SERVER_LISTEN=127.0.0.1:0 "${store_env[@]}" || exit 1
check "restart answers /healthz" test "$(status_of "http://127.0.0.1:$port/healthz")" = 200
kill -INT "$pid"; wait "$pid"; rc=$?
check "SIGINT exits 0 (got $rc)" test "$rc" = 0

# --- bad configuration is refused, naming the key ------------------------------------------
printf 'server:\n  listen: "nonsense"\n' >"$work/bad.yaml"
(cd "$work" && "$scribe" serve --config bad.yaml) 2>"$work/err"; rc=$?
check "bad value exits 78 (got $rc)" test "$rc" = 78
check "bad value names server.listen" grep -q 'server.listen' "$work/err"

printf 'server:\n  listne: "127.0.0.1:1"\n' >"$work/typo.yaml"
(cd "$work" && "$scribe" check-config --config typo.yaml) 2>"$work/err"; rc=$?
check "unknown key exits 78 (got $rc)" test "$rc" = 78
check "unknown key is named" grep -q 'server.listne' "$work/err"

(cd "$work" && SCRIBE_LOG_LEVEL=loud "$scribe" check-config) 2>"$work/err"; rc=$?
check "bad environment value exits 78" test "$rc" = 78
check "bad environment value names log.level" grep -q 'log.level' "$work/err"

(cd "$work" && "$scribe" serve --config missing.yaml) 2>"$work/err"; rc=$?
check "missing config file exits 78" test "$rc" = 78
check "missing config file is named" grep -q 'missing.yaml' "$work/err"

# --- check-config prints the effective values, defaults included ---------------------------
mkdir "$work/fresh"
out=$(cd "$work/fresh" && "$scribe" check-config 2>&1); rc=$?
check "check-config exits 0" test "$rc" = 0
check "check-config shows the default listen address" grep -q 'server.listen.*127.0.0.1:8080' <<<"$out"
check "check-config shows the default store" grep -q 'storage.url.*sqlite:data/scribe.db' <<<"$out"
check "check-config creates no database" test ! -e "$work/fresh/data"
if [ -n "$pg_url" ]; then
  out=$(cd "$work/fresh" && env "${store_env[@]}" "$scribe" check-config 2>&1); rc=$?
  check "check-config exits 0 with the PostgreSQL store" test "$rc" = 0
  check "check-config shows the PostgreSQL store" grep -q 'storage.url.*postgresql://' <<<"$out"
  check "check-config does not show the database password" bash -c '! grep -qF "$1" <<<"$2"' _ "$pg_password" "$out"
fi

# --- an address in use is reported, exit 69 ------------------------------------------------
start_scribe SCRIBE_SERVER_LISTEN=127.0.0.1:0 "${store_env[@]}" || exit 1
(cd "$work" && env "${store_env[@]}" SCRIBE_SERVER_LISTEN="127.0.0.1:$port" "$scribe" serve) 2>"$work/err"; rc=$?
check "address in use exits 69 (got $rc)" test "$rc" = 69
check "address in use is explained" grep -q "127.0.0.1:$port" "$work/err"
kill -TERM "$pid"; wait "$pid"

# --- every interface without a token: the pages answer 403, and start-up says so -------------
start_scribe SCRIBE_SERVER_LISTEN=0.0.0.0:0 "${store_env[@]}" || exit 1
check "on 0.0.0.0 without a token the banner says the pages answer 403" banner_says "answer 403"
check "on 0.0.0.0 without a token the banner does not offer the playground" \
  bash -c '! grep -q "Try it in the playground" "$1"' _ "$work/stdout"
check "on 0.0.0.0 without a token the log warns" \
  grep -q 'level=warn msg="playground not served"' "$work/stderr"
check "on 0.0.0.0 without a token the playground answers 403, as the banner says" \
  test "$(status_of "http://127.0.0.1:$port/playground")" = 403
kill -TERM "$pid"; wait "$pid"

# --- the command line ----------------------------------------------------------------------
check "--version exits 0 and prints a version" bash -c "'$scribe' --version | grep -Eq '^scribe [0-9]+\.[0-9]+\.[0-9]+'"
check "--help exits 0 and lists serve" bash -c "'$scribe' --help | grep -q 'serve'"
"$scribe" frobnicate 2>"$work/err"; rc=$?
check "unknown command exits 64 (got $rc)" test "$rc" = 64
check "unknown command is named" grep -q 'frobnicate' "$work/err"
"$scribe" serv 2>"$work/err"; rc=$?
check "a mistyped command exits 64 (got $rc)" test "$rc" = 64
check "a mistyped command suggests the one meant" grep -q 'did you mean serve?' "$work/err"
check "a mistyped command is answered in two lines, not the whole usage" \
  test "$(wc -l <"$work/err")" -le 2
out=$("$scribe" slack-manifest --public-url http://scribe.example.com 2>"$work/err"); rc=$?
check "slack-manifest with an http:// URL still prints the manifest (got $rc)" \
  bash -c '[ "$1" = 0 ] && grep -q "request_url: http://scribe.example.com/slack/events" <<<"$2"' _ "$rc" "$out"
check "slack-manifest with an http:// URL warns that Slack wants https" \
  grep -q 'warning: Slack sends requests only to https://' "$work/err"
"$scribe" slack-manifest --public-url http://127.0.0.1:8080 >/dev/null 2>"$work/err"
check "slack-manifest on loopback does not warn" test ! -s "$work/err"
"$scribe" 2>/dev/null; rc=$?
check "no command exits 64" test "$rc" = 64

echo "e2e: $passes passed, $failures failed"
[ "$failures" -eq 0 ]
