#!/usr/bin/env python3
"""What Scribe's end-to-end scripts share: checks and polling, the `scribe` process, its database.

Used by the scripts in tests/e2e and tests/browser. Python 3 standard library, and psycopg2
(Debian's python3-psycopg2) for the runs against PostgreSQL.

  - Results: named checks that print on failure and count; `group()` prints a heading.
  - poll(): waits for a condition with a deadline (Scribe works asynchronously after its acks).
  - Scribe: `scribe serve` as a child process in a work directory, its log in scribe.log (appended
    across restarts), its port read from the log line 'msg="http server listening" ... port=N';
    SIGTERM, SIGKILL; run_cli() runs other subcommands (`scribe export ...`).
  - test_store(): the store of a run, SQLite (Db: a file in the work folder) or, with
    $SCRIBE_TEST_POSTGRES_DIR set, PostgreSQL (PostgresDb: a fresh database in the server that
    tests/support/postgres_server started there); its `.url` is for SCRIBE_STORAGE_URL, and both
    answer the same read-only SQL (Scribe owns the data; a test writes only while Scribe is not
    running, and says why). skip() says why a check about the other store does not run.
  - http_get(): one plain HTTP GET to Scribe's own server; http_request(): any method, with a
    body.
  - free_port(): a TCP port on 127.0.0.1 that nothing listens on now, for a test that must know
    Scribe's address before it starts (SCRIBE_SERVER_LISTEN and SCRIBE_SERVER_PUBLIC_URL).
  - run_scenarios(): the main() of a script made of scenarios that each run alone (--scenario,
    --list), or all of them, in a few processes at once.
"""

from __future__ import annotations

import argparse
import decimal
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import traceback
import urllib.parse

# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures: list[str] = []

    def check(self, what: str, condition, detail="") -> bool:
        if condition:
            self.passed += 1
            return True
        self.failed += 1
        text = f"FAIL: {what}" + (f"\n      {detail}" if detail != "" else "")
        self.failures.append(what)
        print(text, flush=True)
        return False

    def fail(self, what: str, detail="") -> None:
        self.check(what, False, detail)


def group(title: str) -> None:
    print(f"--- {title}", flush=True)


def poll(fn, timeout: float = 10.0, interval: float = 0.05):
    """fn() until it returns something truthy; that value, or None after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def last_lines(text: str, n: int) -> str:
    return "\n".join(text.rstrip("\n").split("\n")[-n:])


# ---------------------------------------------------------------------------------------------
# Scribe as a process
# ---------------------------------------------------------------------------------------------

LISTENING = re.compile(r'msg="http server listening" .*port=(\d+)')


class Scribe:
    """`scribe serve` in `workdir` with exactly `env`. One process at a time; start() again after
    terminate() or kill() restarts it (the log is appended to, so the port is read from the part
    written by this start)."""

    def __init__(self, binary: str, workdir: str, env: dict):
        self.binary = binary
        self.workdir = workdir
        self.env = env
        self.log_path = os.path.join(workdir, "scribe.log")
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self._log_start = 0

    def start(self) -> tuple[bool, str]:
        """Starts `scribe serve`; (True, "") once it logs its port, else (False, why)."""
        self._log_start = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        self.port = None
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary, "serve"], cwd=self.workdir, env=self.env,
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            m = LISTENING.search(self.log_since_start())
            if m:
                self.port = int(m.group(1))
                return True, ""
            if self.proc.poll() is not None:
                return False, f"exited with {self.proc.returncode}"
            time.sleep(0.05)
        return False, "no 'http server listening' line within 10 s"

    def log(self) -> str:
        """The whole log, over every start."""
        try:
            with open(self.log_path, "r", encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_since_start(self) -> str:
        """What the current (or last) process wrote."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self._log_start)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def terminate(self, timeout: float = 15.0) -> tuple[int | None, float]:
        """SIGTERM, then wait; (exit code or None if it had to be killed, seconds taken)."""
        if self.proc is None:
            return None, 0.0
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            rc = None
        return rc, time.monotonic() - started

    def kill(self) -> None:
        """SIGKILL: no shutdown work at all (a crash, or clean-up after a failed test)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def run_cli(self, args: list[str], timeout: float = 30.0,
                env: dict | None = None) -> subprocess.CompletedProcess:
        """Runs `scribe <args>` in the same directory and environment (a one-shot subcommand)."""
        return subprocess.run([self.binary, *args], cwd=self.workdir,
                              env=self.env if env is None else env, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout)


def http_get(base_url: str, path: str, headers: dict | None = None,
             timeout: float = 10.0) -> tuple[int, dict, bytes]:
    """One GET on a fresh connection: (status, headers with lower-case names, body)."""
    url = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        body = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        conn.close()


def http_request(base_url: str, method: str, path: str, body: bytes | None = None,
                 headers: dict | None = None, timeout: float = 10.0) -> tuple[int, dict, bytes]:
    """One request on a fresh connection: (status, headers with lower-case names, body)."""
    url = urllib.parse.urlsplit(base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        conn.close()


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago (the kernel's choice for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# The store: SQLite, or PostgreSQL when the test runs against a server (read-only use; Scribe
# owns it)
# ---------------------------------------------------------------------------------------------

POSTGRES_DIR_VARIABLE = "SCRIBE_TEST_POSTGRES_DIR"


def test_store(work: str, sqlite_name: str = "scribe.db"):
    """The store a run uses: its `.url` is the value for SCRIBE_STORAGE_URL, and it reads (and,
    rarely, writes) what Scribe stored with the queries of `StoreQueries`.

    With $SCRIBE_TEST_POSTGRES_DIR set (the folder of tests/support/postgres_server, whose `url`
    file names the server), a fresh database with a unique name in that server, so that runs and
    replicas never see each other's rows; without it, the SQLite file `sqlite_name` in `work`."""
    server_dir = os.environ.get(POSTGRES_DIR_VARIABLE, "")
    if server_dir == "":
        return Db(os.path.join(work, sqlite_name))
    return PostgresDb.create(postgres_server_url(server_dir), os.path.splitext(sqlite_name)[0])


