#!/usr/bin/env python3
"""End to end: an acknowledged flag lands in the incident it was made in, and is never dropped
without a reply.

Usage: flags_e2e.py <path to scribe>   (ctest: e2e.flags and e2e.flags.pg; exit 0 when every check
passes)

The real `scribe serve` on 127.0.0.1:0 with a fresh SQLite file or PostgreSQL database, its Slack
Web API pointed at tests/support/fake_slack.py over real TLS; tests/support/slack_driver.py sends
what Slack sends, signed (/work/shared/PROTOCOLS.md sections 1-5: signing, slash commands, the
Events API's reaction_added and app_mention, the message shortcut, the Web API's
conversations.history, chat.postEphemeral and the response_url).

The rule under test (bot::incident_for_flag): a flag belongs to the incident that was open in the
channel when the flag was made (a reaction's event_ts, a mention's ts, a shortcut's arrival),
however late it is processed; else to the incident its message was written in; else the flagger
is told privately, and nothing is recorded.

  1. The reproduction: INC-1 open in C_ONE; a 📌 on a message; conversations.history answers 500
     once, so the flag is processed again later; meanwhile INC-1 is closed and INC-2 opened in the
     same channel. The message must land in INC-1 (with its written time and a :memo:), and INC-2
     must have nothing but its opening.
  2. The same without a next incident (C_TWO): the flag still lands in the closed incident.
  3. Late flagging during the postmortem: a message written while INC-3 was open, flagged after
     it closed, joins INC-3; one written after the close is refused, privately (chat.postEphemeral
     to the flagger), and stored nowhere.
  4. No incident ever (C_NONE): a 📌 and a mention get an ephemeral answer; a shortcut gets its
     answer through the response_url. A 📌 on a deleted message, and on a bot's, also get one.
  5. Two people flagging one message make one entry, and /metrics counts one.
  6. Commands that only read (`export`, `check-config`, `matrix-registration`) create no
     database: exit 69 and say so; `serve` on a port in use creates none before it fails.

Every check prints on failure; the last line is "N passed, M failed". FLAGS_E2E_KEEP=1 keeps the
temporary directory (scribe.log, calls.json, the database).
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from fake_slack import FakeSlack  # noqa: E402
from scribe_e2e import Results, Scribe, finish_run, group, http_get, last_lines, poll, run_scenario, test_store  # noqa: E402
from slack_driver import SlackDriver, slack_ts_to_micros  # noqa: E402

BOT_TOKEN = "xoxb-flags-e2e-token"
TEAM_ID = "T_FLAGS"
WEB_TOKEN = "flags-e2e-web-token-0123456789"

R = Results()


class Scenario:
    def __init__(self, binary: str):
        self.binary = binary
        self.work = tempfile.mkdtemp(prefix="scribe-flags-e2e-")
        self.secret = secrets.token_hex(16)
        self.fake = FakeSlack(bot_token=BOT_TOKEN, team_id=TEAM_ID)
        self.db = test_store(self.work, os.path.join("data", "scribe.db"))
        self.scribe: Scribe | None = None
        self.slack: SlackDriver | None = None

    # ---- set-up and helpers ----------------------------------------------------------------

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCRIBE_")}
        env.update({
            "SCRIBE_SERVER_LISTEN": "127.0.0.1:0",
            "SCRIBE_STORAGE_URL": self.db.url,
            "SCRIBE_SLACK_SIGNING_SECRET": self.secret,
            "SCRIBE_SLACK_BOT_TOKEN": BOT_TOKEN,
            "SCRIBE_SLACK_API_BASE_URL": self.fake.api_url,
            "SCRIBE_TLS_CA_FILE": self.fake.ca_file,
            "SCRIBE_WEB_TOKEN": WEB_TOKEN,
            "SCRIBE_LOG_LEVEL": "debug",
        })
        return env

    def start(self) -> bool:
        group("start: the fake Slack Web API and scribe serve")
        self.fake.start()
        for uid, name in (("U_ANN", "ann"), ("U_BOB", "bob"), ("U_CAT", "cat")):
            self.fake.add_user(uid, name)
        self.scribe = Scribe(self.binary, self.work, self.env())
        ok, why = self.scribe.start()
        if not R.check("scribe serve starts", ok, f"{why}\n{last_lines(self.scribe.log(), 20)}"):
            return False
        self.slack = SlackDriver(self.scribe.url(), self.secret,
                                 response_url_for=self.fake.response_url, team_id=TEAM_ID)
        return True

    def command(self, text: str, channel: str, user: str = "U_ANN") -> str:
        reply = self.slack.send(self.slack.slash_command(text, channel, channel.lower(), user,
                                                         user.lower()[2:]))
        R.check(f"`{text}` in {channel} is acknowledged", reply.status == 200, reply)
        return reply.text

    def event(self, event: dict) -> None:
        reply = self.slack.send(self.slack.event_callback(event))
        R.check(f"the {event['type']} event is acknowledged with 200 within 3 s",
                reply.status == 200 and reply.seconds < 3.0, reply)

    def pin(self, user: str, channel: str, ts: str) -> None:
        self.event(self.slack.reaction_added(user, "pushpin", channel, ts))

    def incident(self, channel: str) -> dict | None:
        rows = self.db.rows("SELECT * FROM incidents WHERE channel = ? ORDER BY id DESC", (channel,))
        return rows[0] if rows else None

    def incidents_of(self, channel: str) -> list[dict]:
        return self.db.rows("SELECT * FROM incidents WHERE channel = ? ORDER BY id", (channel,))

    def entry_where(self, ts: str, channel: str) -> list[dict]:
        return self.db.entries_for_ref(f"{channel}/{ts}")

    def ephemerals_to(self, user: str, channel: str) -> list[dict]:
        return [c for c in self.fake.calls("chat.postEphemeral")
                if c["params"].get("user") == user and c["params"].get("channel") == channel]

    def wait_quiet_inbox(self) -> bool:
        """Every inbox job done: what was acknowledged has been processed."""
        return poll(lambda: all(j["state"] != "pending" for j in self.db.jobs("slack.inbox")), 15)

    # ---- the groups ------------------------------------------------------------------------

    def g_reproduction(self) -> None:
        group("1. a flag processed after its incident closed and the next one opened")
        self.command("open checkout errors", "C_ONE")
        ts = self.fake.new_ts()
        self.fake.add_message("C_ONE", ts, "U_BOB", "the queue is growing")
        self.fake.script("conversations.history", [{"kind": "500"}])
        self.pin("U_ANN", "C_ONE", ts)
        R.check("Scribe fetched the message once and got the 500",
                poll(lambda: any(c["outcome"] == "500" for c in
                                 self.fake.calls("conversations.history")), 10))
        # The flag waits for its retry: the incident closes, and the next one opens, meanwhile.
        self.command("close", "C_ONE")
        self.command("open payments errors", "C_ONE")
        first, second = (self.incidents_of("C_ONE") + [None, None])[:2]
        R.check("INC-1 is closed and INC-2 open in the same channel",
                first and second and first["status"] == "closed" and second["status"] == "open",
                self.incidents_of("C_ONE"))
        entries = poll(lambda: self.entry_where(ts, "C_ONE"), 15)
        R.check("the flag is recorded once", len(entries or []) == 1, entries)
        if entries and first:
            R.check("in INC-1, the incident open when it was made",
                    entries[0]["incident_id"] == first["id"], entries[0])
            R.check("with the time the message was written",
                    entries[0]["occurred_at"] == slack_ts_to_micros(ts), entries[0])
        if second:
            R.check("INC-2 has only its opening",
                    [e["text"] for e in self.db.entries(second["id"])] ==
                    ["Incident opened: payments errors"], self.db.entries(second["id"]))
        R.check("the message gets its :memo:",
                poll(lambda: "memo" in self.fake.reactions_on("C_ONE", ts), 10),
                self.fake.reactions_on("C_ONE", ts))

    def g_closed_without_next(self) -> None:
        group("2. the same with no next incident: the flag is kept in the closed one")
        self.command("open search is slow", "C_TWO")
        ts = self.fake.new_ts()
        self.fake.add_message("C_TWO", ts, "U_BOB", "search p99 is 9s")
        self.fake.script("conversations.history", [{"kind": "500"}])
        self.pin("U_CAT", "C_TWO", ts)
        poll(lambda: self.fake.pending_script("conversations.history") == 0, 10)
        self.command("close", "C_TWO")
        inc = self.incident("C_TWO")
        entries = poll(lambda: self.entry_where(ts, "C_TWO"), 15)
        R.check("the flag is in the closed incident",
                len(entries or []) == 1 and inc and entries[0]["incident_id"] == inc["id"],
                entries)

    def g_late_flag(self) -> None:
        group("3. flagging late, during the postmortem")
        inc = self.incident("C_TWO")
        # Written while the incident was open: a ts between its opening and its close.
        micros = (inc["opened_at"] + inc["closed_at"]) // 2
        during = f"{micros // 1_000_000}.{micros % 1_000_000:06d}"
        self.fake.add_message("C_TWO", during, "U_BOB", "restarted search-2")
        self.pin("U_ANN", "C_TWO", during)
        entries = poll(lambda: self.entry_where(during, "C_TWO"), 10)
        R.check("a message written during the incident, flagged after it, joins it",
                len(entries or []) == 1 and entries[0]["incident_id"] == inc["id"], entries)
        after = self.fake.new_ts()
        self.fake.add_message("C_TWO", after, "U_BOB", "all fine now")
        self.pin("U_CAT", "C_TWO", after)
        told = poll(lambda: self.ephemerals_to("U_CAT", "C_TWO"), 10)
        R.check("one written after the close: the flagger is told privately",
                told and "No incident was open" in told[-1]["params"].get("text", ""), told)
        R.check("and it is stored nowhere", not self.entry_where(after, "C_TWO"))

    def g_no_incident(self) -> None:
        group("4. no incident: every flag gets a private answer")
        ts = self.fake.new_ts()
        self.fake.add_message("C_NONE", ts, "U_BOB", "is the vpn down?")
        self.pin("U_ANN", "C_NONE", ts)
        told = poll(lambda: self.ephemerals_to("U_ANN", "C_NONE"), 10)
        R.check("a 📌: chat.postEphemeral to the flagger in the channel",
                told and "No incident was open" in told[0]["params"].get("text", ""), told)
        mention_ts = self.fake.new_ts()
        self.fake.add_message("C_NONE", mention_ts, "U_BOB", "<@BSCRIBE> vpn is down")
        self.event(self.slack.app_mention("U_BOB", "<@BSCRIBE> vpn is down", "C_NONE", mention_ts))
        R.check("a mention: chat.postEphemeral to its writer",
                poll(lambda: self.ephemerals_to("U_BOB", "C_NONE"), 10))
        shortcut = self.slack.message_action(
            "add_to_timeline", {"type": "message", "user": "U_BOB", "ts": ts, "text": "is the vpn down?"},
            "C_NONE", "c_none", "U_CAT", "cat")
        reply = self.slack.send(shortcut)
        R.check("the shortcut is acknowledged", reply.status == 200, reply)
        R.check("a shortcut: the answer goes to its response_url",
                poll(lambda: [c for c in self.fake.calls("response_url")
                              if "No incident was open" in str(c["params"].get("text", ""))], 10))

        self.command("open vpn down", "C_GONE")
        self.fake.add_message("C_GONE", self.fake.new_ts(), "U_ANN", "vpn is down for everyone")
        gone = self.fake.new_ts()
        self.pin("U_ANN", "C_GONE", gone)   # never in the channel's history: deleted
        told = poll(lambda: self.ephemerals_to("U_ANN", "C_GONE"), 10)
        R.check("a 📌 on a deleted message: told it was deleted",
                told and "deleted" in told[0]["params"].get("text", ""), told)
        bots = self.fake.new_ts()
        self.fake.add_message("C_GONE", bots, None, "deploy finished", bot_id="B_CI")
        self.pin("U_CAT", "C_GONE", bots)
        told = poll(lambda: self.ephemerals_to("U_CAT", "C_GONE"), 10)
        R.check("a 📌 on a bot's message: told only people's messages are kept",
                told and "bot" in told[0]["params"].get("text", ""), told)
        R.check("neither is stored", not self.entry_where(gone, "C_GONE")
                and not self.entry_where(bots, "C_GONE"))
        self.command("open lost channel", "C_LOST")
        self.pin("U_BOB", "C_LOST", self.fake.new_ts())   # Slack: channel_not_found
        told = poll(lambda: self.ephemerals_to("U_BOB", "C_LOST"), 10)
        R.check("a 📌 on a message Scribe may not read: told what Slack said",
                told and "channel_not_found" in told[0]["params"].get("text", ""), told)
        R.check("every acknowledged event was processed", self.wait_quiet_inbox(),
                self.db.jobs("slack.inbox"))

    def recorded_total(self) -> int | None:
        status, _, body = http_get(self.scribe.url(), "/metrics",
                                   {"Authorization": f"Bearer {WEB_TOKEN}"})
        m = re.search(rb"\nscribe_timeline_entries_recorded_total (\d+)\n", body)
        return int(m.group(1)) if status == 200 and m else None

    def g_metric(self) -> None:
        group("5. two people flag one message: one entry, counted once")
        self.wait_quiet_inbox()
        before = self.recorded_total()
        ts = self.fake.new_ts()
        self.fake.add_message("C_GONE", ts, "U_BOB", "vpn concentrator rebooted")
        self.pin("U_ANN", "C_GONE", ts)
        self.pin("U_CAT", "C_GONE", ts)
        entries = poll(lambda: self.entry_where(ts, "C_GONE"), 10)
        self.wait_quiet_inbox()
        flaggers = self.db.rows("SELECT flagged_by FROM entry_flags WHERE entry_id = ?",
                                (entries[0]["id"],)) if entries else []
        R.check("one entry with both flags", len(entries or []) == 1 and len(flaggers) == 2,
                (entries, flaggers))
        after = self.recorded_total()
        R.check("scribe_timeline_entries_recorded_total rises by one",
                before is not None and after == before + 1, (before, after))

    def g_read_only_commands(self) -> None:
        group("6. commands that only read create no database; serve binds before it migrates")
        empty = tempfile.mkdtemp(prefix="scribe-flags-empty-", dir=self.work)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCRIBE_")}
        for args in (["export", "INC-1"], ["check-config"], ["matrix-registration"]):
            done = subprocess.run([self.binary, *args], cwd=empty, env=env, capture_output=True,
                                  timeout=30)
            err = done.stderr.decode("utf-8", "replace")
            if args[0] == "export":
                R.check("`scribe export` with no database exits 69 and says there is none",
                        done.returncode == 69 and "no database" in err, (done.returncode, err))
            R.check(f"`scribe {' '.join(args)}` creates no ./data/scribe.db",
                    not os.path.exists(os.path.join(empty, "data")), os.listdir(empty))
        busy = socket.socket()
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        try:
            env["SCRIBE_SERVER_LISTEN"] = f"127.0.0.1:{port}"
            done = subprocess.run([self.binary, "serve"], cwd=empty, env=env, capture_output=True,
                                  timeout=30)
            R.check("`scribe serve` on a port in use fails", done.returncode != 0,
                    done.stderr[-400:])
            R.check("and created no database first", not os.path.exists(os.path.join(empty, "data")),
                    os.listdir(empty))
        finally:
            busy.close()

    def run(self) -> None:
        try:
            if not self.start():
                return
            for step in (self.g_reproduction, self.g_closed_without_next, self.g_late_flag,
                         self.g_no_incident, self.g_metric, self.g_read_only_commands):
                try:
                    step()
                except Exception:
                    R.fail(f"{step.__name__} raised", traceback.format_exc())
        finally:
            finish_run(R, self.scribe, self.fake, self.work, "FLAGS_E2E_KEEP",
                       {"calls.json": self.fake.calls}, store=self.db)


def main(argv: list[str]) -> int:
    return run_scenario(argv, R, Scenario)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
