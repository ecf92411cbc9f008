#!/usr/bin/env python3
"""End to end: hostile HTTP against the real `scribe serve`, one table row per attack, while
legitimate Slack traffic keeps flowing.

Usage: hostile_e2e.py <path to scribe>     (ctest: e2e.hostile; exit 0 when every check passes)

What runs: tests/support/fake_slack.py (Slack's Web API over TLS, its CA given to Scribe with
SCRIBE_TLS_CA_FILE) and tests/support/fake_homeserver.py, then `scribe serve` on a port picked
beforehand (Matrix needs server.public_url) with Slack, Matrix and web.token configured and
the server's limits set explicitly (server.body_limit 128KiB, server.read_timeout 2s,
server.idle_timeout 4s). A background thread sends a signed `/incident note` and a GET /healthz
every ~100 ms for the whole run; every one must be answered 200 within LEGIT_LIMIT seconds.

Each row of the table sends something hostile (raw sockets for malformed HTTP) and names the
answers it accepts. After every row: Scribe is still running, and what it logged during the row
holds no 500, "internal error", "http handler failed" or "http session failed" (input can never
cause those). Rows: oversized bodies (Content-Length, chunked, a huge declared length, with
Expect: 100-continue), slow senders (slowloris headers and bodies, silent connections), many
held connections (fd count and RSS of Scribe from /proc), invalid UTF-8 in signed commands and
events, deeply nested JSON, huge numbers, missing and duplicated headers, wrong content types,
path tricks and odd methods, HTTP/1.0, pipelining, a 100 KB request line, 10k headers, and
Matrix transactions (with the hs_token) that nest deeply, carry invalid UTF-8 or huge numbers.

What it follows: RFC 9112 (HTTP/1.1 message syntax: 3.2 Host is required in HTTP/1.1 and must
appear once, else 400; 6.1 Transfer-Encoding with Content-Length; 6.3 an invalid Content-Length
is an unrecoverable framing error), RFC 9110 (15.5.14 413, 15.5.9 408, 15.6.2 501 for an unknown
method), /work/shared/PROTOCOLS.md section 1 (Slack request signing), and config/scribe.example.yaml
(server.body_limit, read_timeout, idle_timeout).

Every check prints on failure; the table is printed at the end with expected and actual answers;
the last line is "N passed, M failed". HOSTILE_E2E_KEEP=1 keeps the work directory.
"""

from __future__ import annotations

import json
import os
import re
import resource
import secrets
import select
import socket
import sqlite3
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from fake_homeserver import FakeHomeserver  # noqa: E402
from fake_slack import FakeSlack  # noqa: E402
from scribe_e2e import (Results, Scribe, finish_run, free_port, group, http_get,  # noqa: E402
                        last_lines, poll, run_scenario, test_store)
from slack_driver import SlackDriver  # noqa: E402

BOT_TOKEN = "xoxb-hostile-" + secrets.token_hex(8)
BOT_USER_ID = "BSCRIBE"
TEAM_ID = "T_HOSTILE"
BODY_LIMIT = 128 * 1024                 # server.body_limit, set explicitly
READ_TIMEOUT = 2.0                      # server.read_timeout
IDLE_TIMEOUT = 4.0                      # server.idle_timeout
LEGIT_LIMIT = 2.0                       # seconds a legitimate request may take, at most
C_LEGIT, C_LEGIT_NAME = "C_LEGIT", "inc-legit"      # the background thread's incident
C_HOST, C_HOST_NAME = "C_HOSTILE", "inc-hostile"    # the rows' incident
MX_SERVER = "localhost"
MX_ROOM = "!hostile:localhost"
AS_TOKEN = "as-" + secrets.token_hex(16)
HS_TOKEN = "hs-" + secrets.token_hex(16)
TXN = "/_matrix/app/v1/transactions/"

# What Scribe's log may never say because of something a client sent.
BAD_LOG = re.compile(r'status=500\b|internal error|http handler failed|http session failed|'
                     r'terminate called|AddressSanitizer|runtime error:|Segmentation', re.I)

R = Results()


# ---------------------------------------------------------------------------------------------
# Raw HTTP
# ---------------------------------------------------------------------------------------------

class Raw:
    """What came back on one raw connection: the bytes, whether the server closed it, when."""

    def __init__(self, data: bytes, closed: bool, seconds: float, error: str = ""):
        self.data = data
        self.closed = closed
        self.seconds = seconds
        self.error = error
        self.responses = parse_responses(data)

    @property
    def status(self):
        """The first final status, else "closed" (the server hung up without one) or "open"."""
        for status, _, _ in self.responses:
            if status >= 200:
                return status
        return "closed" if self.closed else "open"

    def statuses(self) -> list[int]:
        return [s for s, _, _ in self.responses if s >= 200]

    def __repr__(self) -> str:
        shown = self.data[:300]
        return f"<{self.status} after {self.seconds:.2f}s closed={self.closed} {shown!r}{self.error}>"


class Pipelined(Raw):
    """Several responses on one connection; the row shows them all."""

    @property
    def status(self):
        return "+".join(str(s) for s in self.statuses()) or ("closed" if self.closed else "open")


def parse_responses(data: bytes) -> list[tuple[int, dict, bytes]]:
    """HTTP/1.x responses in `data`, framed by Content-Length (Scribe always sends it)."""
    out = []
    rest = data
    while rest.startswith(b"HTTP/"):
        head_end = rest.find(b"\r\n\r\n")
        if head_end < 0:
            break
        lines = rest[:head_end].decode("latin-1").split("\r\n")
        try:
            status = int(lines[0].split(" ")[1])
        except (IndexError, ValueError):
            break
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0) if status >= 200 else 0
        body = rest[head_end + 4:head_end + 4 + length]
        out.append((status, headers, body))
        rest = rest[head_end + 4 + length:]
    return out


def raw_exchange(port: int, data: bytes, timeout: float = 5.0, until_close: bool = False,
                 chunks: list[bytes] | None = None) -> Raw:
    """Sends `data` (then each of `chunks`) on a fresh connection and reads until the server closes,
    `timeout` passes, or (unless until_close) a whole response has arrived."""
    started = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    got = b""
    closed = False
    error = ""
    try:
        try:
            s.sendall(data)
            for chunk in chunks or []:
                s.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError) as e:
            error = f" (send: {e.__class__.__name__})"
        deadline = started + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                piece = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                error += " (reset)"
                break
            if not piece:
                closed = True
                break
            got += piece
            if not until_close:
                responses = parse_responses(got)
                if responses and responses[-1][0] >= 200:
                    # a whole response: wait a moment for a close, it tells keep-alive apart
                    s.settimeout(0.2)
                    try:
                        more = s.recv(65536)
                        if not more:
                            closed = True
                        else:
                            got += more
                            continue
                    except socket.timeout:
                        pass
                    except ConnectionResetError:
                        closed = True
                    break
    finally:
        s.close()
    return Raw(got, closed, time.monotonic() - started, error)


def request_bytes(method: str, target: str, headers: list[tuple[str, str]] | None = None,
                  body: bytes = b"", version: str = "HTTP/1.1", host: bool = True,
                  content_length: bool = True) -> bytes:
    lines = [f"{method} {target} {version}"]
    if host:
        lines.append("Host: 127.0.0.1")
    for name, value in headers or []:
        lines.append(f"{name}: {value}")
    if body and content_length and not any(n.lower() in ("content-length", "transfer-encoding")
                                          for n, _ in headers or []):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def chunked(body: bytes, size: int = 16384) -> bytes:
    out = b""
    for i in range(0, len(body), size):
        piece = body[i:i + size]
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return out + b"0\r\n\r\n"


# ---------------------------------------------------------------------------------------------
# Scribe's process figures
# ---------------------------------------------------------------------------------------------

