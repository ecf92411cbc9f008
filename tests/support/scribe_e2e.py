#!/usr/bin/env python3
"""What Scribe's end-to-end scripts share: checks and polling, the `scribe` process, its database.

Used by tests/e2e/slack_e2e.py and tests/e2e/postmortem_e2e.py. Python 3 standard library only.

  - Results: named checks that print on failure and count; `group()` prints a heading.
  - poll(): waits for a condition with a deadline (Scribe works asynchronously after its acks).
  - Scribe: `scribe serve` as a child process in a work directory, its log in scribe.log (appended
    across restarts), its port read from the log line 'msg="http server listening" ... port=N';
    SIGTERM, SIGKILL; run_cli() runs other subcommands (`scribe export ...`).
  - Db: read-only SQL on Scribe's SQLite file (Scribe owns it; a test writes only while Scribe is
    not running, and says why).
  - http_get(): one plain HTTP GET to Scribe's own server; http_request(): any method, with a
    body.
  - free_port(): a TCP port on 127.0.0.1 that nothing listens on now, for a test that must know
    Scribe's address before it starts (SCRIBE_SERVER_LISTEN and SCRIBE_SERVER_PUBLIC_URL).
"""

from __future__ import annotations

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
# The database (read-only use; Scribe owns it)
# ---------------------------------------------------------------------------------------------


class Db:
    def __init__(self, path: str):
        self.path = path

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


def finish_run(results: Results, scribe, fake, work: str, keep_variable: str, records: dict) -> None:
    """The end of an e2e run, whatever happened: Scribe is killed, its log is searched for every
    secret it was configured with (SCRIBE_*_SECRET, SCRIBE_*_TOKEN), the tail of its log is shown
    when a check failed, and the fake is stopped; the work folder is removed unless $keep_variable
    is set, in which case each of `records` (file name -> a function giving what to write as JSON,
    such as the fake's call record) is written into it first."""
    if scribe is not None:
        scribe.kill()
        # Whatever the scenario, the secrets it configured never reach Scribe's log.
        configured = {name: value for name, value in scribe.env.items()
                      if name.startswith("SCRIBE_") and name.endswith(("_SECRET", "_TOKEN"))
                      and len(value) >= 8}
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
        print(f"kept {work}: scribe.log, the database, {', '.join(records)}", flush=True)
    fake.stop()
    if not keep:
        shutil.rmtree(work, ignore_errors=True)