def postgres_server_url(server_dir: str) -> str:
    """The connection URL that tests/support/postgres_server wrote for its server in `server_dir`;
    raises when there is none."""
    try:
        with open(os.path.join(server_dir, "url"), encoding="utf-8") as f:
            return f.read().strip()
    except OSError as e:
        raise RuntimeError(f"{POSTGRES_DIR_VARIABLE}={server_dir} but no server was started there "
                           f"(tests/support/postgres_server start {server_dir}): {e}") from None


def skip(what: str, why: str) -> None:
    """A check that does not apply to this run's store, said out loud so that nobody takes its
    absence for a pass."""
    print(f"SKIP: {what} ({why})", flush=True)


class StoreQueries:
    """What the scripts read, in SQL that both stores understand (the PostgreSQL schema has the
    SQLite schema's tables, columns and value types). A subclass gives rows(), write(), tables()
    (the names of its tables), describe() (where it is, for messages) and discard()."""

    kind = ""

    @property
    def is_sqlite(self) -> bool:
        return self.kind == "sqlite"

    def rows(self, sql: str, args=()) -> list[dict]:
        raise NotImplementedError

    def incident(self, channel: str) -> dict | None:
        found = self.rows("SELECT * FROM incidents WHERE channel = ? ORDER BY id DESC", (channel,))
        return found[0] if found else None

    def incidents(self) -> list[dict]:
        return self.rows("SELECT * FROM incidents ORDER BY id")

    def entries_for_ref(self, ref: str) -> list[dict]:
        return self.rows("SELECT * FROM timeline_entries WHERE message_ref = ? ORDER BY id", (ref,))

    def entries(self, incident_id: int) -> list[dict]:
        return self.rows("SELECT * FROM timeline_entries WHERE incident_id = ? ORDER BY id",
                         (incident_id,))

    def all_entries(self) -> list[dict]:
        return self.rows("SELECT * FROM timeline_entries ORDER BY id")

    # ---- the postmortem ------------------------------------------------------------------------

    def questions(self, incident_id: int) -> list[dict]:
        return self.rows("SELECT * FROM postmortem_questions WHERE incident_id = ? ORDER BY position",
                         (incident_id,))

    def answers(self, incident_id: int) -> list[dict]:
        return self.rows("SELECT * FROM postmortem_answers WHERE incident_id = ? ORDER BY id",
                         (incident_id,))

    def drafts(self, incident_id: int) -> list[dict]:
        return self.rows("SELECT * FROM postmortem_drafts WHERE incident_id = ? ORDER BY version",
                         (incident_id,))

    def jobs(self, queue: str) -> list[dict]:
        return self.rows("SELECT * FROM jobs WHERE queue = ? ORDER BY id", (queue,))