def fd_count(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


# Memory bounds hold for the release binary; under AddressSanitizer (the CI's second run, which
# sets ASAN_OPTIONS) freed memory sits in a quarantine of up to 256 MiB first.
RSS_GROWTH_KIB = 65536 if "ASAN_OPTIONS" not in os.environ else 512 * 1024


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


# ---------------------------------------------------------------------------------------------
# Legitimate traffic in the background
# ---------------------------------------------------------------------------------------------

class LegitTraffic(threading.Thread):
    """Signed `/incident note` commands and GET /healthz, one after the other, until stop()."""

    def __init__(self, url: str, secret: str, response_url_for):
        super().__init__(daemon=True)
        self.url = url
        self.driver = SlackDriver(url, secret, response_url_for=response_url_for, team_id=TEAM_ID,
                                  bot_user_id=BOT_USER_ID, timeout=10.0)
        self.samples: list[tuple[str, object, float]] = []   # (what, status or error, seconds)
        self._halt = threading.Event()
        self._lock = threading.Lock()

    def run(self) -> None:
        n = 0
        while not self._halt.is_set():
            n += 1
            started = time.monotonic()
            try:
                req = self.driver.slash_command(f"note legit traffic {n}", C_LEGIT, C_LEGIT_NAME,
                                                "U_LEGIT", "legit")
                reply = self.driver.send(req)
                ok = reply.status == 200 and b"Noted in" in reply.body
                outcome = reply.status if ok else f"{reply.status} {reply.body[:80]!r}"
            except OSError as e:
                outcome = repr(e)
            self._add(f"note {n}", outcome, time.monotonic() - started)
            started = time.monotonic()
            try:
                status, _, _ = http_get(self.url, "/healthz", timeout=10.0)
                outcome = status
            except OSError as e:
                outcome = repr(e)
            self._add(f"healthz {n}", outcome, time.monotonic() - started)
            self._halt.wait(0.1)

    def _add(self, what, outcome, seconds) -> None:
        with self._lock:
            self.samples.append((what, outcome, seconds))

    def stop(self) -> None:
        self._halt.set()
        self.join(15)

    def snapshot(self) -> list[tuple[str, object, float]]:
        with self._lock:
            return list(self.samples)


# ---------------------------------------------------------------------------------------------
# The scenario
# ---------------------------------------------------------------------------------------------

class Scenario:
    def __init__(self, binary: str):
        self.binary = binary
        self.work = tempfile.mkdtemp(prefix="scribe-hostile-e2e-")
        self.secret = secrets.token_hex(16)
        self.web_token = secrets.token_hex(16)
        self.fake = FakeSlack(bot_token=BOT_TOKEN, bot_user_id=BOT_USER_ID, team_id=TEAM_ID)
        self.hs = FakeHomeserver(as_token=AS_TOKEN, hs_token=HS_TOKEN, appservice_id="scribe",
                                 sender_localpart="scribe", server_name=MX_SERVER,
                                 retry_initial=0.05, retry_max=0.5)
        self.fixed_port = free_port()
        self.db = test_store(self.work, os.path.join("data", "scribe.db"))
        self.scribe: Scribe | None = None
        self.slack: SlackDriver | None = None
        self.legit: LegitTraffic | None = None
        self.table: list[tuple[str, str, str, bool]] = []   # (row, expected, actual, ok)
        self.figures: list[str] = []
        self.log_mark = 0
        self.started_at = time.monotonic()

    # ---- set-up ----------------------------------------------------------------------------

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCRIBE_")}
        env.update({
            "SCRIBE_SERVER_LISTEN": f"127.0.0.1:{self.fixed_port}",
            "SCRIBE_SERVER_PUBLIC_URL": f"http://127.0.0.1:{self.fixed_port}",
            "SCRIBE_STORAGE_URL": self.db.url,
            "SCRIBE_MATRIX_HOMESERVER_URL": self.hs.url,
            "SCRIBE_MATRIX_SERVER_NAME": MX_SERVER,
            "SCRIBE_MATRIX_AS_TOKEN": AS_TOKEN,
            "SCRIBE_MATRIX_HS_TOKEN": HS_TOKEN,
            "SCRIBE_MATRIX_API_TIMEOUT": "2s",
            "SCRIBE_SERVER_BODY_LIMIT": f"{BODY_LIMIT // 1024}KiB",
            "SCRIBE_SERVER_READ_TIMEOUT": f"{int(READ_TIMEOUT * 1000)}ms",
            "SCRIBE_SERVER_IDLE_TIMEOUT": f"{int(IDLE_TIMEOUT * 1000)}ms",
            "SCRIBE_SLACK_SIGNING_SECRET": self.secret,
            "SCRIBE_SLACK_BOT_TOKEN": BOT_TOKEN,
            "SCRIBE_SLACK_API_BASE_URL": self.fake.api_url,
            "SCRIBE_SLACK_API_TIMEOUT": "2s",
            "SCRIBE_TLS_CA_FILE": self.fake.ca_file,
            "SCRIBE_WEB_TOKEN": self.web_token,
            "SCRIBE_LOG_LEVEL": "debug",
        })
        return env

    def start(self) -> bool:
        group("start: fake Slack, fake homeserver, scribe serve (body_limit 128KiB, read_timeout 2s)")
        self.fake.start()
        self.hs.start()
        self.scribe = Scribe(self.binary, self.work, self.env())
        ok, why = self.scribe.start()
        if not R.check("scribe serve starts with Slack, web.token and explicit limits", ok,
                       f"{why}; its log:\n{last_lines(self.scribe.log(), 20)}"):
            return False
        self.slack = SlackDriver(self.scribe.url(), self.secret,
                                 response_url_for=self.fake.response_url, team_id=TEAM_ID,
                                 bot_user_id=BOT_USER_ID)
        self.hs.set_appservice_url(self.scribe.url())
        for channel, name in ((C_LEGIT, C_LEGIT_NAME), (C_HOST, C_HOST_NAME)):
            reply = self.slack.send(self.slack.slash_command(f"open Hostile test {channel}",
                                                             channel, name, "U_OPS", "ops"))
            R.check(f"open an incident in {channel}: 200", reply.status == 200, reply)
        self.fake.add_user("U_OPS", "ops", display_name="Ops")
        return True

    @property
    def port(self) -> int:
        return self.scribe.port

    @property
    def pid(self) -> int:
        return self.scribe.proc.pid

    def auth(self) -> list[tuple[str, str]]:
        return [("Authorization", f"Bearer {self.web_token}")]

    def signed_headers(self, body: bytes, content_type: str) -> list[tuple[str, str]]:
        signed = self.slack.sign(body)
        return [("Content-Type", content_type),
                ("X-Slack-Request-Timestamp", signed["X-Slack-Request-Timestamp"]),
                ("X-Slack-Signature", signed["X-Slack-Signature"])]

    def note_body(self, text: str, channel: str = C_HOST) -> bytes:
        return self.slack.slash_command(text, channel, C_HOST_NAME, "U_OPS", "ops").body

    def event_body(self, event: dict) -> bytes:
        return self.slack.event_callback(event).body

    # ---- one row ---------------------------------------------------------------------------

    def row(self, name: str, expected: str, send, accept) -> object:
        """Runs `send()` (a Raw, a Reply, or anything with .status), judges it with
        `accept(result) -> bool`, and checks Scribe's health and log afterwards."""
        try:
            result = send()
            actual = result.status if hasattr(result, "status") else result
            ok = bool(accept(result))
            detail = repr(result)
        except Exception as e:  # noqa: BLE001 - a row that raises is a failed row
            result, actual, ok, detail = None, f"raised {e.__class__.__name__}", False, \
                traceback.format_exc()
        alive = self.scribe.running()
        new_log = self.log_delta()
        bad = [line for line in new_log.splitlines() if BAD_LOG.search(line)]
        R.check(f"row '{name}': expected {expected}", ok, f"actual {actual}: {detail[:600]}")
        R.check(f"row '{name}': Scribe is still running", alive,
                f"exit code {self.scribe.proc.returncode}; log:\n{last_lines(new_log, 10)}")
        R.check(f"row '{name}': no 500 / internal error in Scribe's log", not bad,
                "\n      ".join(bad[:5]))
        shown = str(actual)
        if not alive:
            shown += " (DIED)"
        elif bad:
            shown += " (500 in log)"
        self.table.append((name, expected, shown, ok and alive and not bad))
        return result

    def log_delta(self) -> str:
        """What Scribe logged since the last call (waits a moment for the row's last lines)."""
        time.sleep(0.05)
        try:
            with open(self.scribe.log_path, "rb") as f:
                f.seek(self.log_mark)
                data = f.read()
        except OSError:
            return ""
        self.log_mark += len(data)
        return data.decode("utf-8", "replace")

    # ---- the rows --------------------------------------------------------------------------

    def g_oversized(self) -> None:
        group("oversized bodies (server.body_limit = 128KiB)")
        big = b"x" * (BODY_LIMIT + 4096)
        is413 = lambda r: r.status == 413  # noqa: E731
        self.row("POST /slack/commands, Content-Length 132 KiB", "413",
                 lambda: raw_exchange(self.port, request_bytes(
                     "POST", "/slack/commands", [("Content-Type", "application/x-www-form-urlencoded")],
                     big)), is413)
        self.row("POST /slack/events, chunked, 132 KiB in 16 KiB chunks", "413",
                 lambda: raw_exchange(self.port, request_bytes(
                     "POST", "/slack/events", [("Content-Type", "application/json"),
                                               ("Transfer-Encoding", "chunked")]) + chunked(big)),
                 is413)
        self.row("POST /slack/events, chunked, one 132 KiB chunk", "413",
                 lambda: raw_exchange(self.port, request_bytes(
                     "POST", "/slack/events", [("Content-Type", "application/json"),
                                               ("Transfer-Encoding", "chunked")]) +
                     chunked(big, len(big))), is413)
        self.row("Content-Length: 10 GB declared, no body sent", "413 at once (< 1 s)",
                 lambda: raw_exchange(self.port, request_bytes(
                     "POST", "/slack/events", [("Content-Type", "application/json"),
                                               ("Content-Length", str(10 * 1024 ** 3))])),
                 lambda r: r.status == 413 and r.seconds < 1.0)
        self.row("Expect: 100-continue with Content-Length 1 MiB", "413, no 100 Continue",
                 lambda: raw_exchange(self.port, request_bytes(
                     "POST", "/slack/commands", [("Content-Type", "application/x-www-form-urlencoded"),
                                                 ("Content-Length", str(1024 * 1024)),
                                                 ("Expect", "100-continue")])),
                 lambda r: r.status == 413 and not any(s == 100 for s, _, _ in r.responses))
        self.row("over the limit on an unknown path", "413 (or 404)",
                 lambda: raw_exchange(self.port, request_bytes("POST", "/no/such/path", [], big)),
                 lambda r: r.status in (413, 404))
        exact = b"x" * BODY_LIMIT
        self.row("exactly body_limit bytes, unsigned, to /slack/events", "not 413 (401 or 415)",
                 lambda: raw_exchange(self.port, request_bytes(
                     "POST", "/slack/events", [("Content-Type", "application/json")], exact)),
                 lambda r: r.status in (400, 401))
        # A signed body just under the limit is processed (the limit is not off by one the other way).
        pad = "p" * (BODY_LIMIT - 2048)
        body = self.note_body(f"note padded {pad}")
        self.row("signed note with a body just under the limit", "200",
                 lambda: raw_exchange(self.port, request_bytes(
                     "POST", "/slack/commands", self.signed_headers(body, "application/x-www-form-urlencoded"),
                     body)), lambda r: r.status == 200)

    def g_slow(self) -> None:
        group("slow senders (server.read_timeout = 2s)")

        def slowloris(payload: bytes, interval: float, budget: float) -> Raw:
            """Sends `payload` a byte every `interval` s until the server closes or `budget` s."""
            started = time.monotonic()
            s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            got, closed, err = b"", False, ""
            try:
                for i in range(len(payload)):
                    if time.monotonic() - started > budget:
                        break
                    try:
                        s.sendall(payload[i:i + 1])
                    except (BrokenPipeError, ConnectionResetError):
                        closed = True
                        break
                    readable, _, _ = select.select([s], [], [], interval)
                    if readable:
                        try:
                            piece = s.recv(65536)
                        except ConnectionResetError:
                            closed, err = True, " (reset)"
                            break
                        if not piece:
                            closed = True
                            break
                        got += piece
                if not closed:
                    s.settimeout(max(0.1, budget - (time.monotonic() - started)))
                    try:
                        while True:
                            piece = s.recv(65536)
                            if not piece:
                                closed = True
                                break
                            got += piece
                    except socket.timeout:
                        pass
                    except ConnectionResetError:
                        closed = True
            finally:
                s.close()
            return Raw(got, closed, time.monotonic() - started, err)

        cut_off = lambda r: r.closed and r.status in (408, "closed") and \
            r.seconds < READ_TIMEOUT + 1.5  # noqa: E731
        head = request_bytes("GET", "/api/incidents", self.auth())
        results: dict[int, Raw] = {}

        def one(i: int) -> None:
            results[i] = slowloris(head, 1.0, READ_TIMEOUT + 4)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        # Legitimate requests while 20 slowloris connections are held.
        during = []
        for _ in range(5):
            t0 = time.monotonic()
            try:
                status, _, _ = http_get(self.scribe.url(), "/healthz", timeout=5)
            except OSError as e:
                status = repr(e)
            during.append((status, time.monotonic() - t0))
            time.sleep(0.2)
        for t in threads:
            t.join()
        R.check("while 20 slowloris connections are held, GET /healthz is answered 200 in < 2 s",
                all(s == 200 and d < LEGIT_LIMIT for s, d in during), during)
        self.row("slowloris: 20 connections, headers 1 byte/s", "408 or close within ~2 s",
                 lambda: _Many(list(results.values())), lambda m: all(cut_off(r) for r in m.items))
        self.row("slow body: headers at once, Content-Length 60, body 1 byte/s", "408 within ~2 s",
                 self._slow_body, cut_off)
        self.row("connect and send nothing", "closed after read_timeout (~2 s)",
                 lambda: raw_exchange(self.port, b"", timeout=READ_TIMEOUT + 3, until_close=True),
                 lambda r: r.closed and r.seconds < READ_TIMEOUT + 1.5)

    def _slow_body(self) -> Raw:
        head = request_bytes("POST", "/slack/events", [("Content-Type", "application/json"),
                                                       ("Content-Length", "60")])
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s.sendall(head)
        started = time.monotonic()
        got, closed = b"", False
        try:
            for _ in range(60):
                try:
                    s.sendall(b" ")
                except (BrokenPipeError, ConnectionResetError):
                    closed = True
                    break
                readable, _, _ = select.select([s], [], [], 1.0)
                if readable:
                    try:
                        piece = s.recv(65536)
                    except ConnectionResetError:
                        closed = True
                        break
                    if not piece:
                        closed = True
                        break
                    got += piece
                if time.monotonic() - started > READ_TIMEOUT + 4:
                    break
        finally:
            s.close()
        return Raw(got, closed, time.monotonic() - started)

    def g_many_connections(self) -> None:
        group("many connections held open")
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        n = max(10, min(500, soft - 200))
        base_fd, base_rss = fd_count(self.pid), rss_kib(self.pid)
        socks = []
        try:
            for _ in range(n):
                s = socket.socket()
                s.settimeout(5)
                s.connect(("127.0.0.1", self.port))
                socks.append(s)
            time.sleep(0.5)
            peak_fd, peak_rss = fd_count(self.pid), rss_kib(self.pid)
            t0 = time.monotonic()
            try:
                status, _, _ = http_get(self.scribe.url(), "/healthz", timeout=5)
            except OSError as e:
                status = repr(e)
            took = time.monotonic() - t0
            R.check(f"with {n} idle connections held, GET /healthz: 200 in < 2 s",
                    status == 200 and took < LEGIT_LIMIT, (status, took))
            # Scribe closes connections that send nothing after read_timeout, even if the client
            # keeps its end open: the fds come back.
            back = poll(lambda: fd_count(self.pid) <= base_fd + 10, READ_TIMEOUT + 3, 0.2)
            after_fd, after_rss = fd_count(self.pid), rss_kib(self.pid)
        finally:
            for s in socks:
                s.close()
        self.figures.append(f"{n} idle connections (ulimit -n {soft}): Scribe's fds {base_fd} -> "
                            f"{peak_fd} held -> {after_fd} after read_timeout; VmRSS {base_rss} -> "
                            f"{peak_rss} -> {after_rss} KiB")
        self.table.append((f"{n} idle connections", "served; fds back after read_timeout",
                           f"fds {base_fd}->{peak_fd}->{after_fd}", bool(back)))
        R.check(f"{n} idle connections: Scribe accepted them (fd count rose by about {n})",
                peak_fd >= base_fd + n * 0.8, (base_fd, peak_fd))
        R.check(f"{n} idle connections: Scribe closes them after read_timeout (fds back to "
                f"<= {base_fd}+10 while the client still holds them)", back, (base_fd, after_fd))
        R.check(f"{n} idle connections: VmRSS grows by < {RSS_GROWTH_KIB // 1024} MiB",
                peak_rss - base_rss < RSS_GROWTH_KIB,
                (base_rss, peak_rss))

        # Keep-alive connections after one request each: held for idle_timeout, then closed.
        m = min(300, n)
        base_fd = fd_count(self.pid)
        socks = []
        try:
            req = request_bytes("GET", "/healthz")
            for _ in range(m):
                s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                s.sendall(req)
                socks.append(s)
            answered = 0
            for s in socks:
                data = b""
                while b"\r\n\r\n" not in data:
                    piece = s.recv(4096)
                    if not piece:
                        break
                    data += piece
                answered += data.startswith(b"HTTP/1.1 200")
            peak_fd = fd_count(self.pid)
            back = poll(lambda: fd_count(self.pid) <= base_fd + 10, IDLE_TIMEOUT + 3, 0.2)
            after_fd = fd_count(self.pid)
        finally:
            for s in socks:
                s.close()
        self.figures.append(f"{m} keep-alive connections: fds {base_fd} -> {peak_fd} -> {after_fd} "
                            f"after idle_timeout")
        self.table.append((f"{m} keep-alive connections", "200 each; closed after idle_timeout",
                           f"{answered} x 200, fds {base_fd}->{peak_fd}->{after_fd}",
                           answered == m and bool(back)))
        R.check(f"{m} keep-alive connections: each answered 200", answered == m, answered)
        R.check(f"{m} keep-alive connections: closed by Scribe after idle_timeout", back,
                (base_fd, peak_fd, after_fd))
        R.check("Scribe is still running after the connection floods", self.scribe.running())

    def g_utf8(self) -> None:
        group("invalid UTF-8 in signed commands and events")
        form = "application/x-www-form-urlencoded"
        for what, raw_text in (
                ("0xFF 0xFE", b"note utf8-marker-1 \xff\xfe end"),
                ("overlong '/' (0xC0 0xAF)", b"note utf8-marker-2 \xc0\xaf end"),
                ("a lone surrogate in UTF-8 (ED A0 80)", b"note utf8-marker-3 \xed\xa0\x80 end"),
                ("a truncated 3-byte sequence at the end", b"note utf8-marker-4 \xe2\x82")):
            base = self.note_body("PLACEHOLDER")
            body = base.replace(b"PLACEHOLDER", urllib.parse.quote_from_bytes(raw_text, safe="").encode())
            self.row(f"signed note with invalid UTF-8: {what}", "200 (U+FFFD) or 4xx",
                     lambda b=body: self.slack.post("/slack/commands", b, form,
                                                    dict(self.slack.sign(b))),
                     lambda r: (r.status == 200 and valid_utf8(r.body)) or 400 <= r.status < 500)
        for what, raw in (
                ("raw 0xFF in a JSON string", b'"<@BSCRIBE> note utf8-marker-5 \xff end"'),
                ("escaped lone surrogate \\udc00", b'"<@BSCRIBE> note utf8-marker-6 \\udc00 end"'),
                ("overlong NUL C0 80", b'"<@BSCRIBE> note utf8-marker-7 \xc0\x80 end"')):
            ts = SlackDriver.now_ts()
            event = self.slack.app_mention("U_OPS", "PLACEHOLDER", C_HOST, ts)
            body = self.event_body(event).replace(b'"PLACEHOLDER"', raw)
            self.row(f"signed event with {what}", "400 (or 200, stored as U+FFFD)",
                     lambda b=body: self.slack.post("/slack/events", b, "application/json",
                                                    dict(self.slack.sign(b))),
                     lambda r: r.status == 200 or 400 <= r.status < 500)
        # Whatever was stored is valid UTF-8.
        time.sleep(1.0)
        bad = invalid_utf8_cells(self.db)
        R.check("every text stored in the database is valid UTF-8", not bad, bad[:5])
        stored = [c for c in text_cells(self.db) if b"utf8-marker" in c]
        self.figures.append("invalid UTF-8: stored as " + (", ".join(
            repr(c.decode("utf-8", "replace")[:60]) for c in stored) or "nothing"))

    def g_nested_and_numbers(self) -> None:
        group("deeply nested JSON, huge numbers")
        before = rss_kib(self.pid)
        depth = 60000   # 120 KB balanced: fits the 128 KiB limit with the envelope
        event = self.slack.app_mention("U_OPS", "<@BSCRIBE> nested", C_HOST, SlackDriver.now_ts())
        event["blocks"] = "NESTED"
        body = self.event_body(event).replace(b'"NESTED"', b"[" * depth + b"]" * depth)
        self.row(f"signed event with {depth}-deep balanced arrays", "4xx (nesting limit) or 200",
                 lambda: self.slack.post("/slack/events", body, "application/json",
                                         dict(self.slack.sign(body))),
                 lambda r: r.status == 200 or 400 <= r.status < 500)
        body = b"[" * 100000
        self.row("signed event body of 100k '['", "400",
                 lambda: self.slack.post("/slack/events", body, "application/json",
                                         dict(self.slack.sign(body))),
                 lambda r: 400 <= r.status < 500)
        body = b'{"a":' * 20000 + b"1" + b"}" * 20000
        self.row("signed event of 20k nested objects", "400",
                 lambda: self.slack.post("/slack/events", body, "application/json",
                                         dict(self.slack.sign(body))),
                 lambda r: r.status == 200 or 400 <= r.status < 500)
        payload = "[" * 20000 + "]" * 20000
        body = urllib.parse.urlencode({"payload": payload}).encode()
        self.row("signed interaction whose payload is 20k-deep arrays", "400",
                 lambda: self.slack.post("/slack/interactions", body,
                                         "application/x-www-form-urlencoded",
                                         dict(self.slack.sign(body))),
                 lambda r: r.status == 200 or 400 <= r.status < 500)
        time.sleep(1.0)   # the inbox worker parses what was acknowledged
        after = rss_kib(self.pid)
        self.figures.append(f"deep JSON: VmRSS {before} -> {after} KiB")
        R.check(f"deep JSON: VmRSS grows by < {RSS_GROWTH_KIB // 1024} MiB",
                after - before < RSS_GROWTH_KIB, (before, after))

        def event_with(replacements: dict) -> bytes:
            """A signed-to-be reaction_added whose numbers are replaced verbatim in the JSON."""
            ev = self.slack.reaction_added("U_OPS", "pushpin", C_HOST, "1700000000.000100", "U_OPS")
            b = self.event_body(ev)
            b = re.sub(rb'"event_time": -?\d+', b'"event_time": EVENT_TIME_HERE', b)
            b = re.sub(rb'"event_ts": "[0-9.]+"', b'"event_ts": EVTS_MARK', b)
            b = b.replace(b'"ts": "1700000000.000100"', b'"ts": ITEMTS_MARK')
            for k, v in {"EVENT_TIME_HERE": b"1700000000", "ITEMTS_MARK": b'"1700000000.000100"',
                         "EVTS_MARK": b'"1700000000.000100"', **replacements}.items():
                b = b.replace(k.encode(), v)
            return b

        cases = [
            ("event_time 1e400", {"EVENT_TIME_HERE": b"1e400"}),
            ("event_time -1e400", {"EVENT_TIME_HERE": b"-1e400"}),
            ("event_time 99999999999999999999999", {"EVENT_TIME_HERE": b"99999999999999999999999"}),
            ("event_time -9223372036854775809", {"EVENT_TIME_HERE": b"-9223372036854775809"}),
            ("item ts \"99999999999999999999999.999999\"",
             {"ITEMTS_MARK": b'"99999999999999999999999.999999"'}),
            ("item ts \"1e400\"", {"ITEMTS_MARK": b'"1e400"'}),
            ("item ts \"-1.5\"", {"ITEMTS_MARK": b'"-1.5"'}),
            ("item ts as the number 1e400", {"ITEMTS_MARK": b"1e400"}),
            ("item ts as the number 99999999999999999999999",
             {"ITEMTS_MARK": b"99999999999999999999999"}),
            ("event_ts \"99999999999999999999999.1\"",
             {"EVTS_MARK": b'"99999999999999999999999.1"'}),
        ]
        for what, repl in cases:
            body = event_with(repl)
            self.row(f"signed reaction_added, {what}", "200 or 400",
                     lambda b=body: self.slack.post("/slack/events", b, "application/json",
                                                    dict(self.slack.sign(b))),
                     lambda r: r.status == 200 or 400 <= r.status < 500)
        # The same odd ts values, now as messages the Web API returns: Scribe converts their ts.
        for ts in ("99999999999999999999999.999999", "9223372036854775807.999999",
                   "18446744073709551616.000001", "-1.5", "0.000000"):
            self.fake.add_message(C_HOST, ts, "U_OPS", f"odd ts {ts}")
            body = self.event_body(self.slack.reaction_added("U_OPS", "pushpin", C_HOST, ts, "U_OPS"))
            self.row(f"flag a message whose ts is {ts} (Web API returns it)", "200",
                     lambda b=body: self.slack.post("/slack/events", b, "application/json",
                                                    dict(self.slack.sign(b))),
                     lambda r: r.status == 200)
        time.sleep(1.5)
        odd = [(e["message_ref"], e["occurred_at"]) for e in self.db.all_entries()
               if (e.get("text") or "").startswith("odd ts")]
        self.figures.append(f"odd ts flags stored as (message_ref, occurred_at): {odd}")
        R.check("odd ts flags: any stored occurred_at is a sane time (0 <= t < year 3000)",
                all(isinstance(t, int) and 0 <= t < 32503680000 * 1_000_000 for _, t in odd), odd)
        for arg in ("99999999999999999999999", "1e400", "-1", "0", "18446744073709551617"):
            req = self.slack.slash_command(f"sev {arg}", C_HOST, C_HOST_NAME, "U_OPS", "ops")
            self.row(f"signed /incident sev {arg}", "200 with a refusal, or 4xx",
                     lambda q=req: self.slack.send(q),
                     lambda r: (r.status == 200 and b"Severity set" not in r.body) or
                     400 <= r.status < 500)
        for ts in ("99999999999999999999999", "-9223372036854775808", "1e3", "0x10", " 1700000000"):
            req = self.slack.slash_command("note huge-ts", C_HOST, C_HOST_NAME, "U_OPS", "ops")
            self.row(f"X-Slack-Request-Timestamp {ts!r}", "401",
                     lambda q=req, t=ts: self.slack.send(q, timestamp=t),
                     lambda r: r.status == 401)
        time.sleep(1.0)
        R.check("huge numbers: Scribe is still running after the inbox worker had its turn",
                self.scribe.running())
        bad = [line for line in self.log_delta().splitlines() if BAD_LOG.search(line)]
        R.check("huge numbers: no 500 / internal error logged by the inbox worker", not bad, bad[:5])

    def g_headers(self) -> None:
        group("missing and duplicated headers")
        form = "application/x-www-form-urlencoded"
        body = self.note_body("note duplicate-header row")
        signed = self.slack.sign(body)
        forged = self.slack.sign(body, secret=self.secret + "x")
        base = [("Content-Type", form), ("X-Slack-Request-Timestamp", signed["X-Slack-Request-Timestamp"])]
        refused = lambda r: r.status in (400, 401)  # noqa: E731
        self.row("two X-Slack-Signature: the valid one first, a forged one second", "400/401",
                 lambda: raw_exchange(self.port, request_bytes(
                     "POST", "/slack/commands", base + [("X-Slack-Signature", signed["X-Slack-Signature"]),
                                                        ("X-Slack-Signature", forged["X-Slack-Signature"])],
                     body)), refused)
        self.row("two X-Slack-Signature: a forged one first, the valid one second", "400/401",
                 lambda: raw_exchange(self.port, request_bytes(
                     "POST", "/slack/commands", base + [("X-Slack-Signature", forged["X-Slack-Signature"]),
                                                        ("X-Slack-Signature", signed["X-Slack-Signature"])],
                     body)), refused)
        stale = str(int(signed["X-Slack-Request-Timestamp"]) - 1000)
        self.row("two X-Slack-Request-Timestamp (the signed one and a stale one)", "400/401",
                 lambda: raw_exchange(self.port, request_bytes(
                     "POST", "/slack/commands", [("Content-Type", form),
                                                 ("X-Slack-Request-Timestamp", signed["X-Slack-Request-Timestamp"]),
                                                 ("X-Slack-Request-Timestamp", stale),
                                                 ("X-Slack-Signature", signed["X-Slack-Signature"])],
                     body)), refused)
        self.row("two different Content-Length", "400",
                 lambda: raw_exchange(self.port, request_bytes(
                     "POST", "/slack/commands", [("Content-Type", form), ("Content-Length", "5"),
                                                 ("Content-Length", "7")], b"abcdefg")),
                 lambda r: r.status == 400)
        self.row("Content-Length and Transfer-Encoding: chunked together", "400 (RFC 9112 6.1)",
                 lambda: raw_exchange(self.port, request_bytes(
                     "POST", "/slack/events", [("Content-Type", "application/json"),
                                               ("Content-Length", "5"),
                                               ("Transfer-Encoding", "chunked")], b"0\r\n\r\n")),
                 lambda r: r.status == 400)
        for value in ("-1", "1e3", "0x10", "99999999999999999999999", "5, 6", ""):
            self.row(f"Content-Length: {value!r}", "400 (or 413)",
                     lambda v=value: raw_exchange(self.port, request_bytes(
                         "POST", "/slack/events", [("Content-Type", "application/json"),
                                                   ("Content-Length", v)], b"{}")),
                     lambda r: r.status in (400, 413))
        self.row("Transfer-Encoding: gzip, chunked", "400 or 501",
                 lambda: raw_exchange(self.port, request_bytes(
                     "POST", "/slack/events", [("Transfer-Encoding", "gzip, chunked")], b"")
                     + b"2\r\n{}\r\n0\r\n\r\n"),
                 lambda r: r.status in (400, 415, 501))
        self.row("chunk size that overflows (ffffffffffffffffffff)", "400 or 413",
                 lambda: raw_exchange(self.port, request_bytes(
                     "POST", "/slack/events", [("Transfer-Encoding", "chunked")])
                     + b"ffffffffffffffffffff\r\nab\r\n"),
                 lambda r: r.status in (400, 413))
        self.row("chunk size that is not hex (zz)", "400",
                 lambda: raw_exchange(self.port, request_bytes(
                     "POST", "/slack/events", [("Transfer-Encoding", "chunked")]) + b"zz\r\nab\r\n"),
                 lambda r: r.status == 400)
        self.row("HTTP/1.1 without Host", "400 (RFC 9112 3.2)",
                 lambda: raw_exchange(self.port, request_bytes("GET", "/healthz", host=False)),
                 lambda r: r.status == 400)
        self.row("HTTP/1.1 with two Host headers", "400 (RFC 9112 3.2)",
                 lambda: raw_exchange(self.port, request_bytes("GET", "/healthz",
                                                               [("Host", "evil.example")])),
                 lambda r: r.status == 400)
        self.row("HTTP/1.1 with an invalid Host value ('a b/c')", "400 (RFC 9112 3.2)",
                 lambda: raw_exchange(self.port, request_bytes("GET", "/healthz",
                                                               [("Host", "a b/c")], host=False)),
                 lambda r: r.status == 400)
        self.row("HTTP/1.0 without Host (allowed in 1.0)", "200, then closed",
                 lambda: raw_exchange(self.port, request_bytes("GET", "/healthz", version="HTTP/1.0",
                                                               host=False)),
                 lambda r: r.status == 200 and r.closed)
        self.row("obs-fold header continuation line", "200 or 400 (RFC 9112 5.2)",
                 lambda: raw_exchange(self.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n"),
                 lambda r: r.status in (200, 400))
        self.row("header name with a space before the colon", "400",
                 lambda: raw_exchange(self.port, b"GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n"),
                 lambda r: r.status == 400)
        self.row("NUL byte in a header value", "400",
                 lambda: raw_exchange(self.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n"),
                 lambda r: r.status == 400)
        self.row("bare LF line endings", "200 or 400",
                 lambda: raw_exchange(self.port, b"GET /healthz HTTP/1.1\nHost: x\n\n", timeout=3),
                 lambda r: r.status in (200, 400, "closed"))

    def g_content_types(self) -> None:
        group("wrong content types (signed requests)")
        note = self.note_body("note content-type row")
        event = self.event_body(self.slack.reaction_added("U_OPS", "thumbsup", C_HOST,
                                                          SlackDriver.now_ts(), "U_OPS"))
        as_json = json.dumps({"command": "/incident", "text": "note json", "team_id": TEAM_ID,
                              "channel_id": C_HOST}).encode()
        form_event = urllib.parse.urlencode({"payload": event.decode()}).encode()
        unsupported = lambda r: r.status in (400, 415) and len(r.body) > 0  # noqa: E731
        for what, path, body, ctype in (
                ("JSON to /slack/commands", "/slack/commands", as_json, "application/json"),
                ("form to /slack/events", "/slack/events", form_event, "application/x-www-form-urlencoded"),
                ("text/plain to /slack/commands", "/slack/commands", note, "text/plain"),
                ("text/plain to /slack/events", "/slack/events", event, "text/plain"),
                ("multipart/form-data to /slack/commands", "/slack/commands", note,
                 "multipart/form-data; boundary=x"),
                ("application/jsonp to /slack/events", "/slack/events", event, "application/jsonp"),
                ("JSON to /slack/interactions", "/slack/interactions", event, "application/json"),
                ("no Content-Type to /slack/events", "/slack/events", event, None)):
            def send(path=path, body=body, ctype=ctype):
                headers = dict(self.slack.sign(body))
                if ctype is None:
                    return raw_exchange(self.port, request_bytes(
                        "POST", path, list(headers.items()), body))
                return self.slack.post(path, body, ctype, headers)
            self.row(what, "415 (or 400) with a reason", send,
                     lambda r: (r.status in (400, 415)) and len(getattr(r, "body", b"") or
                                                                 (r.responses[0][2] if getattr(r, "responses", None) else b"")) > 0)
        self.row("form with '; charset=utf-8' to /slack/commands (accepted)", "200",
                 lambda: self.slack.post("/slack/commands", note,
                                         "application/x-www-form-urlencoded; charset=utf-8",
                                         dict(self.slack.sign(note))),
                 lambda r: r.status == 200)
        self.row("APPLICATION/JSON (upper case) to /slack/events (media types are case-insensitive)",
                 "200", lambda: self.slack.post("/slack/events", event, "APPLICATION/JSON",
                                                dict(self.slack.sign(event))),
                 lambda r: r.status == 200)

    def mx_put(self, txn: str, body: bytes, token: str | None = HS_TOKEN,
               content_type: str = "application/json") -> Raw:
        headers = [("Content-Type", content_type)]
        if token is not None:
            headers.append(("Authorization", f"Bearer {token}"))
        return raw_exchange(self.port, request_bytes("PUT", TXN + txn, headers, body))

    def mx_event_json(self, body_text: str = "hello", extra: bytes = b"") -> bytes:
        """One m.room.message in a transaction; `extra` is spliced into the content verbatim."""
        event = {"type": "m.room.message", "room_id": MX_ROOM, "sender": "@mallory:localhost",
                 "event_id": "$" + secrets.token_urlsafe(12), "origin_server_ts": 1700000000000,
                 "content": {"msgtype": "m.text", "body": body_text, "x": "EXTRA_MARK"}}
        return json.dumps({"events": [event]}).encode().replace(b'"EXTRA_MARK"', extra or b"null")

    def g_matrix(self) -> None:
        group("Matrix transactions (with the hs_token)")
        ok_or_4xx = lambda r: r.status == 200 or (isinstance(r.status, int) and 400 <= r.status < 500)  # noqa: E731
        self.row("Matrix: event content with 60k-deep arrays", "200 (pruned) or 400",
                 lambda: self.mx_put("deep-1", self.mx_event_json(extra=b"[" * 60000 + b"]" * 60000)),
                 ok_or_4xx)
        self.row("Matrix: 20k nested objects in content", "200 (pruned) or 400",
                 lambda: self.mx_put("deep-2", self.mx_event_json(extra=b'{"a":' * 20000 + b"1" + b"}" * 20000)),
                 ok_or_4xx)
        self.row("Matrix: body of 100k '['", "400 M_NOT_JSON",
                 lambda: self.mx_put("deep-3", b"[" * 100000),
                 lambda r: r.status == 400)
        self.row("Matrix: raw 0xFF in a string", "400 M_NOT_JSON (or 200)",
                 lambda: self.mx_put("utf8-1", self.mx_event_json(extra=b'"bad \xff"')),
                 ok_or_4xx)
        self.row("Matrix: origin_server_ts 1e400", "400 (or 200)",
                 lambda: self.mx_put("num-1", self.mx_event_json().replace(b"1700000000000", b"1e400")),
                 ok_or_4xx)
        self.row("Matrix: origin_server_ts 99999999999999999999999", "200 or 400",
                 lambda: self.mx_put("num-2", self.mx_event_json().replace(b"1700000000000",
                                                                             b"99999999999999999999999")),
                 ok_or_4xx)
        self.row("Matrix: origin_server_ts -9223372036854775808", "200 or 400",
                 lambda: self.mx_put("num-3", self.mx_event_json().replace(b"1700000000000",
                                                                             b"-9223372036854775808")),
                 ok_or_4xx)
        self.row("Matrix: events is an object, not an array", "400",
                 lambda: self.mx_put("shape-1", b'{"events": {"a": 1}}'), lambda r: r.status == 400)
        self.row("Matrix: 5000 events of wrong types in one transaction", "200",
                 lambda: self.mx_put("many-1", json.dumps({"events": [1, "x", None, [], {}] * 1000}).encode()),
                 lambda r: r.status == 200)
        self.row("Matrix: a txnId of 8 KiB", "200 or 4xx",
                 lambda: self.mx_put("t" * 8192, b'{"events": []}'), ok_or_4xx)
        self.row("Matrix: a txnId with %2F and %00", "200 or 4xx",
                 lambda: raw_exchange(self.port, request_bytes(
                     "PUT", TXN + "a%2F..%2F..%00b", [("Content-Type", "application/json"),
                                                      ("Authorization", f"Bearer {HS_TOKEN}")],
                     b'{"events": []}')), ok_or_4xx)
        self.row("Matrix: text/plain content type", "200 or 4xx",
                 lambda: self.mx_put("ctype-1", b'{"events": []}', content_type="text/plain"), ok_or_4xx)
        time.sleep(1.0)   # the inbox worker handles what was acknowledged
        bad = [line for line in self.log_delta().splitlines() if BAD_LOG.search(line)]
        R.check("Matrix rows: nothing bad logged while the inbox worker handled them", not bad, bad[:5])
        R.check("Matrix rows: Scribe is still running after the inbox worker's turn", self.scribe.running())

    def g_paths(self) -> None:
        group("path tricks and methods")
        no_file = lambda r: isinstance(r.status, int) and 400 <= r.status < 500 and \
            b"root:" not in r.data  # noqa: E731
        for target in ("/../../../../etc/passwd", "/static/../../../../etc/passwd",
                       "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                       "/static/..%2f..%2f..%2fetc%2fpasswd", "/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                       "/static/scribe.css/../../../etc/passwd", "//etc/passwd", "//healthz",
                       "/incidents/..%2F..%2F..%2Fetc%2Fpasswd", "/incidents/%2e%2e",
                       "/incidents/INC-1%2F..%2F..", "/api/incidents/..%2f..%2fetc%2fpasswd",
                       "/incidents/INC-1%00", "/incidents/1%00.md", "/healthz%00",
                       "/api/incidents/%00", "/incidents/%ff%fe", "/incidents/%",
                       "/incidents/%zz", "/static/scribe.css%00.html",
                       "/incidents/99999999999999999999999",
                       "/incidents/-1", "/incidents/1/postmortem.md?workspace=%00",
                       "/api/incidents?limit=99999999999999999999999&offset=-1",
                       "/api/incidents/1?workspace=" + "%ff" * 100,
                       "/" + "a/" * 3000, "/incidents/" + "9" * 8000):
            self.row(f"GET {target[:60]}{'...' if len(target) > 60 else ''}", "4xx, no file",
                     lambda t=target: raw_exchange(self.port, request_bytes("GET", t, self.auth())),
                     lambda r, t=target: no_file(r) or (r.status == 200 and b"root:" not in r.data
                                                        and t.startswith("/api/incidents?")))
        self.row("GET with a 16 KiB path", "414/431/404",
                 lambda: raw_exchange(self.port, request_bytes("GET", "/" + "x" * 16384, self.auth())),
                 lambda r: r.status in (404, 414, 431, 400))
        self.row("a raw NUL byte in the request target", "400",
                 lambda: raw_exchange(self.port, b"GET /healthz\x00 HTTP/1.1\r\nHost: x\r\n\r\n"),
                 lambda r: r.status == 400)
        self.row("absolute-form target http://127.0.0.1/healthz", "200 or 4xx",
                 lambda: raw_exchange(self.port, request_bytes("GET", "http://127.0.0.1/healthz")),
                 lambda r: r.status == 200 or (isinstance(r.status, int) and 400 <= r.status < 500))
        self.row("TRACE / (must not echo the request)", "405/501, no echo",
                 lambda: raw_exchange(self.port, request_bytes("TRACE", "/", self.auth())),
                 lambda r: r.status in (405, 501) and self.web_token.encode() not in r.data)
        self.row("CONNECT 127.0.0.1:443", "4xx/501",
                 lambda: raw_exchange(self.port, request_bytes("CONNECT", "127.0.0.1:443")),
                 lambda r: isinstance(r.status, int) and 400 <= r.status < 502 and r.status != 500)
        self.row("OPTIONS *", "4xx/501",
                 lambda: raw_exchange(self.port, request_bytes("OPTIONS", "*")),
                 lambda r: isinstance(r.status, int) and 400 <= r.status < 502 and r.status != 500)
        self.row("method FOOBAR", "501 (or 405/400)",
                 lambda: raw_exchange(self.port, request_bytes("FOOBAR", "/healthz")),
                 lambda r: r.status in (501, 405, 400))
        self.row("lower-case method 'get'", "501 (or 400/405)",
                 lambda: raw_exchange(self.port, request_bytes("get", "/healthz")),
                 lambda r: r.status in (501, 405, 400))
        self.row("method of 10 KB", "400/431/501",
                 lambda: raw_exchange(self.port, request_bytes("X" * 10000, "/healthz")),
                 lambda r: r.status in (400, 431, 501))
        self.row("DELETE /api/incidents/1", "405",
                 lambda: raw_exchange(self.port, request_bytes("DELETE", "/api/incidents/1", self.auth())),
                 lambda r: r.status == 405)
        self.row("PUT /slack/commands", "405",
                 lambda: raw_exchange(self.port, request_bytes("PUT", "/slack/commands", [], b"x")),
                 lambda r: r.status == 405)
        self.row("HEAD /healthz", "200 without a body",
                 lambda: raw_exchange(self.port, request_bytes("HEAD", "/healthz"), timeout=2),
                 lambda r: r.data.startswith(b"HTTP/1.1 200") and r.data.endswith(b"\r\n\r\n"))

    def g_http_syntax(self) -> None:
        group("HTTP/1.x syntax: pipelining, long lines, many headers")
        three = request_bytes("GET", "/healthz") * 3
        self.row("3 pipelined GET /healthz", "200 x3 in order",
                 lambda: self._pipelined(three, 3),
                 lambda r: r.statuses() == [200, 200, 200])
        mixed = request_bytes("GET", "/healthz") + b"GARBAGE\r\n\r\n"
        self.row("pipelined: GET /healthz then garbage", "200 then 400",
                 lambda: self._pipelined(mixed, 2),
                 lambda r: r.statuses()[:1] == [200] and r.statuses()[1:] in ([400], []))
        big_body = self.note_body("note pipelined")
        pipelined_posts = b"".join(
            request_bytes("POST", "/slack/commands",
                          self.signed_headers(big_body, "application/x-www-form-urlencoded"), big_body)
            for _ in range(2))
        self.row("2 pipelined signed notes", "200 x2",
                 lambda: self._pipelined(pipelined_posts, 2),
                 lambda r: r.statuses() == [200, 200])
        self.row("100 KB request line", "431 (or 414/400)",
                 lambda: raw_exchange(self.port, request_bytes("GET", "/" + "a" * 100_000)),
                 lambda r: r.status in (431, 414, 400))
        many = [(f"X-H{i}", "v") for i in range(10_000)]
        self.row("10k headers", "431 (or 400)",
                 lambda: raw_exchange(self.port, request_bytes("GET", "/healthz", many)),
                 lambda r: r.status in (431, 400))
        self.row("one 100 KB header value", "431 (or 400)",
                 lambda: raw_exchange(self.port, request_bytes("GET", "/healthz",
                                                               [("X-Big", "v" * 100_000)])),
                 lambda r: r.status in (431, 400))
        self.row("1000 small headers (10 KB, within the header limit)", "200",
                 lambda: raw_exchange(self.port, request_bytes("GET", "/healthz",
                                                               [(f"X{i}", "v") for i in range(1000)])),
                 lambda r: r.status == 200)
        self.row("Authorization: Bearer + 15 KB", "401",
                 lambda: raw_exchange(self.port, request_bytes(
                     "GET", "/api/incidents", [("Authorization", "Bearer " + "A" * 15000)])),
                 lambda r: r.status in (401, 431))
        self.row("HTTP/9.9", "400 or 505",
                 lambda: raw_exchange(self.port, request_bytes("GET", "/healthz", version="HTTP/9.9")),
                 lambda r: r.status in (400, 505))
        self.row("HTTP/0.9 style 'GET /healthz' and nothing else", "400 or close",
                 lambda: raw_exchange(self.port, b"GET /healthz\r\n\r\n", timeout=READ_TIMEOUT + 2),
                 lambda r: r.status in (400, "closed"))
        self.row("a TLS ClientHello on the plain port", "400 or close",
                 lambda: raw_exchange(self.port, bytes.fromhex(
                     "160301012c010001280303") + os.urandom(32) + b"\x00" * 40,
                     timeout=READ_TIMEOUT + 2),
                 lambda r: r.status in (400, "closed"))
        self.row("16 KiB of random bytes", "400 or close",
                 lambda: raw_exchange(self.port, os.urandom(16384), timeout=READ_TIMEOUT + 2),
                 lambda r: r.status in (400, 431, 501, "closed"))

    def _pipelined(self, data: bytes, count: int) -> Raw:
        started = time.monotonic()
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        got, closed = b"", False
        try:
            s.sendall(data)
            deadline = started + 5
            while len([x for x in parse_responses(got) if x[0] >= 200]) < count:
                s.settimeout(max(0.05, deadline - time.monotonic()))
                try:
                    piece = s.recv(65536)
                except (socket.timeout, ConnectionResetError):
                    break
                if not piece:
                    closed = True
                    break
                got += piece
        finally:
            s.close()
        return Pipelined(got, closed, time.monotonic() - started)

    # ---- the end ---------------------------------------------------------------------------

    def g_legit(self) -> None:
        group("legitimate traffic during the whole run")
        samples = self.legit.snapshot()
        failed = [s for s in samples if s[1] != 200]
        slow = [s for s in samples if s[1] == 200 and s[2] > LEGIT_LIMIT]
        lat = sorted(s[2] for s in samples)
        if lat:
            p50, p99, worst = lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))], lat[-1]
            self.figures.append(f"legit traffic: {len(samples)} requests, latency p50 {p50 * 1000:.0f} "
                                f"ms, p99 {p99 * 1000:.0f} ms, max {worst * 1000:.0f} ms")
        R.check("legitimate traffic ran (at least 50 requests)", len(samples) >= 50, len(samples))
        R.check("every legitimate request was answered 200 (note: 'Noted in')", not failed, failed[:5])
        R.check(f"every legitimate request took < {LEGIT_LIMIT} s", not slow, slow[:5])
        inc = self.db.incident(C_LEGIT)
        notes = [e for e in self.db.entries(inc["id"])] if inc else []
        n_notes = len([s for s in samples if s[0].startswith("note") and s[1] == 200])
        R.check("each acknowledged legitimate note is in the timeline",
                len([e for e in notes if e["text"].startswith("legit traffic")]) == n_notes,
                (len(notes), n_notes))

    def print_table(self) -> None:
        print("--- the table (row | expected | actual | ok)", flush=True)
        width = max(len(r[0]) for r in self.table) if self.table else 10
        width = min(width, 78)
        for name, expected, actual, ok in self.table:
            print(f"{'ok  ' if ok else 'FAIL'} {name[:width]:<{width}} | {expected} | {actual}",
                  flush=True)
        for f in self.figures:
            print("figure: " + f, flush=True)

    def run(self) -> None:
        try:
            if not self.start():
                return
            self.log_mark = os.path.getsize(self.scribe.log_path)
            rss_start = rss_kib(self.pid)
            fd_start = fd_count(self.pid)
            self.legit = LegitTraffic(self.scribe.url(), self.secret, self.fake.response_url)
            self.legit.start()
            for step in (self.g_oversized, self.g_slow, self.g_many_connections, self.g_utf8,
                         self.g_nested_and_numbers, self.g_headers, self.g_content_types,
                         self.g_matrix, self.g_paths, self.g_http_syntax):
                try:
                    step()
                except Exception:  # a broken step is a failure; the others still run
                    R.fail(f"{step.__name__} raised", traceback.format_exc())
                if not self.scribe.running():
                    R.fail(f"Scribe died during {step.__name__}",
                           last_lines(self.scribe.log(), 20))
                    break
            self.legit.stop()
            self.g_legit()
            rss_end, fd_end = rss_kib(self.pid), fd_count(self.pid)
            self.figures.append(f"whole run: VmRSS {rss_start} -> {rss_end} KiB, fds {fd_start} -> "
                                f"{fd_end}")
            R.check(f"whole run: VmRSS grew by < {RSS_GROWTH_KIB // 1024} MiB",
                    rss_end - rss_start < RSS_GROWTH_KIB,
                    (rss_start, rss_end))
            R.check("whole run: no fd leaked (fds at the end <= start + 10)",
                    fd_end <= fd_start + 10, (fd_start, fd_end))
            rc, took = self.scribe.terminate()
            R.check("SIGTERM after the run: exit 0", rc == 0, (rc, took))
            self.print_table()
            print(f"runtime: {time.monotonic() - self.started_at:.1f} s", flush=True)
        finally:
            if self.legit is not None and self.legit.is_alive():
                self.legit.stop()
            finish_run(R, self.scribe, self.fake, self.work, "HOSTILE_E2E_KEEP",
                       {"calls.json": self.fake.calls}, store=self.db)
            self.hs.stop()


