"""The plumbing that the test fakes share, HTTP serving above all: tests/support/fake_slack.py
(Slack's Web API over TLS) and tests/support/fake_homeserver.py (a Matrix homeserver over plain
HTTP) are built on it. It follows no protocol document of its own: the fakes' docstrings say which
docs each one follows.

Only what is the same in every fake lives here; what a fake serves, what it checks and how it is
reached (fake_slack wraps each connection in TLS) stay in the fake.

  - FakeState: a mixin for a fake's state object, which has `_lock` (an RLock), `_changed` (a
    Condition on it), `_calls` (the record), `hanging` and `verbose`: wait_for(), _record(), and
    `with fake:` (start() ... stop()).
  - FakeServer: a threading HTTP server for one fake (`server.fake`) that prints a connection's
    unexpected error only when the fake is verbose; serve_in_thread() and stop().
  - FakeHandler: an HTTP/1.1 keep-alive request handler: reads a body (Content-Length or chunked),
    writes an answer (_send, _send_json), logs only when the fake is verbose, and holds a connection
    without answering (_hang, a scripted "hang") while counting it in `fake.hanging`.
  - serve_until_interrupted(): a fake's `--serve`: start, print where it is, serve until Ctrl-C or
    SIGTERM, stop.
  - SelfTestTally: the pass/fail count of a fake's `--selftest`.

Python 3 standard library only.
"""

from __future__ import annotations

import http.server
import json
import select
import signal
import socket
import sys
import threading
import time

JSON_UTF8 = "application/json; charset=utf-8"


class FakeState:
    """What a fake's state object shares with the other fakes. Needs `_lock`, `_changed`, `_calls`
    and start()/stop() from the class it is mixed into."""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def wait_for(self, predicate, timeout: float = 10.0):
        """Waits until predicate(fake) returns something truthy; returns it, or None on timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                value = predicate(self)
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._changed.wait(min(left, 0.1))

    def _record(self, entry: dict) -> dict:
        """Appends `entry` to the record with its `seq` (1, 2, ...) and `time`; returns it."""
        with self._changed:
            entry["seq"] = len(self._calls) + 1
            entry["time"] = time.time()
            self._calls.append(entry)
            self._changed.notify_all()
            return entry


class FakeServer(http.server.ThreadingHTTPServer):
    """A thread per connection, on 127.0.0.1 in practice; `fake` is the state the handler serves."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, fake):
        self.fake = fake
        super().__init__(address, handler)

    def handle_error(self, request, client_address):
        if self.fake.verbose:
            super().handle_error(request, client_address)

    def serve_in_thread(self, name: str) -> threading.Thread:
        """Serves in a daemon thread called `name` (started) until stop()."""
        thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.1},
                                  daemon=True, name=name)
        thread.start()
        return thread

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class FakeHandler(http.server.BaseHTTPRequestHandler):
    """A fake's request handler sets server_version and log_name (and fixed_headers if any),
    routes the do_* methods, and answers with _send / _send_json or _hang."""

    protocol_version = "HTTP/1.1"   # keep-alive: Scribe reuses connections
    # Headers and body go out in separate writes; with Nagle on, the client's delayed ACK would add
    # ~40 ms to every answer on a reused connection.
    disable_nagle_algorithm = True
    timeout = 60                    # an idle keep-alive connection is dropped after this
    log_name = "fake"               # what log_message's lines start with
    fixed_headers: tuple[tuple[str, str], ...] = ()   # sent with every answer, after Content-Length

    @property
    def fake(self):
        return self.server.fake  # type: ignore[attr-defined]

    def log_message(self, fmt, *args):
        if self.fake.verbose:
            sys.stderr.write(self.log_name + ": " + (fmt % args) + "\n")

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, body: bytes, content_type: str = JSON_UTF8,
              headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in self.fixed_headers:
            self.send_header(k, v)
        for k, v in (headers or {}).items():
            self.send_header(k, str(v))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def _send_json(self, status: int, value, headers: dict | None = None) -> None:
        self._send(status, json.dumps(value).encode("utf-8"), headers=headers)

    def _hang(self, seconds: float) -> None:
        """Holds the connection without answering until `seconds` pass or the client goes away,
        counted in fake.hanging meanwhile; the connection is closed afterwards."""
        fake = self.fake
        with fake._changed:
            fake.hanging += 1
        try:
            self._hold(seconds)
        finally:
            with fake._changed:
                fake.hanging -= 1
                fake._changed.notify_all()
        self.close_connection = True

    def _hold(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        sock = self.connection
        while time.monotonic() < deadline:
            try:
                readable, _, _ = select.select([sock], [], [], min(0.1, max(0.0, deadline - time.monotonic())))
            except (OSError, ValueError):
                break
            if readable and self._client_gone(sock):
                break   # the client closed: it gave up waiting

    def _client_gone(self, sock) -> bool:
        """Whether the client closed `sock`, which select() found readable. This peeks at a plain
        socket and leaves what the client sent in place."""
        try:
            if not sock.recv(1, socket.MSG_PEEK):
                return True
        except OSError:
            return True
        time.sleep(0.05)
        return False


def serve_until_interrupted(start, describe) -> int:
    """Manual serving: start() makes and starts a fake, describe(fake) is what to print (where it
    listens); then serves until Ctrl-C or SIGTERM and stops the fake. Returns 0, the exit status."""
    def interrupt(*_):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupt)   # so that stop() runs (and cleans up) on SIGTERM too
    fake = start()
    print(describe(fake), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


class SelfTestTally:
    """The count of a fake's `--selftest`: check() counts a pass, or records a failure and prints
    "FAIL: <what> <detail>" to stderr (the detail cut to `detail_limit` characters if given)."""

    def __init__(self, detail_limit: int | None = None):
        self.passes = 0
        self.failures: list[str] = []
        self.detail_limit = detail_limit

    def check(self, what: str, condition, detail="") -> None:
        if condition:
            self.passes += 1
        else:
            self.failures.append(what)
            shown = str(detail) if self.detail_limit is None else str(detail)[:self.detail_limit]
            print(f"FAIL: {what} {shown}", file=sys.stderr)