class Db(StoreQueries):
    """Scribe's SQLite file."""

    kind = "sqlite"

    def __init__(self, path: str):
        self.path = path
        self.url = "sqlite:" + path
        self.password = ""

    def describe(self) -> str:
        return self.path

    def rows(self, sql: str, args=()) -> list[dict]:
        if not os.path.exists(self.path):
            return []
        conn = sqlite3.connect(self.path, timeout=5)
        try:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute(sql, args).fetchall()]
        except sqlite3.OperationalError as e:
            if "no such table" in str(e):
                return []
            raise
        finally:
            conn.close()

    def write(self, sql: str, args=()) -> int:
        """One write, committed; the number of rows changed. Only while Scribe is not running."""
        conn = sqlite3.connect(self.path, timeout=5)
        try:
            changed = conn.execute(sql, args).rowcount
            conn.commit()
            return changed
        finally:
            conn.close()

    def tables(self) -> list[str]:
        return [r["name"] for r in self.rows("SELECT name FROM sqlite_master WHERE type = 'table' "
                                             "ORDER BY name")]

    def discard(self) -> None:
        """Nothing to do: the file goes with the work folder."""


class PostgresDb(StoreQueries):
    """A database of its own in the test PostgreSQL server, created for one run. Rows come back
    as the SQLite reader gives them (int, str, None, bytes; no bool or Decimal), so that checks
    compare the same values on both stores. One connection, in autocommit, opened on first use and
    again after it broke; callers use it from one thread at a time."""

    kind = "postgresql"

    def __init__(self, url: str):
        self.url = url
        parts = urllib.parse.urlsplit(url)
        self.name = urllib.parse.unquote(parts.path.lstrip("/"))
        self.password = urllib.parse.unquote(parts.password or "")
        self._conn = None

    @classmethod
    def create(cls, server_url: str, label: str) -> "PostgresDb":
        """A new, empty database in the server at `server_url`, named after the script, `label`
        and a random part (runs of the same script may overlap, in ctest -j or by hand)."""
        script = os.path.splitext(os.path.basename(sys.argv[0] if sys.argv else "e2e"))[0]
        words = re.sub(r"[^a-z0-9_]", "_", f"{script}_{label}".lower())[:40]
        name = f"{words}_{os.getpid()}_{os.urandom(4).hex()}"   # at most 63 bytes, PostgreSQL's limit
        conn = _pg_connect(server_url)
        try:
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()
        parts = urllib.parse.urlsplit(server_url)
        return cls(urllib.parse.urlunsplit(parts._replace(path="/" + name)))

    def describe(self) -> str:
        return f"PostgreSQL database {self.name} ({_without_password(self.url)})"

    def _cursor(self):
        if self._conn is None or self._conn.closed:
            self._conn = _pg_connect(self.url)
        return self._conn.cursor()

    def _execute(self, sql: str, args, fetch: bool):
        import psycopg2
        import psycopg2.errors
        for attempt in (1, 2):
            try:
                with self._cursor() as cur:
                    cur.execute(_pg_sql(sql), tuple(args))
                    if not fetch:
                        return cur.rowcount
                    names = [d.name for d in cur.description]
                    return [{n: _pg_value(v) for n, v in zip(names, r)} for r in cur.fetchall()]
            except psycopg2.errors.UndefinedTable:
                # Scribe creates the schema when it starts; before that there is nothing yet.
                return [] if fetch else 0
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                # A connection the server closed (it restarted, or dropped idle ones): once more
                # on a new one.
                self.close()
                if attempt == 2:
                    raise

    def rows(self, sql: str, args=()) -> list[dict]:
        return self._execute(sql, args, fetch=True)

    def write(self, sql: str, args=()) -> int:
        """One write, committed; the number of rows changed. Only while Scribe is not running."""
        return self._execute(sql, args, fetch=False)

    def tables(self) -> list[str]:
        return [r["table_name"] for r in self.rows(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
            "ORDER BY table_name")]

    def refuse_connections(self, refuse: bool) -> int:
        """Makes this database unreachable for Scribe, or reachable again: while refused, no one
        can connect to it and the connections it had are ended (the server and the other tests'
        databases are untouched, so this is safe on the shared server). The number of connections
        ended."""
        self.close()
        conn = _pg_connect(self._server_url())
        try:
            with conn.cursor() as cur:
                cur.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS {"false" if refuse else "true"}')
                if not refuse:
                    return 0
                cur.execute("SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE datname = %s AND pid <> pg_backend_pid()", (self.name,))
                return cur.fetchone()[0]
        finally:
            conn.close()

    def _server_url(self) -> str:
        """The URL of the server's own `postgres` database, for what is done to this one."""
        return urllib.parse.urlunsplit(urllib.parse.urlsplit(self.url)._replace(path="/postgres"))

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None

    def discard(self) -> None:
        """Drops the database (Scribe has been stopped by then; FORCE ends whatever connection a
        killed process left behind)."""
        self.close()
        conn = _pg_connect(self._server_url())
        try:
            with conn.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            conn.close()