class _Many:
    """Several raw results judged as one row."""

    def __init__(self, items: list[Raw]):
        self.items = items

    @property
    def status(self) -> str:
        return ",".join(sorted({str(r.status) for r in self.items})) + \
            f" max {max((r.seconds for r in self.items), default=0):.1f}s"

    def __repr__(self) -> str:
        return repr(self.items[:3])


# ---------------------------------------------------------------------------------------------
# The database's text, read as bytes
# ---------------------------------------------------------------------------------------------

def text_cells(db) -> list[bytes]:
    if not db.is_sqlite:
        # PostgreSQL refuses text that is not valid UTF-8 in a UTF8 database, so the driver's
        # decoded strings are what is stored.
        return [v.encode("utf-8") for table in db.tables()
                for row in db.rows(f'SELECT * FROM "{table}"') for v in row.values()
                if isinstance(v, str)]
    path = db.path
    if not os.path.exists(path):
        return []
    conn = sqlite3.connect(path, timeout=5)
    conn.text_factory = bytes
    try:
        out = []
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for t in tables:
            t = t.decode() if isinstance(t, bytes) else t
            for row in conn.execute(f'SELECT * FROM "{t}"'):
                out += [c for c in row if isinstance(c, bytes)]
        return out
    finally:
        conn.close()


def valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def invalid_utf8_cells(db) -> list[bytes]:
    return [c[:120] for c in text_cells(db) if not valid_utf8(c)]


def main(argv: list[str]) -> int:
    return run_scenario(argv, R, Scenario)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
