#!/usr/bin/env python3
"""End to end: the real `scribe serve` driven with signed Slack requests, against a fake Web API.

Usage: slack_e2e.py <path to scribe> [--scenario NAME]...   (ctest: e2e.slack)
       slack_e2e.py --list
Exit 0 when every check passes. Without --scenario every scenario runs, shared out between two
processes ($SCRIBE_E2E_JOBS, --jobs); the scenarios and the documents their payloads follow are
at the end of this file.

Follows /work/shared/PROTOCOLS.md sections 1-5 (signing, slash commands, Events API,
interactivity, Web API) through tests/support/slack_driver.py (what Slack sends) and
tests/support/fake_slack.py (what Slack's Web API answers), and the contract of Scribe's Slack
adapter as the lead stated it in the task brief (the reply texts come from bot/incident_desk.cpp).

What runs: the fake Web API over real TLS (its throwaway CA given to Scribe with SCRIBE_TLS_CA_FILE),
one per process and emptied before each scenario; then, for each scenario, `scribe serve` in a
temporary directory of its own on 127.0.0.1:0, so that no scenario sees another's incidents, Web
API calls or Scribe's caches (a scenario that needs incidents opens its own). The test reads the timeline from
./data/scribe.db with sqlite3 (or, with SCRIBE_TEST_POSTGRES_DIR set, from a fresh database in the
test PostgreSQL server) and the fake's record of Web API calls. Event processing is
asynchronous (after the ack), so every positive check polls with a deadline; a negative check
("nothing happened") first waits for a *barrier*: a flag in a second incident's channel whose
effects are observable, so that earlier events have had their turn. Each scenario ends with the
checks of its whole record (its timelines, every Web API call it caused exactly as expected) and
SIGTERM.

Every check prints on failure; the last line is "N passed, M failed". With SLACK_E2E_KEEP=1 in
the environment each scenario's temporary directory is kept: Scribe's whole log, the fake's record as
calls.json, and the database. The process wrapper, the checks and the database reader are shared
with the other end-to-end scripts in tests/support/scribe_e2e.py.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sys
import tempfile
import time
import traceback
from collections.abc import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from fake_slack import FakeSlack  # noqa: E402
from scribe_e2e import Results, Scenario, Scribe, finish_run, group, last_lines, run_scenarios, test_store  # noqa: E402
from scribe_e2e import poll as harness_poll  # noqa: E402
from slack_driver import Prepared, Reply, SlackDriver, slack_ts_to_micros  # noqa: E402

BOT_TOKEN = "xoxb-e2e-token"
BOT_USER_ID = "BSCRIBE"          # the bot user: authorizations[0].user_id, <@BSCRIBE> mentions
BOT_ID = "B_SCRIBE"              # the bot_id on Scribe's own messages
TEAM_ID = "T_E2E"
FLAG = "pushpin"
CONFIRM = "memo"
POLL = 10.0                      # seconds a positive check waits for asynchronous processing
ACK_LIMIT = 3.0                  # Slack's ack deadline (PROTOCOLS.md sections 2 and 3)

C_INC, C_INC_NAME = "C_INC", "inc-db-latency"    # INC-1
C_BAR, C_BAR_NAME = "C_BAR", "inc-barrier"       # INC-2, used for barriers
C_QUIET, C_QUIET_NAME = "C_QUIET", "random"      # never has an incident
C_FORGE, C_FORGE_NAME = "C_FORGE", "forge"       # only forged requests name it
C_SSL = "C_SSLCHECK"

# Every forged/stale/unsigned request carries one of these; none may reach the Web API or the DB.
FORGED_MARKERS = ("FORGE", "U_MALLORY")


R = Results()


_last_ts = [0]


def new_ts() -> str:
    """A fresh Slack ts (now, unique and increasing), as if the message were just posted."""
    micros = max(int(time.time() * 1_000_000), _last_ts[0] + 1)
    _last_ts[0] = micros
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def poll(fn, timeout: float = POLL, interval: float = 0.05):
    """The harness's poll with this script's default deadline."""
    return harness_poll(fn, timeout, interval)


# ---------------------------------------------------------------------------------------------
# What the Web API record must hold
# ---------------------------------------------------------------------------------------------

# The parameters that identify "the same call" per method.
KEY_PARAMS = {
    "conversations.history": ("channel", "latest"),
    "conversations.replies": ("channel", "ts"),
    "users.info": ("user",),
    "chat.getPermalink": ("channel", "message_ts"),
    "reactions.add": ("channel", "timestamp", "name"),
    "reactions.remove": ("channel", "timestamp", "name"),
    "chat.postMessage": ("channel",),
    "chat.postEphemeral": ("channel", "user"),
    "views.open": ("trigger_id",),
    "response_url": ("response_id",),
    "auth.test": (),
}

# Calls Scribe may make any number of times: identity lookup, and replies that are not part of the
# contract under test (an ephemeral note, a response_url update, a modal).
OPTIONAL_METHODS = {"auth.test", "chat.postEphemeral", "response_url", "views.open",
                    "chat.postMessage"}


def call_key(call: dict) -> tuple:
    params = call.get("params") or {}
    names = KEY_PARAMS.get(call["method"], ())
    return (call["method"],) + tuple(str(params.get(n, "")) for n in names)


class Expectations:
    def __init__(self):
        self.required: dict[tuple, str] = {}          # exactly one call, outcome "ok"
        self.sequences: dict[tuple, list[str]] = {}   # exactly these outcomes, in order
        self.optional: set[tuple] = set()             # any number, any outcome
        self.forbidden_tokens: dict[str, str] = {}    # no call's params may contain the token

    def require(self, key: tuple, why: str) -> None:
        self.required[key] = why

    def flag_calls(self, channel: str, ts: str, author: str | None, why: str,
                   history: bool = True, replies: bool = False) -> None:
        """The calls flagging one message makes (the brief's 'Processing reaction_added')."""
        if history:
            self.require(("conversations.history", channel, ts), why)
        if replies:
            self.require(("conversations.replies", channel, ts), why)
        if author:
            self.require(("users.info", author), why)
        self.require(("chat.getPermalink", channel, ts), why)
        self.require(("reactions.add", channel, ts, CONFIRM), why)

    def forbid(self, token: str, why: str) -> None:
        self.forbidden_tokens[token] = why



# ---------------------------------------------------------------------------------------------
# One scenario's run: a fresh Scribe and store against the process's fake
# ---------------------------------------------------------------------------------------------

def new_fake() -> FakeSlack:
    return FakeSlack(bot_token=BOT_TOKEN, bot_user_id=BOT_USER_ID, bot_id=BOT_ID,
                     team_id=TEAM_ID).start()


class SlackRun:
    def __init__(self, scribe_binary: str, fake: FakeSlack):
        self.binary = scribe_binary
        self.work = tempfile.mkdtemp(prefix="scribe-slack-e2e-")
        self.secret = secrets.token_hex(16)
        # The previous scenario's Scribe is gone, so nothing is in flight: its users, messages,
        # scripts and calls can go.
        self.fake = fake
        self.fake.reset()
        self.x = Expectations()
        self.scribe: Scribe | None = None
        self.db = test_store(self.work, os.path.join("data", "scribe.db"))
        self.slack: SlackDriver | None = None
        self.inc1: dict | None = None
        self.inc2: dict | None = None
        self.adapter_answers = False
        self.barriers = 0
        self.ack_times: list[tuple[str, float]] = []
        self.users: dict[str, dict] = {}
        self.expected_entries: dict[str, dict] = {}   # message_ref -> fields, in INC-1
        self.absent_refs: dict[str, str] = {}         # message_ref -> why it must not be recorded
        self.notes: list[str] = []                    # the command entries INC-1 must hold
        self.system_entries = 0                       # opens, severities and closes of INC-1

    # ---- set-up ----------------------------------------------------------------------------

    def user(self, uid: str, name: str, display_name: str = "", real_name: str = "") -> str:
        self.fake.add_user(uid, name, display_name=display_name, real_name=real_name)
        self.users[uid] = {"name": name, "display_name": display_name, "real_name": real_name}
        return uid

    def shown_name(self, uid: str) -> str:
        u = self.users[uid]
        return u["display_name"] or u["real_name"] or u["name"]

    def scribe_env(self, with_timeout: bool = True) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCRIBE_")}
        env.update({
            "SCRIBE_SERVER_LISTEN": "127.0.0.1:0",
            "SCRIBE_STORAGE_URL": self.db.url,
            "SCRIBE_SLACK_SIGNING_SECRET": self.secret,
            "SCRIBE_SLACK_BOT_TOKEN": BOT_TOKEN,
            "SCRIBE_SLACK_API_BASE_URL": self.fake.api_url,
            "SCRIBE_TLS_CA_FILE": self.fake.ca_file,
            "SCRIBE_LOG_LEVEL": "debug",
        })
        if with_timeout:
            env["SCRIBE_SLACK_API_TIMEOUT"] = "2s"
        return env

    def start(self) -> bool:
        group("start: scribe serve against the fake Slack Web API")
        self.scribe = Scribe(self.binary, self.work, self.scribe_env())
        ok, why = self.scribe.start()
        log = self.scribe.log()
        if not ok and "SCRIBE_SLACK_API_TIMEOUT" in log:
            R.fail("Scribe accepts SCRIBE_SLACK_API_TIMEOUT=2s (slack.api_timeout)",
                   "it refused to start: " + last_lines(log, 3) +
                   "\n      continuing without it; the hang/retry group will take longer")
            self.scribe = Scribe(self.binary, self.work, self.scribe_env(with_timeout=False))
            ok, why = self.scribe.start()
        else:
            R.check("Scribe accepts SCRIBE_SLACK_API_TIMEOUT=2s (slack.api_timeout)", ok or
                    "SCRIBE_SLACK_API_TIMEOUT" not in log)
        if not R.check("scribe serve starts with Slack configured and logs its port", ok,
                       f"{why}; its log:\n{last_lines(self.scribe.log(), 20)}"):
            return False
        if self.db.is_sqlite:
            R.check("data/scribe.db is created", poll(lambda: os.path.exists(self.db.path), 5))
        else:
            R.check("the schema is created in the PostgreSQL database",
                    poll(lambda: "incidents" in self.db.tables(), 5), self.db.tables())
            R.check("no SQLite file is created beside it",
                    not os.path.exists(os.path.join(self.work, "data", "scribe.db")))
        self.slack = SlackDriver(self.scribe.url(), self.secret,
                                 response_url_for=self.fake.response_url, team_id=TEAM_ID,
                                 bot_user_id=BOT_USER_ID)
        return True

    # ---- helpers ---------------------------------------------------------------------------

    def send(self, req: Prepared) -> Reply:
        reply = self.slack.send(req)
        self.ack_times.append((req.what, reply.seconds))
        return reply

    def slash(self, text: str, channel: str, channel_name: str, user_id: str, user_name: str) -> Reply:
        return self.send(self.slack.slash_command(text, channel, channel_name, user_id, user_name))

    def event(self, event: dict, **kw) -> tuple[Reply, Prepared]:
        req = self.slack.event_callback(event, **kw)
        return self.send(req), req

    def check_event_ack(self, what: str, reply: Reply) -> bool:
        return R.check(f"{what}: acked 200 with an empty body", reply.status == 200 and
                       reply.body.strip() == b"", reply)

    def seed(self, channel: str, user: str | None, text: str, **kw) -> str:
        ts = kw.pop("ts", None) or new_ts()
        self.fake.add_message(channel, ts, user, text, **kw)
        return ts

    def add_call_ok(self, channel: str, ts: str, name: str = CONFIRM) -> dict | None:
        for c in self.fake.calls("reactions.add"):
            p = c["params"]
            if (p.get("channel"), p.get("timestamp"), p.get("name")) == (channel, ts, name) \
                    and c["outcome"] == "ok":
                return c
        return None

    def remove_call_ok(self, channel: str, ts: str) -> dict | None:
        for c in self.fake.calls("reactions.remove"):
            p = c["params"]
            if (p.get("channel"), p.get("timestamp"), p.get("name")) == (channel, ts, CONFIRM) \
                    and c["outcome"] == "ok":
                return c
        return None

    def calls_for_ts(self, ts: str) -> list[dict]:
        return [c for c in self.fake.calls() if ts in json.dumps(c["params"])]

    def wait_entry(self, ref: str, timeout: float = POLL) -> dict | None:
        found = poll(lambda: self.db.entries_for_ref(ref), timeout)
        return found[0] if found else None

    def flag_by_reaction(self, channel: str, ts: str, reactor: str, author: str | None,
                         **kw) -> tuple[Reply, Prepared]:
        return self.event(self.slack.reaction_added(reactor, FLAG, channel, ts, author), **kw)

    def barrier(self, why: str) -> bool:
        """A flag in INC-2's channel, waited for: events sent before it have had their turn."""
        if self.inc2 is None:
            return R.check(f"barrier before '{why}': INC-2 exists", False)
        self.barriers += 1
        uid = self.user(f"U_BAR{self.barriers}", f"barrier{self.barriers}", f"Barrier {self.barriers}")
        ts = self.seed(C_BAR, uid, f"barrier message {self.barriers}")
        self.x.flag_calls(C_BAR, ts, uid, "barrier")
        reply, _ = self.flag_by_reaction(C_BAR, ts, "U_RITA", uid)
        done = reply.status == 200 and poll(
            lambda: self.db.entries_for_ref(f"{C_BAR}/{ts}") and self.add_call_ok(C_BAR, ts))
        ok = R.check(f"barrier before '{why}': its flag is processed", done,
                     f"ack {reply}; entry {self.db.entries_for_ref(f'{C_BAR}/{ts}')}")
        time.sleep(0.3)   # events are not promised to run in order; a little slack
        return ok

    def check_entry(self, what: str, ref: str, entry: dict | None, expected: dict) -> None:
        if not R.check(f"{what}: an entry with message_ref {ref}", entry is not None):
            return
        wrong = {k: (entry.get(k), v) for k, v in expected.items() if entry.get(k) != v}
        R.check(f"{what}: entry fields", not wrong,
                "got vs expected: " + json.dumps(wrong, ensure_ascii=False))

    def flagged_fields(self, channel: str, ts: str, author: str, text: str,
                       source: str = "reaction") -> dict:
        return {"source": source, "occurred_at": slack_ts_to_micros(ts), "author_id": author,
                "author_name": self.shown_name(author), "text": text,
                "link": f"https://fake-slack.test/archives/{channel}/p{ts.replace('.', '')}",
                "message_ref": f"{channel}/{ts}"}

    # ---- groups ----------------------------------------------------------------------------

    def g_signing(self) -> None:
        group("signing: forged, stale, unsigned and replayed requests get 401 and change nothing")
        s = self.slack
        cmd = s.slash_command("open FORGED incident", C_FORGE, C_FORGE_NAME, "U_MALLORY", "mallory",
                              response_id="forged-cmd", trigger_id="FORGED.trigger")
        cases = [
            ("slash command signed with the wrong secret", lambda: s.send_forged(cmd)),
            ("slash command with a timestamp 301 s old", lambda: s.send_stale(cmd, -301)),
            ("slash command with a timestamp 301 s ahead", lambda: s.send_stale(cmd, +301)),
            ("slash command without signature headers", lambda: s.send_unsigned(cmd)),
            ("slash command without the timestamp header", lambda: s.send_without_timestamp(cmd)),
            ("slash command signed as v1=", lambda: s.send_bad_version(cmd)),
        ]
        legit = s.slash_command("help", C_FORGE, C_FORGE_NAME, "U_MALLORY", "mallory",
                                response_id="forged-help")
        cases.append(("slash command replayed with a changed body (help -> open FORGED)",
                      lambda: s.send_replayed(legit, cmd.body)))
        verify = s.url_verification("FORGED-challenge")
        cases += [
            ("url_verification signed with the wrong secret", lambda: s.send_forged(verify)),
            ("url_verification unsigned", lambda: s.send_unsigned(verify)),
        ]
        mention = s.event_callback(s.app_mention("U_MALLORY", f"<@{BOT_USER_ID}> FORGED note",
                                                 C_FORGE, "1500000000.000001"))
        cases += [
            ("event signed with the wrong secret", lambda: s.send_forged(mention)),
            ("event with a timestamp 301 s old", lambda: s.send_stale(mention, -301)),
            ("event with a timestamp 301 s ahead", lambda: s.send_stale(mention, +301)),
            ("event unsigned", lambda: s.send_unsigned(mention)),
        ]
        action = s.message_action("add_to_timeline", {"type": "message", "user": "U_MALLORY",
                                                      "ts": "1500000000.000002", "text": "FORGED"},
                                  C_FORGE, C_FORGE_NAME, "U_MALLORY", "mallory",
                                  response_id="forged-act", trigger_id="FORGED.trigger.2")
        cases += [
            ("interaction signed with the wrong secret", lambda: s.send_forged(action)),
            ("interaction with a timestamp 301 s old", lambda: s.send_stale(action, -301)),
            ("interaction unsigned", lambda: s.send_unsigned(action)),
        ]
        for what, fn in cases:
            reply = fn()
            R.check(f"{what}: 401", reply.status == 401, reply)
            if "url_verification" in what:
                R.check(f"{what}: the challenge is not echoed", b"FORGED-challenge" not in reply.body)
        time.sleep(0.5)
        R.check("rejected requests open no incident", not self.db.incidents(), self.db.incidents())
        R.check("rejected requests record no entry", not self.db.all_entries(), self.db.all_entries())
        calls = [c for c in self.fake.calls() if c["method"] != "auth.test"]
        R.check("rejected requests make no Web API call", not calls, calls)

    def g_unsigned_checks(self) -> None:
        group("ssl_check and url_verification")
        reply = self.slack.post("/slack/commands", (
            "ssl_check=1&token=legacyVerificationToken0&command=%2Fincident&text=open+Sneaky"
            f"&channel_id={C_SSL}&user_id=U_SSL&user_name=ssl").encode(),
            "application/x-www-form-urlencoded")
        R.check("ssl_check=1 (unsigned): 200 with an empty body",
                reply.status == 200 and reply.body.strip() == b"", reply)
        R.check("ssl_check=1 acts on none of its other fields", self.db.incident(C_SSL) is None)

        challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
        reply = self.send(self.slack.url_verification(challenge))
        ok = reply.status == 200
        self.adapter_answers = reply.status != 404
        try:
            body = reply.json()
        except ValueError:
            body = None
        R.check("url_verification (signed): 200 {\"challenge\": ...}",
                ok and body == {"challenge": challenge}, reply)
        if reply.status == 404:
            print("NOTE: /slack/events answers 404: this binary has no Slack adapter; the groups "
                  "that need one fail without waiting.", flush=True)

    def add_people(self) -> tuple[str, str, str]:
        """The incident's people; alice opens INC-1 and dan INC-2."""
        alice = self.user("U_ALICE", "alice", "Alice A.", "Alice Anders")
        bob = self.user("U_BOB", "bob", "", "Bob Builder")
        dan = self.user("U_DAN", "dan", "Dan D.", "Dan Dunn")
        self.user("U_RITA", "rita", "Rita R.")   # flaggers: never authors, so never looked up
        self.user("U_RAJ", "raj", "Raj R.")
        return alice, bob, dan

    def probe_events(self) -> None:
        """Whether /slack/events is there at all (the groups that need it fail at once if not);
        the signing scenario checks the answer itself."""
        if not self.adapter_answers:
            self.adapter_answers = self.send(self.slack.url_verification("probe")).status != 404

    def open_incidents(self) -> None:
        """INC-1 in C_INC and INC-2 (the barriers' channel), for a scenario about something else;
        the commands scenario checks the replies in full."""
        group("set-up: INC-1 and INC-2 opened by slash commands")
        self.probe_events()
        alice, _, dan = self.add_people()
        for channel, name, text, uid, user in [(C_INC, C_INC_NAME, "open Database latency spike",
                                                alice, "alice"),
                                               (C_BAR, C_BAR_NAME, "open Barrier channel", dan, "dan")]:
            reply = self.slash(text, channel, name, uid, user)
            R.check(f"set-up: '{text}' in {channel} is answered 200", reply.status == 200, reply)
        self.inc1, self.inc2 = self.db.incident(C_INC), self.db.incident(C_BAR)
        R.check("set-up: INC-1 and INC-2 are in the database",
                self.inc1 and self.inc1["number"] == 1 and self.inc2 and self.inc2["number"] == 2,
                self.db.incidents())
        self.system_entries = 1

    def g_commands(self) -> None:
        group("slash commands")
        alice, bob, dan = self.add_people()

        def reply_of(what: str, reply: Reply, visibility: str) -> dict:
            body = {}
            ok = reply.status == 200 and "json" in reply.header("Content-Type")
            try:
                body = reply.json() if ok else {}
            except ValueError:
                ok = False
            R.check(f"{what}: 200 JSON", ok, reply)
            R.check(f"{what}: response_type {visibility}", body.get("response_type") == visibility, body)
            R.check(f"{what}: blocks, when present, are a list",
                    isinstance(body.get("blocks", []), list), body)
            R.check(f"{what}: answered within {ACK_LIMIT} s", reply.seconds < ACK_LIMIT, reply.seconds)
            return body

        body = reply_of("open", self.slash("open Database latency spike", C_INC, C_INC_NAME, alice,
                                           "alice"), "in_channel")
        R.check("open: 'INC-1 opened by alice: Database latency spike'",
                str(body.get("text", "")).startswith("INC-1 opened by alice: Database latency spike"),
                body.get("text"))
        self.inc1 = self.db.incident(C_INC)
        self.system_entries = 1
        if R.check("open: INC-1 is in the database", self.inc1 is not None):
            want = {"number": 1, "platform": "slack", "workspace": TEAM_ID, "channel": C_INC,
                    "title": "Database latency spike", "status": "open"}
            wrong = {k: (self.inc1.get(k), v) for k, v in want.items() if self.inc1.get(k) != v}
            R.check("open: the incident's fields", not wrong, wrong)

        body = reply_of("open in a second channel", self.slash("open Barrier channel", C_BAR,
                                                               C_BAR_NAME, dan, "dan"), "in_channel")
        R.check("open in a second channel: INC-2",
                str(body.get("text", "")).startswith("INC-2 opened by dan: Barrier channel"),
                body.get("text"))
        self.inc2 = self.db.incident(C_BAR)

        note = self.slack.slash_command("note first check of the dashboards", C_INC, C_INC_NAME,
                                        bob, "bob")
        body = reply_of("note", self.send(note), "ephemeral")
        R.check("note: 'Noted in INC-1 at HH:MM UTC.'",
                re.fullmatch(r"Noted in INC-1 at \d\d:\d\d UTC\.", str(body.get("text", ""))),
                body.get("text"))
        notes = [e for e in (self.db.entries(self.inc1["id"]) if self.inc1 else [])
                 if e["source"] == "command"]
        self.notes.append("first check of the dashboards")
        R.check("note: one command entry, author = the slash command's user_id and user_name",
                len(notes) == 1 and notes[0]["author_id"] == bob and notes[0]["author_name"] == "bob"
                and notes[0]["text"] == "first check of the dashboards", notes)
        tampered = note.body.replace(b"first+check", b"FORGED+tampered")
        reply = self.slack.send_replayed(note, tampered)
        R.check("note replayed with a changed body: 401", reply.status == 401, reply)

        body = reply_of("sev 2", self.slash("sev 2", C_INC, C_INC_NAME, alice, "alice"), "in_channel")
        self.system_entries += 1
        R.check("sev 2: names INC-1", "INC-1" in str(body.get("text")), body.get("text"))
        body = reply_of("status", self.slash("status", C_INC, C_INC_NAME, bob, "bob"), "ephemeral")
        R.check("status: names INC-1", "INC-1" in str(body.get("text")), body.get("text"))
        body = reply_of("timeline", self.slash("timeline", C_INC, C_INC_NAME, bob, "bob"), "ephemeral")
        R.check("timeline: shows the note", "first check of the dashboards" in str(body.get("text")),
                body.get("text"))
        body = reply_of("help", self.slash("help", C_INC, C_INC_NAME, bob, "bob"), "ephemeral")
        R.check("help: lists open", "open" in str(body.get("text")), body.get("text"))
        body = reply_of("unknown command", self.slash("frobnicate", C_INC, C_INC_NAME, bob, "bob"),
                        "ephemeral")
        R.check("unknown command: a reply", bool(body.get("text")), body)
        body = reply_of("second open in a channel", self.slash("open Another", C_INC, C_INC_NAME,
                                                               bob, "bob"), "ephemeral")
        R.check("second open: 'already open'", "already open" in str(body.get("text")), body.get("text"))
        body = reply_of("note without an incident", self.slash("note hello", C_QUIET, C_QUIET_NAME,
                                                               bob, "bob"), "ephemeral")
        R.check("note without an incident: says so", "no open incident" in str(body.get("text")),
                body.get("text"))
        R.check("no incident in the quiet channel", self.db.incident(C_QUIET) is None)

    def need_incidents(self, what: str) -> bool:
        if self.inc1 is None or self.inc2 is None:
            R.fail(f"{what}: skipped, INC-1/INC-2 were not opened by slash commands")
            return False
        if not self.adapter_answers:
            R.fail(f"{what}: skipped, /slack/events answers 404")
            return False
        return True

    def g_forged_events(self) -> None:
        group("forged events while an incident is open")
        if not self.need_incidents("forged events"):
            return
        s = self.slack
        mallory_ts = self.seed(C_INC, "U_MALLORY", "FORGED message")
        self.x.forbid(mallory_ts, "only forged requests name this message")
        self.absent_refs[f"{C_INC}/{mallory_ts}"] = "flagged only by forged requests"
        flag = s.event_callback(s.reaction_added("U_MALLORY", FLAG, C_INC, mallory_ts, "U_MALLORY"))
        for what, reply in [
            ("forged pushpin", s.send_forged(flag)),
            ("stale pushpin (-301 s)", s.send_stale(flag, -301)),
            ("stale pushpin (+301 s)", s.send_stale(flag, +301)),
            ("unsigned pushpin", s.send_unsigned(flag)),
        ]:
            R.check(f"{what}: 401", reply.status == 401, reply)
        benign_ts = self.seed(C_INC, "U_DAN", "just chatting")
        benign = s.event_callback(s.reaction_added("U_DAN", "eyes", C_INC, benign_ts, "U_DAN"))
        self.x.forbid(benign_ts, "an eyes reaction is ignored")
        reply = s.send_replayed(benign, flag.body)
        R.check("event replayed with a changed body (eyes -> pushpin): 401", reply.status == 401, reply)
        action = s.message_action("add_to_timeline", {"type": "message", "user": "U_MALLORY",
                                                      "ts": mallory_ts, "text": "FORGED message"},
                                  C_INC, C_INC_NAME, "U_MALLORY", "mallory",
                                  response_id="forged-act-2", trigger_id="FORGED.trigger.3")
        R.check("forged shortcut: 401", s.send_forged(action).status == 401)
        reply = self.send(benign)
        self.check_event_ack("the original eyes event", reply)
        self.barrier("forged events")
        R.check("forged events record no entry",
                not self.db.entries_for_ref(f"{C_INC}/{mallory_ts}"))
        R.check("forged events make no Web API call", not self.calls_for_ts(mallory_ts),
                self.calls_for_ts(mallory_ts))

    def g_flag_two_users(self) -> None:
        group("pushpin flags: fields, a second flagger, removal by the last flagger")
        if not self.need_incidents("pushpin flags"):
            return
        rita, raj, alice = "U_RITA", "U_RAJ", "U_ALICE"
        ts = self.seed(C_INC, alice, "Rolled back &lt;api-v2&gt; &amp; restarted the pool")
        ref = f"{C_INC}/{ts}"
        self.x.flag_calls(C_INC, ts, alice, "first pushpin")
        self.x.require(("reactions.remove", C_INC, ts, CONFIRM), "the last flagger removed the pushpin")
        reply, _ = self.flag_by_reaction(C_INC, ts, rita, alice)
        self.check_event_ack("reaction_added pushpin", reply)
        entry = self.wait_entry(ref)
        self.check_entry("pushpin", ref, entry,
                         self.flagged_fields(C_INC, ts, alice,
                                             "Rolled back <api-v2> & restarted the pool"))
        if entry:
            R.check("pushpin: the entry is in INC-1", entry["incident_id"] == self.inc1["id"])
        R.check("pushpin: confirmed with reactions.add memo",
                poll(lambda: self.add_call_ok(C_INC, ts)), self.calls_for_ts(ts))
        history = [c for c in self.fake.calls("conversations.history") if c["params"].get("latest") == ts]
        if history:
            p = history[0]["params"]
            R.check("pushpin: history asked for latest=ts, inclusive, limit=1",
                    str(p.get("inclusive")).lower() in ("true", "1") and str(p.get("limit")) == "1"
                    and p.get("channel") == C_INC, p)

        reply, _ = self.flag_by_reaction(C_INC, ts, raj, alice)
        self.check_event_ack("second pushpin", reply)
        self.barrier("second pushpin")
        entries = self.db.entries_for_ref(ref)
        R.check("second pushpin by another user: still one entry, the same one",
                len(entries) == 1 and entry is not None and entries[0]["id"] == entry["id"], entries)

        reply, _ = self.event(self.slack.reaction_removed(rita, FLAG, C_INC, ts, alice))
        self.check_event_ack("reaction_removed by the first flagger", reply)
        self.barrier("first flagger removes")
        R.check("removal while another user still flags it: the entry stays",
                len(self.db.entries_for_ref(ref)) == 1, self.db.entries_for_ref(ref))
        R.check("removal while another user still flags it: no reactions.remove",
                not self.fake.calls("reactions.remove"), self.fake.calls("reactions.remove"))

        reply, _ = self.event(self.slack.reaction_removed(raj, FLAG, C_INC, ts, alice))
        self.check_event_ack("reaction_removed by the last flagger", reply)
        R.check("removal by the last flagger: the entry is deleted",
                poll(lambda: not self.db.entries_for_ref(ref)), self.db.entries_for_ref(ref))
        R.check("removal by the last flagger: reactions.remove memo",
                poll(lambda: self.remove_call_ok(C_INC, ts)), self.calls_for_ts(ts))
        self.absent_refs[ref] = "unflagged by everyone"

    def g_dedup(self) -> None:
        group("event_id dedup: Slack's retries and a late resend are processed once")
        if not self.need_incidents("event dedup"):
            return
        leo = self.user("U_LEO", "leo", "Leo L.")
        ts = self.seed(C_INC, leo, "cache hit ratio back to 97%")
        ref = f"{C_INC}/{ts}"
        self.x.flag_calls(C_INC, ts, leo, "flag with retries")
        self.x.require(("reactions.remove", C_INC, ts, CONFIRM), "unflagged")
        event = self.slack.reaction_added("U_RITA", FLAG, C_INC, ts, leo)
        reply, first = self.event(event)
        self.check_event_ack("dedup: the original delivery", reply)
        reply, _ = self.event(event, event_id=first.event_id, retry_num=1, retry_reason="http_timeout")
        self.check_event_ack("dedup: retry 1 (X-Slack-Retry-Num: 1)", reply)
        R.check("dedup: the flag is recorded", self.wait_entry(ref))
        R.check("dedup: confirmed", poll(lambda: self.add_call_ok(C_INC, ts)))
        reply, _ = self.event(self.slack.reaction_removed("U_RITA", FLAG, C_INC, ts, leo))
        self.check_event_ack("dedup: the removal", reply)
        R.check("dedup: the removal deletes the entry", poll(lambda: not self.db.entries_for_ref(ref)))
        R.check("dedup: the removal removes the memo", poll(lambda: self.remove_call_ok(C_INC, ts)))
        reply, _ = self.event(event, event_id=first.event_id, retry_num=2, retry_reason="http_timeout")
        self.check_event_ack("dedup: retry 2 after the removal", reply)
        reply, _ = self.event(event, event_id=first.event_id)
        self.check_event_ack("dedup: the same event_id resent without retry headers", reply)
        self.barrier("late resends")
        R.check("dedup: a resent event_id does not bring the entry back",
                not self.db.entries_for_ref(ref), self.db.entries_for_ref(ref))
        self.absent_refs[ref] = "flagged, unflagged, then only resent event_ids"

    def g_names(self) -> None:
        group("author names: display_name, then real_name, then name")
        if not self.need_incidents("author names"):
            return
        carol = self.user("U_CAROL", "carol", "", "")
        for author, text in [("U_BOB", "p99 latency is 4 s on the primary"),
                             (carol, "failover started")]:
            ts = self.seed(C_INC, author, text)
            self.x.flag_calls(C_INC, ts, author, f"flag a message by {author}")
            self.flag_by_reaction(C_INC, ts, "U_RITA", author)
            ref = f"{C_INC}/{ts}"
            fields = self.flagged_fields(C_INC, ts, author, text)
            self.check_entry(f"name of {author} ({fields['author_name']})", ref,
                             self.wait_entry(ref), fields)
            self.expected_entries[ref] = fields
            R.check(f"name of {author}: confirmed", poll(lambda: self.add_call_ok(C_INC, ts)))

    def g_threads(self) -> None:
        group("thread replies: by pushpin (history misses, replies finds) and by the message shortcut")
        if not self.need_incidents("thread replies"):
            return
        ivy = self.user("U_IVY", "ivy", "Ivy I.")
        hank = self.user("U_HANK", "hank", "Hank H.")
        parent = new_ts()
        self.seed(C_INC, "U_DAN", "thread: what changed at 14:00?", ts=parent, thread_ts=parent)
        self.x.forbid(parent, "the thread's parent is never flagged")
        reply_ivy = self.seed(C_INC, ivy, "config push 8812 at 13:58", thread_ts=parent)
        reply_hank = self.seed(C_INC, hank, "reverting 8812 now", thread_ts=parent)

        self.x.flag_calls(C_INC, reply_ivy, ivy, "pushpin on a thread reply", replies=True)
        reply, _ = self.flag_by_reaction(C_INC, reply_ivy, "U_RITA", ivy)
        self.check_event_ack("pushpin on a thread reply", reply)
        ref = f"{C_INC}/{reply_ivy}"
        fields = self.flagged_fields(C_INC, reply_ivy, ivy, "config push 8812 at 13:58")
        self.check_entry("pushpin on a thread reply", ref, self.wait_entry(ref), fields)
        self.expected_entries[ref] = fields
        R.check("pushpin on a thread reply: confirmed",
                poll(lambda: self.add_call_ok(C_INC, reply_ivy)))
        R.check("pushpin on a thread reply: conversations.replies was asked",
                any(c["params"].get("ts") == reply_ivy for c in self.fake.calls("conversations.replies")),
                self.calls_for_ts(reply_ivy))

        self.x.flag_calls(C_INC, reply_hank, hank, "shortcut on a thread reply", history=False)
        message = {"type": "message", "user": hank, "ts": reply_hank, "text": "reverting 8812 now",
                   "thread_ts": parent, "parent_user_id": "U_DAN"}
        req = self.slack.message_action("add_to_timeline", message, C_INC, C_INC_NAME, "U_RAJ",
                                        "raj", response_id="shortcut-1")
        reply = self.send(req)
        R.check("message shortcut add_to_timeline: 200 with an empty body",
                reply.status == 200 and reply.body.strip() == b"", reply)
        ref = f"{C_INC}/{reply_hank}"
        fields = self.flagged_fields(C_INC, reply_hank, hank, "reverting 8812 now")
        self.check_entry("message shortcut", ref, self.wait_entry(ref), fields)
        self.expected_entries[ref] = fields
        R.check("message shortcut: confirmed", poll(lambda: self.add_call_ok(C_INC, reply_hank)))
        R.check("message shortcut: no conversations.history (the payload has the message)",
                not [c for c in self.fake.calls("conversations.history")
                     if c["params"].get("latest") == reply_hank])

    def g_mention(self) -> None:
        group("app_mention")
        if not self.need_incidents("app_mention"):
            return
        erin = self.user("U_ERIN", "erin", "Erin E.")
        text = f"<@{BOT_USER_ID}> deploy 4812 rolled back"
        ts = self.seed(C_INC, erin, text)
        self.x.require(("users.info", erin), "mention")
        self.x.require(("chat.getPermalink", C_INC, ts), "mention")
        self.x.require(("reactions.add", C_INC, ts, CONFIRM), "mention")
        reply, _ = self.event(self.slack.app_mention(erin, text, C_INC, ts))
        self.check_event_ack("app_mention", reply)
        ref = f"{C_INC}/{ts}"
        fields = self.flagged_fields(C_INC, ts, erin, "deploy 4812 rolled back", source="mention")
        self.check_entry("app_mention", ref, self.wait_entry(ref), fields)
        self.expected_entries[ref] = fields
        R.check("app_mention: confirmed", poll(lambda: self.add_call_ok(C_INC, ts)))

    def g_ignored(self) -> None:
        group("ignored: other reactions, channels without an incident, bots' messages")
        if not self.need_incidents("ignored events"):
            return
        zoe = self.user("U_ZOE", "zoe", "Zoe Z.")
        quiet_ts = self.seed(C_QUIET, zoe, "lunch?")
        thumbs_ts = self.seed(C_INC, zoe, "looks better now")
        self_ts = self.seed(C_INC, BOT_USER_ID, "INC-1 opened by alice: Database latency spike",
                            bot_id=BOT_ID)
        bot_ts = self.seed(C_INC, None, "deploy 4813 finished", bot_id="B_DEPLOY",
                           subtype="bot_message", username="deploybot")
        botmention_ts = self.seed(C_INC, None, f"<@{BOT_USER_ID}> deploy 4813 finished",
                                  bot_id="B_DEPLOY")
        plain_ts = self.seed(C_INC, zoe, "is anyone looking at the replica?")
        for ts, why in [(quiet_ts, "pushpin in a channel without an incident"),
                        (thumbs_ts, "a reaction other than pushpin"),
                        (botmention_ts, "a mention by another bot"),
                        (plain_ts, "a plain message, never flagged")]:
            self.x.forbid(ts, why)
        for ts in (self_ts, bot_ts):
            # Scribe may have to read the message to see its bot_id; it must not record or confirm it.
            self.x.optional |= {("conversations.history", C_INC, ts), ("conversations.replies", C_INC, ts),
                           ("chat.getPermalink", C_INC, ts), ("users.info", BOT_USER_ID)}
        for what, event in [
            ("pushpin in a quiet channel", self.slack.reaction_added("U_RITA", FLAG, C_QUIET, quiet_ts, zoe)),
            ("thumbsup", self.slack.reaction_added("U_RITA", "thumbsup", C_INC, thumbs_ts, zoe)),
            ("pushpin on Scribe's message", self.slack.reaction_added("U_RITA", FLAG, C_INC, self_ts,
                                                                      BOT_USER_ID)),
            ("pushpin on a bot's message", self.slack.reaction_added("U_RITA", FLAG, C_INC, bot_ts, None)),
            ("a bot's mention", self.slack.app_mention(None, f"<@{BOT_USER_ID}> deploy 4813 finished",
                                                       C_INC, botmention_ts, bot_id="B_DEPLOY")),
            ("a plain message", self.slack.plain_message(C_INC, plain_ts, zoe,
                                                         "is anyone looking at the replica?")),
            ("an edit of an unflagged message",
             self.slack.message_changed(C_INC, thumbs_ts, zoe, "looks better now", "looks much better now")),
        ]:
            reply, _ = self.event(event)
            self.check_event_ack(f"ignored ({what})", reply)
        self.barrier("ignored events")
        for ts, why in [(quiet_ts, "pushpin in a channel without an incident"),
                        (thumbs_ts, "thumbsup"), (self_ts, "pushpin on Scribe's own message"),
                        (bot_ts, "pushpin on another bot's message"),
                        (botmention_ts, "a mention by another bot"), (plain_ts, "a plain message")]:
            channel = C_QUIET if ts == quiet_ts else C_INC
            ref = f"{channel}/{ts}"
            self.absent_refs[ref] = why
            R.check(f"ignored ({why}): no entry", not self.db.entries_for_ref(ref))
            if ts in (self_ts, bot_ts):
                R.check(f"ignored ({why}): no reactions.add",
                        not [c for c in self.calls_for_ts(ts) if c["method"] == "reactions.add"])
            else:
                R.check(f"ignored ({why}): no Web API call", not self.calls_for_ts(ts),
                        self.calls_for_ts(ts))

    def g_edits(self) -> None:
        group("message_changed and message_deleted follow flagged messages")
        if not self.need_incidents("edits and deletes"):
            return
        joe = self.user("U_JOE", "joe", "Joe J.")
        kim = self.user("U_KIM", "kim", "Kim K.")
        joe_ts = self.seed(C_INC, joe, "replica lag 40 s")
        kim_ts = self.seed(C_INC, kim, "maybe the disk?")
        self.x.flag_calls(C_INC, joe_ts, joe, "flag, then edit")
        self.x.flag_calls(C_INC, kim_ts, kim, "flag, then delete")
        self.x.optional.add(("reactions.remove", C_INC, kim_ts, CONFIRM))  # the message is gone anyway
        self.flag_by_reaction(C_INC, joe_ts, "U_RITA", joe)
        self.flag_by_reaction(C_INC, kim_ts, "U_RITA", kim)
        joe_ref, kim_ref = f"{C_INC}/{joe_ts}", f"{C_INC}/{kim_ts}"
        R.check("edit: the flag is recorded", self.wait_entry(joe_ref))
        R.check("delete: the flag is recorded", self.wait_entry(kim_ref))
        poll(lambda: self.add_call_ok(C_INC, joe_ts) and self.add_call_ok(C_INC, kim_ts))

        new_text = "replica lag 40 s &amp; growing (edited)"
        self.fake.update_message(C_INC, joe_ts, new_text)
        reply, _ = self.event(self.slack.message_changed(C_INC, joe_ts, joe, "replica lag 40 s", new_text))
        self.check_event_ack("message_changed", reply)
        want = "replica lag 40 s & growing (edited)"
        R.check("message_changed: the entry's text follows",
                poll(lambda: [e for e in self.db.entries_for_ref(joe_ref) if e["text"] == want]),
                self.db.entries_for_ref(joe_ref))
        fields = self.flagged_fields(C_INC, joe_ts, joe, want)
        self.expected_entries[joe_ref] = fields

        self.fake.delete_message(C_INC, kim_ts)
        reply, _ = self.event(self.slack.message_deleted(C_INC, kim_ts, kim, "maybe the disk?"))
        self.check_event_ack("message_deleted", reply)
        R.check("message_deleted: the entry is removed",
                poll(lambda: not self.db.entries_for_ref(kim_ref)), self.db.entries_for_ref(kim_ref))
        self.absent_refs[kim_ref] = "the message was deleted"

    def reactions_add_idle(self) -> bool:
        """True once no reactions.add is in flight, so a script applies to the next flag's call."""
        return bool(poll(lambda: all(c["outcome"] != "pending" for c in self.fake.calls("reactions.add"))
                         and self.fake.hanging == 0))

    def g_already_reacted(self) -> None:
        group("already_reacted counts as success")
        if not self.need_incidents("already_reacted"):
            return
        gina = self.user("U_GINA", "gina", "Gina G.")
        R.check("already_reacted: no reactions.add in flight before scripting", self.reactions_add_idle())
        ts = self.seed(C_INC, gina, "error rate down to 0.1%")
        self.x.flag_calls(C_INC, ts, gina, "already reacted")
        key = ("reactions.add", C_INC, ts, CONFIRM)
        del self.x.required[key]
        self.x.sequences[key] = ["ok_false:already_reacted"]
        # Scripted rather than seeded: Scribe may read the message's reactions and skip the call,
        # and this group is about the answer, not the shortcut.
        self.fake.script("reactions.add", [{"kind": "ok_false", "error": "already_reacted"}])
        self.flag_by_reaction(C_INC, ts, "U_RITA", gina)
        ref = f"{C_INC}/{ts}"
        fields = self.flagged_fields(C_INC, ts, gina, "error rate down to 0.1%")
        self.check_entry("already_reacted", ref, self.wait_entry(ref), fields)
        self.expected_entries[ref] = fields
        got = poll(lambda: [c for c in self.fake.calls("reactions.add")
                            if c["params"].get("timestamp") == ts and c["outcome"] != "pending"])
        if not R.check("already_reacted: reactions.add was called", got, self.calls_for_ts(ts)):
            self.fake.clear_script("reactions.add")   # or it would answer someone else's call
        time.sleep(3.0)   # a retry with back-off would come within this
        self.barrier("already_reacted")
        calls = [c["outcome"] for c in self.fake.calls("reactions.add") if c["params"].get("timestamp") == ts]
        R.check("already_reacted: not retried", calls == ["ok_false:already_reacted"], calls)

    def g_retries(self) -> None:
        group("Web API failures: 429 (Retry-After), 500 and a hang are retried; one memo in the end")
        if not self.need_incidents("Web API retries"):
            return
        frank = self.user("U_FRANK", "frank", "Frank F.")
        R.check("retries: no reactions.add in flight before scripting", self.reactions_add_idle())
        ts = self.seed(C_INC, frank, "rollback complete, latency normal")
        self.x.flag_calls(C_INC, ts, frank, "retried confirmation")
        key = ("reactions.add", C_INC, ts, CONFIRM)
        del self.x.required[key]
        self.x.sequences[key] = ["429", "500", "hang", "ok"]
        self.fake.script("reactions.add", [{"kind": "429", "retry_after": 1}, {"kind": "500"},
                                           {"kind": "hang", "seconds": 30}])
        self.flag_by_reaction(C_INC, ts, "U_RITA", frank)
        ref = f"{C_INC}/{ts}"
        fields = self.flagged_fields(C_INC, ts, frank, "rollback complete, latency normal")
        self.check_entry("retries", ref, self.wait_entry(ref), fields)
        self.expected_entries[ref] = fields
        done = poll(lambda: self.add_call_ok(C_INC, ts), timeout=60)
        calls = [c for c in self.fake.calls("reactions.add") if c["params"].get("timestamp") == ts]
        outcomes = [c["outcome"] for c in calls]
        R.check("retries: the memo is added in the end", done, outcomes)
        R.check("retries: outcomes 429, 500, hang, ok", outcomes == ["429", "500", "hang", "ok"], outcomes)
        if len(calls) >= 2 and calls[0]["outcome"] == "429":
            gap = calls[1]["time"] - calls[0]["time"]
            R.check("retries: Retry-After: 1 is honoured (>= 1 s before the next try)", gap >= 0.95,
                    f"{gap:.3f} s")
        hang = [i for i, c in enumerate(calls) if c["outcome"] == "hang"]
        if hang and hang[0] + 1 < len(calls):
            gap = calls[hang[0] + 1]["time"] - calls[hang[0]]["time"]
            R.check("retries: the hung call is given up after the 2 s API timeout, then retried",
                    1.8 <= gap <= 15, f"{gap:.3f} s")
        R.check("retries: Scribe closes the connection it gave up on",
                poll(lambda: self.fake.hanging == 0, 5), self.fake.hanging)
        R.check("retries: the script is used up", self.fake.pending_script("reactions.add") == 0)

    def g_close(self) -> None:
        group("close, then flags are ignored")
        if self.inc1 is None:
            R.fail("close: skipped, INC-1 was not opened")
            return
        reply = self.slash("close Rolled back deploy 4812", C_INC, C_INC_NAME, "U_ALICE", "alice")
        body = {}
        try:
            body = reply.json()
        except ValueError:
            pass
        R.check("close: 200 in_channel", reply.status == 200 and body.get("response_type") == "in_channel",
                reply)
        R.check("close: 'INC-1 closed by alice after ...'",
                str(body.get("text", "")).startswith("INC-1 closed by alice after "), body.get("text"))
        R.check("close: the reply states the close in one line (the postmortem's introduction "
                "explains the review)", "\n" not in str(body.get("text", "")).strip()
                and "question" not in str(body.get("text", "")), body.get("text"))
        inc = self.db.incident(C_INC)
        R.check("close: INC-1 is closed in the database", inc and inc["status"] == "closed", inc)
        self.system_entries += 1
        if not self.need_incidents("flags after close"):
            return
        self.user("U_ZOE", "zoe", "Zoe Z.")
        late_ts = self.seed(C_INC, "U_ZOE", "one more thing")
        self.x.forbid(late_ts, "pushpin after the incident closed")
        self.flag_by_reaction(C_INC, late_ts, "U_RITA", "U_ZOE")
        self.barrier("pushpin after close")
        R.check("after close: a pushpin records nothing", not self.db.entries_for_ref(f"{C_INC}/{late_ts}"))
        R.check("after close: a pushpin makes no Web API call", not self.calls_for_ts(late_ts),
                self.calls_for_ts(late_ts))

    # ---- the end -----------------------------------------------------------------------------

    def g_final_timeline(self) -> None:
        group("the final timelines")
        if self.inc1 is None:
            R.fail("final timeline: skipped, INC-1 was not opened")
            return
        entries = self.db.entries(self.inc1["id"])
        by_ref: dict[str, list[dict]] = {}
        for e in entries:
            if e["message_ref"]:
                by_ref.setdefault(e["message_ref"], []).append(e)
        for ref, fields in self.expected_entries.items():
            got = by_ref.get(ref, [])
            if R.check(f"final: exactly one entry for {ref}", len(got) == 1, got):
                wrong = {k: (got[0].get(k), v) for k, v in fields.items() if got[0].get(k) != v}
                R.check(f"final: fields of {ref}", not wrong, wrong)
        extra = sorted(set(by_ref) - set(self.expected_entries))
        R.check("final: no other flagged entries in INC-1", not extra,
                {r: self.absent_refs.get(r, "unexpected") for r in extra})
        for ref, why in self.absent_refs.items():
            R.check(f"final: no entry for {ref} ({why})", not self.db.entries_for_ref(ref))
        commands = [e for e in entries if e["source"] == "command"]
        R.check(f"final: the notes ({len(self.notes)})", [e["text"] for e in commands] == self.notes,
                commands)
        system = [e for e in entries if e["source"] == "system"]
        R.check(f"final: system entries for INC-1's open, severity and close ({self.system_entries})",
                len(system) >= self.system_entries, system)
        every = json.dumps(self.db.all_entries()) + json.dumps(self.db.incidents())
        R.check("final: nothing forged reached the database",
                not any(m in every for m in FORGED_MARKERS))
        if self.inc2 is not None:
            R.check("final: INC-2 holds the barrier flags",
                    len([e for e in self.db.entries(self.inc2["id"]) if e["source"] == "reaction"])
                    == self.barriers)

    def g_final_calls(self) -> None:
        group("the final Web API record")
        calls = self.fake.calls()
        R.check("final: every Web API call carried the bot token",
                all(c["authorized"] for c in calls),
                [c for c in calls if not c["authorized"]][:3])
        R.check("final: no call is still pending", all(c["outcome"] != "pending" for c in calls))
        R.check("final: no TLS handshake with the fake failed", not self.fake.tls_failures,
                self.fake.tls_failures[:3])
        dumped = [(c, json.dumps(c["params"])) for c in calls]
        for token, why in self.x.forbidden_tokens.items():
            hits = [c for c, d in dumped if token in d]
            R.check(f"final: no call names {token} ({why})", not hits,
                    [(h["method"], h["params"]) for h in hits][:3])
        for marker in FORGED_MARKERS:
            R.check(f"final: no call caused by forged requests ({marker})",
                    not [c for c, d in dumped if marker in d])
        counted: dict[tuple, list[dict]] = {}
        unexpected = []
        for c in calls:
            key = call_key(c)
            if key in self.x.required or key in self.x.sequences:
                counted.setdefault(key, []).append(c)
            elif key in self.x.optional or c["method"] in OPTIONAL_METHODS:
                continue
            else:
                unexpected.append(key)
        R.check("final: no unexpected Web API calls", not unexpected, sorted(set(unexpected)))
        for key, why in self.x.required.items():
            got = [c["outcome"] for c in counted.get(key, [])]
            R.check(f"final: {key} exactly once, ok ({why})", got == ["ok"], got)
        for key, want in self.x.sequences.items():
            got = [c["outcome"] for c in counted.get(key, [])]
            R.check(f"final: {key} outcomes {want}", got == want, got)
        writes = [c for c in calls if c["method"] in ("reactions.add", "reactions.remove",
                                                      "chat.postMessage")]
        R.check("final: writes were sent as JSON (PROTOCOLS.md section 5)",
                all(c["content_type"].startswith("application/json") for c in writes),
                [(c["method"], c["content_type"]) for c in writes
                 if not c["content_type"].startswith("application/json")][:3])
        slow = [(what, round(s, 2)) for what, s in self.ack_times if s >= ACK_LIMIT]
        R.check(f"final: every Slack request was answered within {ACK_LIMIT} s", not slow, slow)

    def g_stop(self) -> None:
        group("SIGTERM")
        rc, seconds = self.scribe.terminate()
        R.check(f"SIGTERM exits 0 (got {rc})", rc == 0)
        R.check("SIGTERM exits within 15 s", seconds < 15, f"{seconds:.1f} s")
        log = self.scribe.log()
        R.check("the log never shows the signing secret", self.secret not in log)
        R.check("the log never shows the bot token", BOT_TOKEN not in log)

    def run(self, *steps: Callable[[], None]) -> None:
        """Starts Scribe, runs `steps`, checks the whole record, stops Scribe; whatever happens,
        Scribe is killed and the work folder and store go (finish_run)."""
        try:
            if not self.start():
                return
            for step in (*steps, self.g_final_timeline, self.g_final_calls):
                try:
                    step()
                except Exception:  # a broken step is a failure; the others still run
                    R.fail(f"{step.__name__} raised", traceback.format_exc())
            self.g_stop()
        finally:
            finish_run(R, self.scribe, None, self.work, "SLACK_E2E_KEEP",
                       {"calls.json": self.fake.calls}, store=self.db)


# ---------------------------------------------------------------------------------------------
# The scenarios, each alone on a fresh Scribe and store
# ---------------------------------------------------------------------------------------------

def signing(binary: str, fake: FakeSlack) -> None:
    """Forged, stale, unsigned and replayed requests get 401 and change nothing; ssl_check and
    url_verification; forged events while an incident is open.

    Payloads: PROTOCOLS.md section 1 ("Verifying requests from Slack": v0 signatures, the 5-minute
    window, ssl_check) and sections 2-4 for the requests forged."""
    run = SlackRun(binary, fake)
    run.run(run.g_signing, run.g_unsigned_checks, run.open_incidents, run.g_forged_events)


def commands(binary: str, fake: FakeSlack) -> None:
    """Slash commands (open, note, sev, status, timeline, help, unknown, a second open, a note
    without an incident), then close, after which flags are ignored.

    Payloads: PROTOCOLS.md section 2 (slash commands, bolt-js `SlashCommand`) and section 3 for
    the flag after the close."""
    run = SlackRun(binary, fake)
    run.run(run.probe_events, run.g_commands, run.g_close)


def flags(binary: str, fake: FakeSlack) -> None:
    """Pushpin flags (fields, a second flagger, removal by the last), author names, thread replies
    (by pushpin and by the message shortcut), app_mention, and what is ignored.

    Payloads: PROTOCOLS.md section 3 (reaction_added/removed, app_mention, message events from
    node-slack-sdk `packages/types/src/events/*.ts`), section 4 (message_action) and section 5
    (conversations.history/replies, users.info, chat.getPermalink, reactions.add/remove)."""
    run = SlackRun(binary, fake)
    run.run(run.open_incidents, run.g_flag_two_users, run.g_names, run.g_threads, run.g_mention,
            run.g_ignored)


def edits(binary: str, fake: FakeSlack) -> None:
    """message_changed and message_deleted follow flagged messages.

    Payloads: PROTOCOLS.md section 3, node-slack-sdk `message.ts` MessageChangedEvent and
    MessageDeletedEvent."""
    run = SlackRun(binary, fake)
    run.run(run.open_incidents, run.g_edits)


def redelivery(binary: str, fake: FakeSlack) -> None:
    """Slack's retries (X-Slack-Retry-Num) and a late resend of an event_id are processed once.

    Payloads: PROTOCOLS.md section 3 (event_callback envelopes, X-Slack-Retry-Num and
    X-Slack-Retry-Reason)."""
    run = SlackRun(binary, fake)
    run.run(run.open_incidents, run.g_dedup)


def already_reacted(binary: str, fake: FakeSlack) -> None:
    """reactions.add answered ok=false already_reacted counts as success: the confirmation is not
    tried again.

    Payloads: PROTOCOLS.md section 5 (reactions.add and its errors) and section 3 for the flag."""
    run = SlackRun(binary, fake)
    run.run(run.open_incidents, run.g_already_reacted)


def retries(binary: str, fake: FakeSlack) -> None:
    """The confirmation exactly once whatever the Web API answers: 429 (Retry-After), 500 and a
    hang past the API timeout are retried, one memo in the end.

    Payloads: PROTOCOLS.md section 5 (Web API answers, rate limits and Retry-After) and section 3
    for the flag."""
    run = SlackRun(binary, fake)
    run.run(run.open_incidents, run.g_retries)


# Roughly the seconds each takes (most of it waiting on Scribe's retries and the barriers), to
# share a whole run out between processes.
SCENARIOS = [Scenario("signing", 1.5, signing), Scenario("commands", 1, commands),
             Scenario("flags", 2, flags), Scenario("edits", 1, edits),
             Scenario("redelivery", 1, redelivery), Scenario("already_reacted", 4, already_reacted),
             Scenario("retries", 9, retries)]


def main(argv: list[str]) -> int:
    return run_scenarios(argv, R, SCENARIOS, share=new_fake)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