def _pg_connect(url: str):
    try:
        import psycopg2
        import psycopg2.extensions
    except ImportError:
        raise RuntimeError("the PostgreSQL runs need psycopg2 for /usr/bin/python3: "
                           "scripts/install-deps --tests (python3-psycopg2)") from None
    conn = psycopg2.connect(url, connect_timeout=10)
    conn.autocommit = True
    # sqlite3 gives integers for what PostgreSQL types as NUMERIC (SUM of a BIGINT) or BOOLEAN (a
    # comparison), so those come back as int here too (a fraction, which no check needs, as float).
    def numeric(value, _cur):
        if value is None:
            return None
        d = decimal.Decimal(value)
        return int(d) if d == d.to_integral_value() else float(d)
    psycopg2.extensions.register_type(
        psycopg2.extensions.new_type((1700,), "SCRIBE_E2E_NUMERIC", numeric), conn)
    psycopg2.extensions.register_type(
        psycopg2.extensions.new_type((16,), "SCRIBE_E2E_BOOL",
                                     lambda v, _c: None if v is None else int(v == "t")), conn)
    return conn


def _pg_value(value):
    return bytes(value) if isinstance(value, memoryview) else value


def _pg_sql(sql: str) -> str:
    """sqlite3's `?` placeholders as psycopg2's `%s`, and every literal `%` (LIKE 'slack.%')
    doubled, since psycopg2 formats the whole text; a `?` inside quotes stays."""
    out = []
    quote = ""
    for ch in sql:
        if ch == "%":
            out.append("%%")
        elif quote:
            out.append(ch)
            if ch == quote:
                quote = ""
        elif ch in ("'", '"'):
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        else:
            out.append(ch)
    return "".join(out)


def _without_password(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def run_scenario(argv: list[str], results: Results, scenario) -> int:
    """The main() of an e2e script: `argv` is [script, path to scribe]; `scenario(binary)` returns
    an object whose run() records into `results`. Exit status 0 when every check passed, 64 for a
    wrong command line."""
    script = os.path.basename(argv[0]) if argv else "e2e"
    if len(argv) != 2:
        print(f"usage: {script} <path to scribe>", file=sys.stderr)
        return 64
    binary = os.path.realpath(argv[1])
    if not os.access(binary, os.X_OK):
        print(f"not an executable: {binary}", file=sys.stderr)
        return 64
    scenario(binary).run()
    print(f"{results.passed} passed, {results.failed} failed")
    return 0 if results.failed == 0 else 1


class Scenario:
    """One scenario of a script: a name for --scenario, how many seconds it takes (roughly, to
    share the whole run out between processes) and run(binary, shared), which starts a fresh
    Scribe on a fresh store and records its checks."""

    def __init__(self, name: str, seconds: float, run):
        self.name = name
        self.seconds = seconds
        self.run = run

    @property
    def summary(self) -> str:
        return " ".join((self.run.__doc__ or "").strip().split("\n\n")[0].split())


SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$", re.M)
JOBS_VARIABLE = "SCRIBE_E2E_JOBS"


def run_scenarios(argv: list[str], results: Results, scenarios: list[Scenario], share=None,
                  jobs: int = 2) -> int:
    """The main() of an e2e script made of scenarios:

      <script> <path to scribe> [--scenario NAME]... [--jobs N]
      <script> --list

    Named scenarios run one after another in this process. Without --scenario every scenario runs,
    shared out between N processes (--jobs, else $SCRIBE_E2E_JOBS, else `jobs`) by their `seconds`,
    each process running its share one after another; their outputs are printed whole, one after
    the other, and the last line sums their counts. `share()` makes what consecutive scenarios in
    one process share (a started fake server; it has stop()); each scenario gets it as `shared`.
    Exit status 0 when every check passed, 64 for a wrong command line."""
    script = os.path.basename(argv[0]) if argv else "e2e"
    names = [s.name for s in scenarios]
    parser = argparse.ArgumentParser(prog=script)
    parser.add_argument("binary", nargs="?", help="path to scribe")
    parser.add_argument("--scenario", action="append", choices=names, metavar="NAME",
                        help="run only this scenario (repeatable): " + ", ".join(names))
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--jobs", type=int, default=int(os.environ.get(JOBS_VARIABLE) or jobs),
                        help="processes for a run of every scenario")
    try:
        args = parser.parse_args(argv[1:])
    except SystemExit as e:
        return 0 if e.code == 0 else 64
    if args.list:
        for s in scenarios:
            print(f"{s.name:<16} {s.summary}")
        return 0
    if args.binary is None:
        parser.print_usage(sys.stderr)
        return 64
    binary = os.path.realpath(args.binary)
    if not os.access(binary, os.X_OK):
        print(f"not an executable: {binary}", file=sys.stderr)
        return 64
    chosen = [next(s for s in scenarios if s.name == n) for n in args.scenario or names]
    if args.scenario or args.jobs <= 1 or len(chosen) == 1:
        shared = share() if share is not None else None
        try:
            for s in chosen:
                group(f"scenario {s.name}")
                started = time.monotonic()
                try:
                    s.run(binary, shared)
                except Exception:   # a broken scenario is a failure; the others still run
                    results.fail(f"scenario {s.name} ran to its end", traceback.format_exc())
                print(f"--- scenario {s.name} took {time.monotonic() - started:.1f} s", flush=True)
        finally:
            if shared is not None:
                shared.stop()
        print(f"{results.passed} passed, {results.failed} failed")
        return 0 if results.failed == 0 else 1
    return _run_in_processes(argv[0], binary, chosen, args.jobs)


