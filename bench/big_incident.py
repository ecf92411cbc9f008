#!/usr/bin/env python3
"""The memory Scribe needs to serve one huge incident: its page, its JSON and its draft, read by
several clients at once.

Usage: bench/big_incident.py [--entries N] [--clients N] [--rounds N] <path to scribe>

An alert storm or a bot in the channel can give one incident hundreds of thousands of timeline
entries. This starts the real `scribe serve` (SQLite in a temporary folder, or with
$SCRIBE_TEST_POSTGRES_DIR a fresh database in that test PostgreSQL server), opens an incident with
a signed Slack slash command (tests/support/slack_driver.py; Slack's Web API is
tests/support/fake_slack.py over TLS), adds N entries to it in the database directly (one SQL
statement), closes it and asks for a draft (`/incident draft`), then lets `--clients` clients read,
`--rounds` times each and all at once, GET /incidents/INC-1, GET /api/incidents/INC-1 and
GET /incidents/INC-1/postmortem.md. It prints Scribe's peak resident memory (VmHWM from /proc)
before and after the reads, the answers' sizes and the time the reads took.

tests/e2e/big_incident_e2e.py runs the same measurement with a generous bound; the figure of
record comes from here.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "support"))

from fake_slack import FakeSlack  # noqa: E402
from scribe_e2e import Scribe, http_get, poll, test_store  # noqa: E402
from slack_driver import SlackDriver  # noqa: E402

BOT_TOKEN = "xoxb-bench-big-incident"
TEAM = "T_BIG"
CHANNEL = "C_STORM"

# One statement for both stores: a recursive count (SQLite has no generate_series), each entry a
# second apart from the opening on, a few authors as in an alert storm, 80-odd bytes of text.
BULK_INSERT = (
    "INSERT INTO timeline_entries (incident_id, occurred_at, recorded_at, author_id, author_name, "
    "text, source, message_ref, link) "
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) "
    "SELECT {incident}, {opened} + i * CAST(1000000 AS BIGINT), "
    "{opened} + i * CAST(1000000 AS BIGINT), 'am-' || (i % 7), 'alertmanager ' || (i % 7), "
    "'HighErrorRate firing on checkout-' || (i % 50) || "
    "': 5xx ratio above 5% for 5 minutes (alert ' || i || ')', 'command', NULL, '' FROM n")

READS = ("/incidents/INC-1", "/api/incidents/INC-1", "/incidents/INC-1/postmortem.md")


def vm_kib(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


class Run:
    """One measurement; every failure raises RuntimeError with what went wrong."""

    def __init__(self, binary: str, entries: int, clients: int, rounds: int):
        self.binary = binary
        self.entries = entries
        self.clients = clients
        self.rounds = rounds
        self.work = tempfile.mkdtemp(prefix="scribe-big-incident-")
        self.secret = secrets.token_hex(16)
        self.fake = FakeSlack(bot_token=BOT_TOKEN, team_id=TEAM)
        self.db = test_store(self.work, os.path.join("data", "scribe.db"))
        self.scribe: Scribe | None = None
        self.figures: dict = {}

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCRIBE_")}
        env.update({
            "SCRIBE_SERVER_LISTEN": "127.0.0.1:0",
            "SCRIBE_STORAGE_URL": self.db.url,
            "SCRIBE_SLACK_SIGNING_SECRET": self.secret,
            "SCRIBE_SLACK_BOT_TOKEN": BOT_TOKEN,
            "SCRIBE_SLACK_API_BASE_URL": self.fake.api_url,
            "SCRIBE_TLS_CA_FILE": self.fake.ca_file,
            "SCRIBE_LOG_LEVEL": "info",  # the harness waits for "http server listening"
        })
        return env

    def command(self, slack: SlackDriver, text: str) -> str:
        reply = slack.send(slack.slash_command(text, CHANNEL, "storm", "U_ANN", "ann"))
        if reply.status != 200:
            raise RuntimeError(f"/incident {text}: {reply.status} {reply.text[:200]}")
        return reply.text

    def prepare(self) -> int:
        self.fake.start()
        self.fake.add_user("U_ANN", "ann")
        self.scribe = Scribe(self.binary, self.work, self.env())
        ok, why = self.scribe.start()
        if not ok:
            raise RuntimeError(f"scribe serve did not start: {why}")
        slack = SlackDriver(self.scribe.url(), self.secret,
                            response_url_for=self.fake.response_url, team_id=TEAM)
        self.command(slack, "open Alert storm on checkout")
        inc = self.db.incident(CHANNEL)
        started = time.monotonic()
        self.db.write(BULK_INSERT.format(count=self.entries, incident=inc["id"],
                                         opened=inc["opened_at"]))
        self.figures["insert_seconds"] = round(time.monotonic() - started, 1)
        self.command(slack, "close")
        self.command(slack, "draft")
        drafts = poll(lambda: self.db.drafts(inc["id"]), 120, 0.2)
        if not drafts:
            raise RuntimeError("no draft was stored within 120 s")
        self.figures["draft_bytes"] = len(drafts[-1]["markdown"].encode("utf-8"))
        return inc["id"]

    def read_all(self) -> None:
        errors: list[str] = []
        sizes: dict[str, int] = {}
        lock = threading.Lock()
        go = threading.Barrier(self.clients)

        def client() -> None:
            go.wait()
            for _ in range(self.rounds):
                for path in READS:
                    status, _, body = http_get(self.scribe.url(), path, timeout=120)
                    with lock:
                        if status != 200:
                            errors.append(f"{path}: {status} {body[:200]!r}")
                        sizes[path] = max(sizes.get(path, 0), len(body))

        threads = [threading.Thread(target=client) for _ in range(self.clients)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.figures["read_seconds"] = round(time.monotonic() - started, 2)
        self.figures["response_bytes"] = sizes
        if errors:
            raise RuntimeError("reads failed: " + "; ".join(errors[:3]))

    def check_paging(self) -> str:
        """"ok" when the JSON API gives the timeline in pages (the first 5,000 of it, with a cursor
        to the rest and the total), else what is wrong: the figures stay comparable with a Scribe
        that has no pages."""
        status, _, body = http_get(self.scribe.url(), "/api/incidents/INC-1?limit=5000", timeout=60)
        first = json.loads(body) if status == 200 else {}
        # The opening and the close are entries too.
        if first.get("timeline_total") != self.entries + 2:
            return f"timeline_total {first.get('timeline_total')} (status {status})"
        if len(first.get("timeline", [])) != 5000 or not first.get("next_cursor"):
            return "the first page of 5,000 is not full or has no next_cursor"
        return "ok"

    def measure(self) -> dict:
        try:
            self.prepare()
            pid = self.scribe.proc.pid
            self.figures["rss_before_kib"] = vm_kib(pid, "VmRSS")
            self.figures["peak_before_kib"] = vm_kib(pid, "VmHWM")
            self.read_all()
            self.figures["peak_after_kib"] = vm_kib(pid, "VmHWM")
            self.figures["rss_after_kib"] = vm_kib(pid, "VmRSS")
            self.figures["paging"] = self.check_paging()
            return self.figures
        finally:
            if self.scribe is not None:
                self.scribe.kill()
            self.fake.stop()
            if not os.environ.get("BIG_INCIDENT_KEEP"):
                shutil.rmtree(self.work, ignore_errors=True)
                try:
                    self.db.discard()
                except Exception:  # a database left behind goes with the test server
                    pass


def report(figures: dict, entries: int, clients: int, rounds: int) -> str:
    sizes = ", ".join(f"{path} {n / 1024:.0f} KiB" for path, n in figures["response_bytes"].items())
    return (f"big incident: {entries:,} entries; "
            f"{clients} clients x {rounds} rounds of page, JSON and draft in "
            f"{figures['read_seconds']} s\n"
            f"  peak RSS {figures['peak_before_kib'] / 1024:.1f} MiB before the reads, "
            f"{figures['peak_after_kib'] / 1024:.1f} MiB after; RSS after "
            f"{figures['rss_after_kib'] / 1024:.1f} MiB\n"
            f"  largest answers: {sizes}; the stored draft {figures['draft_bytes'] / 1024:.0f} KiB\n"
            f"  the JSON API's pages: {figures['paging']}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("scribe")
    args = parser.parse_args(argv[1:])
    figures = Run(os.path.realpath(args.scribe), args.entries, args.clients,
                  args.rounds).measure()
    print(report(figures, args.entries, args.clients, args.rounds))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