def _run_in_processes(script: str, binary: str, scenarios: list[Scenario], jobs: int) -> int:
    # Longest first, each to the process with the least work so far: the run takes about as long
    # as its busiest process.
    lanes: list[list[Scenario]] = [[] for _ in range(min(jobs, len(scenarios)))]
    for s in sorted(scenarios, key=lambda s: -s.seconds):
        min(lanes, key=lambda lane: sum(x.seconds for x in lane)).append(s)
    procs = []
    for lane in lanes:
        command = [sys.executable, script, binary]
        for s in lane:
            command += ["--scenario", s.name]
        procs.append((lane, subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)))
    passed = failed = 0
    try:
        for lane, proc in procs:
            out = proc.communicate()[0].decode("utf-8", "replace")
            print(f"=== {', '.join(s.name for s in lane)} (exit {proc.returncode})", flush=True)
            print(out, end="" if out.endswith("\n") else "\n", flush=True)
            counts = SUMMARY.findall(out)
            if counts:
                passed += int(counts[-1][0])
                failed += int(counts[-1][1])
            if not counts or proc.returncode != 0 and int(counts[-1][1]) == 0:
                print(f"FAIL: the process running {', '.join(s.name for s in lane)} ended "
                      f"without its count (exit {proc.returncode})", flush=True)
                failed += 1
    finally:
        for _, proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


def finish_run(results: Results, scribe, fake, work: str, keep_variable: str, records: dict,
               store=None) -> None:
    """The end of an e2e run, whatever happened: Scribe is killed, its log is searched for every
    secret it was configured with (SCRIBE_*_SECRET, SCRIBE_*_TOKEN, the password in
    SCRIBE_STORAGE_URL), the tail of its log is shown when a check failed, and the fake (if any)
    is stopped; the work folder and a PostgreSQL `store` are removed unless $keep_variable is set,
    in which case each of `records` (file name -> a function giving what to write as JSON, such as
    the fake's call record) is written into it first."""
    if scribe is not None:
        scribe.kill()
        # Whatever the scenario, the secrets it configured never reach Scribe's log.
        configured = {name: value for name, value in scribe.env.items()
                      if name.startswith("SCRIBE_") and name.endswith(("_SECRET", "_TOKEN"))
                      and len(value) >= 8}
        storage_password = urllib.parse.urlsplit(scribe.env.get("SCRIBE_STORAGE_URL", "")).password
        if storage_password:
            configured["the password in SCRIBE_STORAGE_URL"] = urllib.parse.unquote(storage_password)
        log = scribe.log()
        leaked = [name for name, value in configured.items() if value in log]
        results.check(f"none of the {len(configured)} configured secrets is in Scribe's log",
                      not leaked, leaked)
        if results.failed:
            print("--- the last lines of Scribe's log", flush=True)
            print(last_lines(scribe.log(), 40), flush=True)
    keep = os.environ.get(keep_variable)
    if keep:
        for name, record in records.items():
            with open(os.path.join(work, name), "w", encoding="utf-8") as f:
                json.dump(record(), f, indent=1, ensure_ascii=False)
        where = "the database" if store is None or store.is_sqlite else store.describe()
        print(f"kept {work}: scribe.log, {where}, {', '.join(records)}", flush=True)
    if fake is not None:
        fake.stop()
    if not keep:
        shutil.rmtree(work, ignore_errors=True)
        if store is not None:
            try:
                store.discard()
            except Exception as e:
                # A database left behind goes with the server; it fails no check.
                print(f"note: could not drop {store.describe()}: {e}", flush=True)
