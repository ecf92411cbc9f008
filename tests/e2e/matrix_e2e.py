#!/usr/bin/env python3
"""End to end: a whole incident on Matrix, the real `scribe serve` as an Application Service
against tests/support/fake_homeserver.py.

Usage: matrix_e2e.py <path to scribe> [--scenario NAME]...   (ctest: e2e.matrix)
       matrix_e2e.py --list
Exit 0 when every check passes. Without --scenario every scenario runs, shared out between three
processes ($SCRIBE_E2E_JOBS, --jobs).

What runs: the fake homeserver on 127.0.0.1 (plain HTTP), one per process and emptied before each
scenario (rooms, events, its record of Scribe's calls and their txnIds); then, for each scenario,
`scribe serve` in a temporary directory of its own on a port picked
beforehand (SCRIBE_SERVER_LISTEN and SCRIBE_SERVER_PUBLIC_URL must agree, and the fake must know
where to push: set_appservice_url), with a fresh SQLite file or PostgreSQL database
(SCRIBE_STORAGE_URL, tests/support/scribe_e2e.py test_store) and two postmortem questions
(SCRIBE_POSTMORTEM_QUESTIONS). The fake pushes transactions to Scribe and serves the
Client-Server API subset, validating both directions against the spec's OpenAPI documents (its
violations() must stay empty). The test reads Scribe's work from the fake's record (what Scribe
sent, with which txnId) and from the database.

What it follows:
  - /work/shared/PROTOCOLS.md 7 (Application Service API): transactions and the legacy path,
    hs_token as a Bearer header or ?access_token= (both must match), 401 M_MISSING_TOKEN /
    403 M_FORBIDDEN, txnId idempotency (also across a restart), user and room queries, ping,
    404/405 M_UNRECOGNIZED for unknown routes and methods.
  - PROTOCOLS.md 8 (Client-Server API): m.notice with org.matrix.custom.html, rich replies
    (m.in_reply_to), threads (m.thread), edits (m.replace + m.new_content, same sender), reactions
    (m.annotation; keys with and without U+FE0F), redactions (room v11: redacts in content),
    idempotent sends (a retransmission with the same txnId creates nothing).
  - The spec's m.room.message$m.notice: bots never answer a notice.
  - The contract of Scribe's Matrix adapter as the lead stated it in the task brief: the command
    prefix `!incident`, the flag 📌 and the confirmation 📝, mentions through m.mentions, incidents
    with platform 'matrix', workspace = the server name, channel = the room ID, and
    postmortem_questions.message_ref = "<room id>/<event id>".

The scenarios, each on a database of its own (a scenario that needs the room or INC-1 joins or
opens it itself), each ending with 7.:
  1. routes: straight to Scribe's HTTP server and through the fake (its C-S ping endpoint calls
     Scribe's /_matrix/app/v1/ping).
  2. invite: an invite for @scribe:localhost -> Scribe joins; an invite for someone else -> it does not.
  3. commands: open (stored once acknowledged), note, status, sev (delivered on the legacy path
     with ?access_token=), a note sent as a rich reply with a fallback quote, three notes in one
     transaction; messages that are not commands, another bot's m.notice and Scribe's own
     messages: no reply.
  4. flags: 📌 and 📌+U+FE0F, 📝 in answer, the flag's redaction, an edit (and a stranger's edit),
     a deleted message, a reply with a fallback quote, two flaggers (the entry and 📝 stay until
     the last flag goes), a mention; a 👍, a mention of someone else, Scribe's own 📌: nothing.
  5. restart: redelivered transactions change nothing; SIGTERM; an event pushed while Scribe is down is
     handled once after the restart; redeliveries after the restart change nothing either; then
     SIGKILL right after a transaction is acknowledged: handled once after the restart, and
     redeliveries after the crash change nothing.
  6. postmortem: close -> an introduction and the questions (thread roots); answers in their threads (an edit
     by the author follows, a stranger's does not, a redacted answer goes; the introduction's
     thread, a bot's notice and Scribe's own user are not answers); the draft
     once complete; `!incident draft` -> version 2, with one send stored by the homeserver and
     answered 500: the retry reuses the txnId and the room holds the message once.
  7. (every scenario) exactly once (by txnId and by content), no loop, no spec violation, SIGTERM
     exits 0.

Every check prints on failure, nothing else is printed; the last line is "N passed, M failed".
MATRIX_E2E_KEEP=1 keeps each scenario's temporary directory (scribe.log, calls.json, transactions.json,
scribe.db) and the PostgreSQL database, and prints where they are.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import tempfile
import time
import traceback
import urllib.parse
from collections.abc import Callable

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from fake_homeserver import FakeHomeserver  # noqa: E402
from scribe_e2e import (Results, Scenario, Scribe, finish_run, free_port, http_request,  # noqa: E402
                        last_lines, poll, run_scenarios, test_store)

SERVER = "localhost"
LOCALPART = "scribe"
BOT = f"@{LOCALPART}:{SERVER}"
AS_TOKEN = "as-" + secrets.token_hex(24)
HS_TOKEN = "hs-" + secrets.token_hex(24)

ROOM = "!ops:localhost"            # INC-1, the whole incident
ROOM_ALIAS = "#ops:localhost"
ROOM_OTHER = "!lunch:localhost"    # an invite for someone else: Scribe stays out

ALICE, BOB, CAROL, DAN = "@alice:localhost", "@bob:localhost", "@carol:localhost", "@dan:localhost"
ERIN, FRANK, DEPLOYBOT = "@erin:localhost", "@frank:localhost", "@deploybot:localhost"
OUTSIDER = "@dave:localhost"
MEMBERS = {ALICE: "Alice", BOB: "Bob", CAROL: "Carol", DAN: "Dan", ERIN: "Erin", FRANK: "Frank",
           DEPLOYBOT: "Deploy bot"}

FLAG = "\U0001F4CC"                # 📌, matrix.flag_reaction's default
FLAG_VS16 = FLAG + "\uFE0F"
CONFIRM = "\U0001F4DD"             # 📝
HTML = "org.matrix.custom.html"
POLL = 10.0

QUESTIONS = [("impact", "What was the impact?"), ("actions", "What will we do?")]
QUESTIONS_YAML = "[" + ", ".join(f'{{id: "{i}", text: "{t}"}}' for i, t in QUESTIONS) + "]"

TXN = "/_matrix/app/v1/transactions/"
NO_EVENTS = {"events": []}

R = Results()


# ---------------------------------------------------------------------------------------------
# Reading events
# ---------------------------------------------------------------------------------------------

def content_of(event: dict) -> dict:
    c = event.get("content")
    return c if isinstance(c, dict) else {}


def relates(event: dict) -> dict:
    r = content_of(event).get("m.relates_to")
    return r if isinstance(r, dict) else {}


def reply_target(event: dict) -> str | None:
    """The event a message is a rich reply to (not a thread's fallback)."""
    r = relates(event)
    if r.get("rel_type") == "m.thread" and r.get("is_falling_back"):
        return None
    target = r.get("m.in_reply_to")
    return target.get("event_id") if isinstance(target, dict) else None


def thread_root(event: dict) -> str | None:
    r = relates(event)
    return r.get("event_id") if r.get("rel_type") == "m.thread" else None


def body(event: dict) -> str:
    b = content_of(event).get("body")
    return b if isinstance(b, str) else ""


def notice_problems(event: dict) -> list[str]:
    """What keeps a message of Scribe's from being an m.notice with an HTML rendering."""
    c = content_of(event)
    problems = []
    if c.get("msgtype") != "m.notice":
        problems.append(f"msgtype {c.get('msgtype')!r}")
    if not isinstance(c.get("body"), str) or not c["body"].strip():
        problems.append("no body")
    if c.get("format") != HTML:
        problems.append(f"format {c.get('format')!r}")
    if not isinstance(c.get("formatted_body"), str) or not c["formatted_body"].strip():
        problems.append("no formatted_body")
    return problems


def redacted(event: dict) -> bool:
    return "redacted_because" in (event.get("unsigned") or {})


def thread(root_id: str) -> dict:
    """m.relates_to of a message in the thread of `root_id`, as Element sends it."""
    return {"m.relates_to": {"rel_type": "m.thread", "event_id": root_id, "is_falling_back": True,
                             "m.in_reply_to": {"event_id": root_id}}}


def short(events: list[dict], n: int = 6) -> list:
    return [(e.get("type"), e.get("sender"), body(e)[:70] or relates(e)) for e in events[-n:]]


# ---------------------------------------------------------------------------------------------
# One scenario's run: a fresh Scribe and store against the process's fake homeserver
# ---------------------------------------------------------------------------------------------

def new_fake() -> FakeHomeserver:
    return FakeHomeserver(as_token=AS_TOKEN, hs_token=HS_TOKEN, appservice_id="scribe",
                          sender_localpart=LOCALPART, server_name=SERVER,
                          retry_initial=0.05, retry_max=0.5).start()


class MatrixRun:
    def __init__(self, binary: str, fake: FakeHomeserver):
        self.binary = binary
        self.work = tempfile.mkdtemp(prefix="scribe-matrix-e2e-")
        # The previous scenario's Scribe is gone. Its rooms go, and so do the txnIds it sent: a
        # fresh Scribe numbers its sends from the start again, which the homeserver must not take
        # for retransmissions. Transactions pushed earlier stay in the record, so this scenario's
        # are those after txn_start.
        self.fake = fake
        self.fake.reset()
        self.fake.set_delivery(auth="header", token=None, query_token=None, legacy_path=False)
        self.fake.auto_deliver = True
        self.txn_start = len(self.fake.transactions())
        self.db = test_store(self.work, "scribe.db")
        self.port: int | None = None
        self.scribe: Scribe | None = None
        self.joined = False
        self.incident: dict | None = None
        self.commands: dict[str, str] = {}   # event id -> text: human commands Scribe must answer
        self.quiet: dict[str, str] = {}      # event id -> why Scribe must not answer it
        self.reviewed: dict[str, str] = {}   # event id -> an answer whose wording Scribe replies to
        self.note_event: dict | None = None
        self.open_event: dict | None = None
        self.questions: dict[str, dict] = {}   # question id -> Scribe's event
        self.intro: dict | None = None

    # ---- set-up ----------------------------------------------------------------------------

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCRIBE_")}
        env.update({
            "SCRIBE_SERVER_LISTEN": f"127.0.0.1:{self.port}",
            "SCRIBE_SERVER_PUBLIC_URL": f"http://127.0.0.1:{self.port}",
            "SCRIBE_STORAGE_URL": self.db.url,
            "SCRIBE_MATRIX_HOMESERVER_URL": self.fake.url,
            "SCRIBE_MATRIX_SERVER_NAME": SERVER,
            "SCRIBE_MATRIX_AS_TOKEN": AS_TOKEN,
            "SCRIBE_MATRIX_HS_TOKEN": HS_TOKEN,
            "SCRIBE_MATRIX_SENDER_LOCALPART": LOCALPART,
            "SCRIBE_MATRIX_API_TIMEOUT": "3s",
            # A job cut by SIGKILL is taken over this soon after the restart (jobs.lease).
            "SCRIBE_JOBS_LEASE": "5s",
            "SCRIBE_POSTMORTEM_QUESTIONS": QUESTIONS_YAML,
            "SCRIBE_LOG_LEVEL": "debug",
        })
        return env

    def start(self, what: str) -> bool:
        if self.port is None:
            self.port = free_port()
        if self.scribe is None:
            self.scribe = Scribe(self.binary, self.work, self.env())
        ok, why = self.scribe.start()
        if not R.check(f"scribe serve starts ({what})", ok,
                       f"{why}; its log:\n{last_lines(self.scribe.log_since_start(), 20)}"):
            return False
        R.check(f"scribe serve listens where SCRIBE_SERVER_LISTEN says ({what})",
                self.scribe.port == self.port, (self.scribe.port, self.port))
        self.fake.set_appservice_url(self.scribe.url())
        return True

    # ---- helpers ---------------------------------------------------------------------------

    def say(self, sender: str, text: str, msgtype: str = "m.text", extra: dict | None = None,
            room: str = ROOM) -> dict:
        content = {"msgtype": msgtype, "body": text}
        content.update(extra or {})
        return self.fake.send_event(room, sender, "m.room.message", content)

    def react(self, sender: str, target: dict, key: str) -> dict:
        return self.fake.send_event(ROOM, sender, "m.reaction", {"m.relates_to": {
            "rel_type": "m.annotation", "event_id": target["event_id"], "key": key}})

    def redact(self, sender: str, target: dict) -> dict:
        # Room version 11 (the fake's default): `redacts` in content.
        return self.fake.send_event(ROOM, sender, "m.room.redaction",
                                    {"redacts": target["event_id"], "reason": "e2e"})

    def bot_events(self, type_: str | None = None, room: str = ROOM) -> list[dict]:
        return [e for e in self.fake.sent_by_bot(room, type_) if e["type"] != "m.room.member"]

    def bot_messages(self, room: str = ROOM) -> list[dict]:
        return self.bot_events("m.room.message", room)

    def replies_to(self, event_id: str) -> list[dict]:
        return [e for e in self.bot_messages() if reply_target(e) == event_id]

    def confirmations(self, target: dict) -> list[dict]:
        return [e for e in self.bot_events("m.reaction")
                if relates(e).get("event_id") == target["event_id"]
                and relates(e).get("key") in (CONFIRM, CONFIRM + "\uFE0F")]

    def redactions_of(self, event_id: str) -> list[dict]:
        return [e for e in self.bot_events("m.room.redaction")
                if content_of(e).get("redacts") == event_id or e.get("redacts") == event_id]

    def entries_of(self, event: dict) -> list[dict]:
        return [e for e in self.db.all_entries()
                if (e.get("message_ref") or "").endswith(event["event_id"])]

    def incident_row(self) -> dict | None:
        found = self.db.rows("SELECT * FROM incidents WHERE id = ?", (self.incident["id"],))
        return found[0] if found else None

    def answers_of(self, event: dict) -> list[dict]:
        if not self.incident:
            return []
        return [a for a in self.db.answers(self.incident["id"])
                if (a.get("answer_ref") or "").endswith(event["event_id"])]

    def drafts_posted(self) -> list[dict]:
        return [e for e in self.bot_messages() if "# Postmortem draft: INC-1" in body(e)]

    def recent(self) -> str:
        calls = [(c["http_method"], c["path"], c["status"]) for c in self.fake.calls()[-5:]]
        txns = [(t["txn_id"], t["acked"], [a["status"] for a in t["attempts"]][-3:])
                for t in self.fake.transactions()[-3:]]
        return (f"Scribe sent {short(self.bot_events())}; last C-S calls {calls}; last "
                f"transactions {txns}; Scribe's log:\n"
                f"{last_lines(self.scribe.log_since_start(), 8) if self.scribe else ''}")

    def command(self, sender: str, text: str, what: str, expect: str | None = None) -> tuple[dict, dict | None]:
        """A human's command; checks Scribe's reply: one m.notice in reply to it."""
        ev = self.say(sender, text)
        self.commands[ev["event_id"]] = text
        got = poll(lambda: self.replies_to(ev["event_id"]), POLL)
        if not R.check(f"{what}: Scribe replies (m.relates_to.m.in_reply_to.event_id = the command's "
                       "event id)", got, self.recent()):
            return ev, None
        reply = got[0]
        R.check(f"{what}: the reply is an m.notice with body, format {HTML} and formatted_body",
                not notice_problems(reply), (notice_problems(reply), content_of(reply)))
        if expect is not None:
            R.check(f"{what}: the reply says '{expect}'", expect in body(reply), body(reply))
        return ev, reply

    def sends_idle(self) -> bool:
        return bool(poll(lambda: all(c["outcome"] != "pending" for c in self.fake.calls())
                         and self.fake.hanging == 0, POLL))

    def state(self) -> dict:
        """What a duplicate delivery must not change."""
        return {
            "incidents": [(i["id"], i["status"], i["severity"], i["title"]) for i in self.db.incidents()],
            "entries": [(e["id"], e["text"], e["source"]) for e in self.db.all_entries()],
            # In an order of their own: PostgreSQL returns rows in no fixed order otherwise.
            "answers": [(a["id"], a["text"])
                        for a in self.db.rows("SELECT * FROM postmortem_answers ORDER BY id")],
            "drafts": [(d["incident_id"], d["version"]) for d in
                       self.db.rows("SELECT * FROM postmortem_drafts ORDER BY incident_id, version")],
            "scribe_sent": [e["event_id"] for e in self.bot_events()],
        }

    def db_mentions(self, needle: str) -> bool:
        """Whether any row of any table holds `needle` (in any column)."""
        for table in self.db.tables():
            for row in self.db.rows(f'SELECT * FROM "{table}"'):
                if any(isinstance(v, str) and needle in v for v in row.values()):
                    return True
        return False

    def transaction_with(self, event: dict) -> dict | None:
        return next((t for t in self.fake.transactions()
                     if any(e["event_id"] == event["event_id"] for e in t["events"])), None)

    # ---- 1. routes -------------------------------------------------------------------------

    def as_call(self, method: str, path: str, payload=None, token: str | None = HS_TOKEN,
                query_token: str | None = None) -> tuple[int, dict, object, bytes]:
        headers = {}
        if token is not None:
            headers["Authorization"] = "Bearer " + token
        data = None
        if payload is not None:
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        if query_token is not None:
            path += ("&" if "?" in path else "?") + "access_token=" + urllib.parse.quote(query_token, safe="")
        status, answer_headers, raw = http_request(self.scribe.url(), method, path, data, headers)
        try:
            parsed = json.loads(raw.decode("utf-8")) if raw else None
        except (ValueError, UnicodeDecodeError):
            parsed = None
        return status, answer_headers, parsed, raw

    def g_routes(self) -> None:
        wrong = "wrong-" + secrets.token_hex(8)
        users = "/_matrix/app/v1/users/"
        cases = [
            # (what, method, path, body, header token, query token, status, errcode or None: {})
            ("PUT /_matrix/app/v1/transactions/{txnId} with Authorization: Bearer <hs_token>",
             "PUT", TXN + "e2e-direct-1", NO_EVENTS, HS_TOKEN, None, 200, None),
            ("PUT the legacy /transactions/{txnId}", "PUT", "/transactions/e2e-direct-2", NO_EVENTS,
             HS_TOKEN, None, 200, None),
            ("PUT transactions with ?access_token=<hs_token> only", "PUT", TXN + "e2e-direct-3",
             NO_EVENTS, None, HS_TOKEN, 200, None),
            ("PUT transactions with the header and the query, both the hs_token", "PUT",
             TXN + "e2e-direct-4", NO_EVENTS, HS_TOKEN, HS_TOKEN, 200, None),
            ("PUT the legacy path with ?access_token=<hs_token>", "PUT", "/transactions/e2e-direct-5",
             NO_EVENTS, None, HS_TOKEN, 200, None),
            ("PUT transactions without a token", "PUT", TXN + "e2e-direct-6", NO_EVENTS, None, None,
             401, "M_MISSING_TOKEN"),
            ("PUT transactions with a wrong Bearer token", "PUT", TXN + "e2e-direct-7", NO_EVENTS,
             wrong, None, 403, "M_FORBIDDEN"),
            ("PUT transactions with a wrong ?access_token=", "PUT", TXN + "e2e-direct-8", NO_EVENTS,
             None, wrong, 403, "M_FORBIDDEN"),
            ("PUT transactions: the header right, the query wrong (both must match)", "PUT",
             TXN + "e2e-direct-9", NO_EVENTS, HS_TOKEN, wrong, 403, "M_FORBIDDEN"),
            ("PUT transactions with the as_token instead of the hs_token", "PUT",
             TXN + "e2e-direct-10", NO_EVENTS, AS_TOKEN, None, 403, "M_FORBIDDEN"),
            ("PUT the legacy path without a token", "PUT", "/transactions/e2e-direct-11", NO_EVENTS,
             None, None, 401, "M_MISSING_TOKEN"),
            ("PUT transactions with a body that is not JSON", "PUT", TXN + "e2e-direct-12",
             b"this is not json", HS_TOKEN, None, 400, "M_NOT_JSON"),
            ("GET users/@scribe:localhost (percent-encoded, as Synapse sends it)", "GET",
             users + urllib.parse.quote(BOT, safe=""), None, HS_TOKEN, None, 200, None),
            ("GET users/@scribe:localhost (unencoded)", "GET", users + BOT, None, HS_TOKEN, None,
             200, None),
            ("GET users/@scribe:localhost with ?access_token=", "GET",
             users + urllib.parse.quote(BOT, safe=""), None, None, HS_TOKEN, 200, None),
            ("GET users/ of another local user", "GET", users + urllib.parse.quote(ALICE, safe=""),
             None, HS_TOKEN, None, 404, "M_NOT_FOUND"),
            ("GET users/ of the bot's localpart on another server", "GET",
             users + urllib.parse.quote("@scribe:elsewhere.example", safe=""), None, HS_TOKEN, None,
             404, "M_NOT_FOUND"),
            ("GET users/ without a token", "GET", users + urllib.parse.quote(BOT, safe=""), None,
             None, None, 401, "M_MISSING_TOKEN"),
            ("GET users/ with a wrong token", "GET", users + urllib.parse.quote(BOT, safe=""), None,
             wrong, None, 403, "M_FORBIDDEN"),
            ("GET rooms/#ops:localhost (Scribe creates no rooms)", "GET",
             "/_matrix/app/v1/rooms/" + urllib.parse.quote(ROOM_ALIAS, safe=""), None, HS_TOKEN,
             None, 404, "M_NOT_FOUND"),
            ("GET rooms/ with a wrong token", "GET",
             "/_matrix/app/v1/rooms/" + urllib.parse.quote(ROOM_ALIAS, safe=""), None, wrong, None,
             403, "M_FORBIDDEN"),
            ("POST /_matrix/app/v1/ping {transaction_id}", "POST", "/_matrix/app/v1/ping",
             {"transaction_id": "mautrix-go_1683636478256400935_123"}, HS_TOKEN, None, 200, None),
            ("POST /_matrix/app/v1/ping {}", "POST", "/_matrix/app/v1/ping", {}, HS_TOKEN, None,
             200, None),
            ("POST ping without a token", "POST", "/_matrix/app/v1/ping", {}, None, None, 401,
             "M_MISSING_TOKEN"),
            ("POST ping with a wrong token", "POST", "/_matrix/app/v1/ping", {}, wrong, None, 403,
             "M_FORBIDDEN"),
            ("GET an unknown /_matrix/app/v1/ path", "GET", "/_matrix/app/v1/nothing-here", None,
             HS_TOKEN, None, 404, "M_UNRECOGNIZED"),
            ("PUT /_matrix/app/v2/transactions/1 (no such version)", "PUT",
             "/_matrix/app/v2/transactions/e2e-direct-13", NO_EVENTS, HS_TOKEN, None, 404,
             "M_UNRECOGNIZED"),
            ("GET /_matrix/client/v3/sync on Scribe (not a homeserver)", "GET",
             "/_matrix/client/v3/sync", None, HS_TOKEN, None, 404, "M_UNRECOGNIZED"),
            ("GET on the transactions route (a known path, another method)", "GET",
             TXN + "e2e-direct-14", None, HS_TOKEN, None, 405, "M_UNRECOGNIZED"),
        ]
        for what, method, path, payload, token, query_token, want, errcode in cases:
            try:
                status, headers, parsed, raw = self.as_call(method, path, payload, token, query_token)
            except OSError as e:
                R.fail(f"route: {what}: answered", repr(e))
                continue
            got = f"{status} {raw[:200]!r}"
            if errcode is None:
                R.check(f"route: {what} -> {want} {{}}", status == want and parsed == {}, got)
            else:
                R.check(f"route: {what} -> {want} {errcode}",
                        status == want and isinstance(parsed, dict) and parsed.get("errcode") == errcode
                        and isinstance(parsed.get("error"), str), got)
            media = headers.get("content-type", "").split(";")[0].strip().lower()
            R.check(f"route: {what}: Content-Type application/json", media == "application/json",
                    headers.get("content-type"))

        # The homeserver's side of a ping (PROTOCOLS.md 7): the C-S call makes the fake call
        # Scribe's /_matrix/app/v1/ping with the hs_token.
        status, _, raw = http_request(self.fake.url, "POST", "/_matrix/client/v1/appservice/scribe/ping",
                                      json.dumps({"transaction_id": "e2e-ping-1"}).encode(),
                                      {"Authorization": "Bearer " + AS_TOKEN,
                                       "Content-Type": "application/json"})
        try:
            answer = json.loads(raw)
        except ValueError:
            answer = None
        R.check("ping through the homeserver: 200 {duration_ms} (Scribe answered the fake's "
                "POST /_matrix/app/v1/ping with 200 {})",
                status == 200 and isinstance(answer, dict) and isinstance(answer.get("duration_ms"), int),
                (status, raw[:300]))
        pings = self.fake.pings()
        R.check("ping through the homeserver: the fake's record has Scribe's 200 {} for "
                "transaction_id e2e-ping-1",
                pings and pings[-1]["transaction_id"] == "e2e-ping-1" and pings[-1]["status"] == 200
                and pings[-1]["body"] == {}, pings[-1:])
        # With a wrong hs_token the homeserver's ping fails: Scribe refused it (403 M_FORBIDDEN,
        # checked by the fake) and the client gets 502 M_BAD_STATUS.
        self.fake.set_delivery(token=wrong)
        try:
            status, _, raw = http_request(self.fake.url, "POST",
                                          "/_matrix/client/v1/appservice/scribe/ping", b"{}",
                                          {"Authorization": "Bearer " + AS_TOKEN,
                                           "Content-Type": "application/json"})
        finally:
            self.fake.set_delivery(token=None)
        pings = self.fake.pings()
        R.check("ping through the homeserver with a wrong hs_token: Scribe answers 403 M_FORBIDDEN, "
                "the client 502 M_BAD_STATUS",
                status == 502 and pings and pings[-1]["status"] == 403
                and (pings[-1]["body"] or {}).get("errcode") == "M_FORBIDDEN", (status, raw[:200], pings[-1:]))

    # ---- 2. invites ------------------------------------------------------------------------

    def g_invite(self) -> None:
        self.fake.create_room(ROOM, members=MEMBERS, aliases=[ROOM_ALIAS], join_rule="invite")
        self.fake.create_room(ROOM_OTHER, members={ALICE: "Alice"}, join_rule="invite")
        self.fake.invite(ROOM_OTHER, OUTSIDER, ALICE)
        self.fake.invite(ROOM, BOT, ALICE)
        joined = poll(lambda: BOT in self.fake.members(ROOM), POLL)
        self.joined = bool(R.check("invite: Scribe joins the room it is invited to", joined,
                                   self.recent()))
        joins = [c for c in self.fake.calls("join") if ROOM in c["params"].values()]
        R.check("invite: by POST /join, answered 200", joins and joins[0]["http_method"] == "POST"
                and joins[0]["status"] == 200, [(c["path"], c["status"]) for c in joins])
        time.sleep(0.3)
        R.check("invite: an invite for someone else makes Scribe join nothing",
                BOT not in self.fake.members(ROOM_OTHER)
                and not [c for c in self.fake.calls("join") if ROOM_OTHER in c["params"].values()],
                [c["path"] for c in self.fake.calls("join")])
        R.check("invite: Scribe joins once", len(joins) == 1, len(joins))

    def enter_room(self) -> None:
        """Scribe in ROOM, for a scenario about something else (invite checks the invites)."""
        self.fake.create_room(ROOM, members=MEMBERS, aliases=[ROOM_ALIAS], join_rule="invite")
        self.fake.invite(ROOM, BOT, ALICE)
        self.joined = bool(R.check("set-up: Scribe joins the room it is invited to",
                                   poll(lambda: BOT in self.fake.members(ROOM), POLL), self.recent()))

    def open_incident(self) -> None:
        """INC-1 in ROOM, for a scenario about something else (commands checks the open)."""
        if not self.joined:
            R.fail("set-up: skipped, Scribe is not in the room")
            return
        ev = self.say(ALICE, "!incident open Checkout returns 502")
        self.open_event = ev
        self.commands[ev["event_id"]] = "open"
        R.check("set-up: '!incident open' is answered", poll(lambda: self.replies_to(ev["event_id"]),
                                                             POLL), self.recent())
        self.incident = poll(lambda: self.db.incident(ROOM), POLL)
        R.check("set-up: INC-1 is in the database", self.incident, self.db.incidents())

    def add_note(self) -> None:
        """A note whose transaction is redelivered later."""
        if self.incident:
            self.note_event, _ = self.command(BOB, "!incident note first 502s at 14:02", "set-up: note")

    # ---- 3. commands ----------------------------------------------------------------------

    def g_commands(self) -> None:
        if not self.joined:
            R.fail("commands: skipped, Scribe is not in the room")
            return
        # open, and what "answer 200 after storing" means: once the fake has Scribe's 200 for the
        # transaction, the event is in the database.
        ev = self.say(ALICE, "!incident open Checkout returns 502")
        self.open_event = ev
        self.commands[ev["event_id"]] = "open"
        acked = self.fake.deliver(POLL)
        R.check("open: the transaction is acknowledged 200 {}", acked, self.recent())
        R.check("open: when Scribe has answered 200, the event is stored (in the database)",
                acked and (self.db_mentions(ev["event_id"]) or self.db.incident(ROOM)))
        got = poll(lambda: self.replies_to(ev["event_id"]), POLL)
        if R.check("open: Scribe replies (m.relates_to.m.in_reply_to.event_id = the command's event id)",
                   got, self.recent()):
            R.check("open: the reply is an m.notice with body, format and formatted_body",
                    not notice_problems(got[0]), content_of(got[0]))
            R.check("open: the reply says 'INC-1 opened'", "INC-1 opened" in body(got[0]), body(got[0]))
        inc = poll(lambda: self.db.incident(ROOM), POLL)
        self.incident = inc
        if R.check("open: the incident is in the database (channel = the room ID)", inc,
                   self.db.incidents()):
            want = {"platform": "matrix", "workspace": SERVER, "channel": ROOM, "number": 1,
                    "title": "Checkout returns 502", "status": "open", "opened_by_id": ALICE}
            wrong = {k: (inc.get(k), v) for k, v in want.items() if inc.get(k) != v}
            R.check("open: the incident's fields (platform 'matrix', workspace = the server name, "
                    "number 1, title, opener)", not wrong, wrong)

        # Not commands: no reply.
        for sender, text, why, msgtype in [
                (BOB, "hello team, looking at the dashboards", "a plain message", "m.text"),
                (BOB, "!incidentally, this is not a command", "a word that only starts with the prefix",
                 "m.text"),
                (DEPLOYBOT, "!incident status", "another bot's m.notice (bots never answer notices)",
                 "m.notice"),
                (BOT, "!incident note written by Scribe's own user", "a message from Scribe's own user",
                 "m.text")]:
            e = self.say(sender, text, msgtype)
            self.quiet[e["event_id"]] = why

        ev, _ = self.command(BOB, "!incident note first 502s at 14:02", "note")
        self.note_event = ev
        rows = poll(lambda: [e for e in self.db.all_entries() if e["text"] == "first 502s at 14:02"], POLL)
        R.check("note: a 'command' entry by the sender",
                rows and rows[0]["source"] == "command" and rows[0]["author_id"] == BOB, rows)
        R.check("note: at the time the message was written (origin_server_ts)",
                rows and rows[0]["occurred_at"] == ev["origin_server_ts"] * 1000, rows)
        self.command(CAROL, "!incident status", "status", expect="INC-1")

        # sev, delivered on the legacy path with ?access_token= (a homeserver before v1.4).
        self.fake.deliver(POLL)
        self.fake.set_delivery(legacy_path=True, auth="query")
        try:
            ev, _ = self.command(ALICE, "!incident sev 2", "sev (legacy path, ?access_token=)")
        finally:
            self.fake.deliver(POLL)
            self.fake.set_delivery(legacy_path=False, auth="header")
        txn = self.transaction_with(ev)
        attempt = txn["attempts"][-1] if txn and txn["attempts"] else {}
        R.check("sev: its transaction went to /transactions/{txnId} with ?access_token= and got 200 {}",
                attempt.get("path", "").startswith("/transactions/") and attempt.get("auth") == "query"
                and attempt.get("status") == 200 and attempt.get("body") == {}, attempt)
        R.check("sev: severity 2 in the database",
                poll(lambda: (self.db.incident(ROOM) or {}).get("severity") == 2, POLL),
                self.db.incident(ROOM))

        # A command sent as a rich reply by an older client: the fallback quote is not the command.
        quoted = self.say(DAN, "> <@bob:localhost> first 502s at 14:02\n\n!incident note LB errors match",
                          extra={"m.relates_to": {"m.in_reply_to": {"event_id": self.note_event["event_id"]}}})
        self.commands[quoted["event_id"]] = "note as a reply"
        R.check("a command in a reply with a fallback quote is answered",
                poll(lambda: self.replies_to(quoted["event_id"]), POLL), self.recent())
        R.check("... and its note is the text after the fallback",
                poll(lambda: [e for e in self.db.all_entries() if e["text"] == "LB errors match"], POLL),
                [e["text"] for e in self.db.all_entries()])

        # Several commands in one transaction: each is handled, once.
        self.fake.auto_deliver = False
        try:
            burst = [self.say(who, f"!incident note burst {i} from {who}")
                     for i, who in enumerate((ERIN, FRANK, CAROL))]
            for e in burst:
                self.commands[e["event_id"]] = "a note in a burst"
            self.fake.deliver(POLL)
        finally:
            self.fake.auto_deliver = True
        txns = {(self.transaction_with(e) or {}).get("txn_id") for e in burst}
        R.check("three commands in one transaction", len(txns) == 1 and None not in txns, txns)
        R.check("each command of the transaction is answered",
                poll(lambda: all(self.replies_to(e["event_id"]) for e in burst), POLL), self.recent())
        R.check("each note of the transaction is in the timeline once",
                poll(lambda: sorted(e["text"] for e in self.db.all_entries() if e["text"].startswith("burst "))
                     == sorted(f"burst {i} from {w}" for i, w in enumerate((ERIN, FRANK, CAROL))), POLL),
                [e["text"] for e in self.db.all_entries()])

        time.sleep(0.3)
        for event_id, why in self.quiet.items():
            R.check(f"no reply to {why}", not self.replies_to(event_id),
                    [body(e) for e in self.replies_to(event_id)])
        R.check("Scribe's own user's '!incident note' adds nothing",
                not [e for e in self.db.all_entries() if "written by Scribe's own user" in e["text"]])

    # ---- 4. flags -------------------------------------------------------------------------

    def check_flag(self, what: str, message: dict, author: str, text: str, source: str) -> dict | None:
        rows = poll(lambda: self.entries_of(message), POLL)
        if not R.check(f"{what}: a timeline entry for the message", rows, self.recent()):
            return None
        entry = rows[0]
        want = {"text": text, "author_id": author, "source": source,
                "occurred_at": message["origin_server_ts"] * 1000,
                "incident_id": self.incident["id"]}
        wrong = {k: (entry.get(k), v) for k, v in want.items() if entry.get(k) != v}
        R.check(f"{what}: the entry's text, author (the sender), source '{source}' and time "
                "(origin_server_ts, to the millisecond)", not wrong, wrong)
        R.check(f"{what}: one entry for the message", len(rows) == 1, rows)
        return entry

    def g_flags(self) -> None:
        if not self.incident:
            R.fail("flags: skipped, no incident")
            return
        m1 = self.say(CAROL, "502 rate at 12% on checkout")
        r1 = self.react(BOB, m1, FLAG)
        self.check_flag("📌 on Carol's message", m1, CAROL, "502 rate at 12% on checkout", "reaction")
        mine = poll(lambda: self.confirmations(m1), POLL)
        R.check("📌: Scribe reacts 📝 on the flagged message (an m.reaction it sends)", mine,
                short(self.bot_events()))

        m2 = self.say(DAN, "disk at 91% on db-2")
        self.react(ALICE, m2, FLAG_VS16)
        self.check_flag("📌+U+FE0F on Dan's message", m2, DAN, "disk at 91% on db-2", "reaction")
        R.check("📌+U+FE0F: Scribe reacts 📝", poll(lambda: self.confirmations(m2), POLL))

        m3 = self.say(ERIN, "coffee, anyone?")
        self.react(BOB, m3, "\U0001F44D")

        # Taking the flag back: the reaction is redacted.
        self.redact(BOB, r1)
        gone = poll(lambda: not self.entries_of(m1), POLL)
        R.check("redacting the 📌 reaction removes the entry", gone, self.entries_of(m1))
        if mine:
            undone = poll(lambda: self.redactions_of(mine[0]["event_id"]), POLL)
            R.check("redacting the 📌 reaction: Scribe redacts its 📝 reaction", undone,
                    short(self.bot_events()))

        # An edit by the author: the entry follows. One by someone else: ignored.
        self.say(DAN, "* disk at 97% on db-2", extra={
            "m.new_content": {"msgtype": "m.text", "body": "disk at 97% on db-2"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": m2["event_id"]}})
        R.check("an edit (m.replace + m.new_content) of a flagged message: the entry's text follows",
                poll(lambda: [e for e in self.entries_of(m2) if e["text"] == "disk at 97% on db-2"], POLL),
                self.entries_of(m2))
        self.say(ERIN, "* disk is fine", extra={
            "m.new_content": {"msgtype": "m.text", "body": "disk is fine"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": m2["event_id"]}})
        other = self.say(ERIN, "page the storage team", extra={"m.mentions": {"user_ids": [ALICE]}})

        # A deleted message: the entry goes.
        m4 = self.say(ERIN, "rolled back deploy 4812")
        self.react(FRANK, m4, FLAG)
        self.check_flag("📌 on Erin's message", m4, ERIN, "rolled back deploy 4812", "reaction")
        self.redact(ERIN, m4)
        R.check("redacting a flagged message removes the entry", poll(lambda: not self.entries_of(m4), POLL),
                self.entries_of(m4))

        # A flagged reply with an older client's fallback quote: the entry has the reply's own text.
        m8 = self.say(DAN, "> <@carol:localhost> 502 rate at 12% on checkout\n\nthat matches the LB errors",
                      extra={"m.relates_to": {"m.in_reply_to": {"event_id": m1["event_id"]}}})
        self.react(ALICE, m8, FLAG)
        self.check_flag("📌 on a reply with a fallback quote", m8, DAN, "that matches the LB errors",
                        "reaction")

        # Two people flag one message: the entry stays until the last flag is taken back.
        m6 = self.say(CAROL, "p99 latency 4 s on payments")
        ra = self.react(ALICE, m6, FLAG)
        entry = self.check_flag("📌 by Alice and Bob on one message", m6, CAROL,
                                "p99 latency 4 s on payments", "reaction")
        mine6 = poll(lambda: self.confirmations(m6), POLL)
        rb = self.react(BOB, m6, FLAG_VS16)
        flags = (lambda: self.db.rows("SELECT * FROM entry_flags WHERE entry_id = ?",
                                      (entry["id"],)) if entry else [])
        R.check("the second 📌 on a flagged message is recorded as a second flag",
                poll(lambda: len(flags()) == 2, POLL), flags())
        self.redact(BOB, rb)
        R.check("one of two flags taken back: one flag left", poll(lambda: len(flags()) == 1, POLL), flags())
        time.sleep(0.3)
        R.check("one of two flags taken back: the entry stays", len(self.entries_of(m6)) == 1,
                self.entries_of(m6))
        R.check("one of two flags taken back: Scribe's 📝 stays (one, not redacted)",
                len(self.confirmations(m6)) == 1 and not (mine6 and self.redactions_of(mine6[0]["event_id"])),
                short(self.confirmations(m6)))
        self.redact(ALICE, ra)
        R.check("the last flag taken back: the entry goes", poll(lambda: not self.entries_of(m6), POLL),
                self.entries_of(m6))
        if mine6:
            R.check("the last flag taken back: Scribe redacts its 📝",
                    poll(lambda: self.redactions_of(mine6[0]["event_id"]), POLL), short(self.bot_events()))
        # Scribe's own user reacting 📌 (another device of the bot, or an echo) flags nothing.
        m7 = self.say(DAN, "restarting the payments workers")
        self.react(BOT, m7, FLAG)

        # A mention of the bot (m.mentions.user_ids).
        m5 = self.say(FRANK, "Scribe: db failover started on the primary",
                      extra={"m.mentions": {"user_ids": [BOT]}})
        rows = poll(lambda: self.entries_of(m5), POLL)
        if R.check("a message that mentions @scribe:localhost (m.mentions) is flagged", rows,
                   self.recent()):
            e = rows[0]
            R.check("the mention's entry: source 'mention', the sender, the time, the text",
                    e["source"] == "mention" and e["author_id"] == FRANK
                    and e["occurred_at"] == m5["origin_server_ts"] * 1000
                    and "db failover started on the primary" in e["text"], e)
        time.sleep(0.3)
        R.check("a stranger's edit of a flagged message changes nothing",
                [e["text"] for e in self.entries_of(m2)] == ["disk at 97% on db-2"], self.entries_of(m2))
        R.check("a 👍 reaction flags nothing", not self.entries_of(m3), self.entries_of(m3))
        R.check("a mention of someone else flags nothing", not self.entries_of(other),
                self.entries_of(other))
        R.check("Scribe's own user's 📌 flags nothing", not self.entries_of(m7), self.entries_of(m7))
        reacted = [relates(e).get("event_id") for e in self.bot_events("m.reaction") if not redacted(e)]
        R.check("Scribe reacts to nothing but flagged messages, each once",
                set(reacted) <= {m1["event_id"], m2["event_id"], m4["event_id"], m5["event_id"],
                                 m6["event_id"], m8["event_id"]} and len(reacted) == len(set(reacted)),
                short(self.bot_events("m.reaction")))

    # ---- 5. redelivery and restart --------------------------------------------------------

    def redeliveries(self, what: str, txn_ids: list[str]) -> None:
        self.sends_idle()
        before = self.state()
        for txn_id in txn_ids:
            for label, opts, want, errcode in [
                    ("the same txnId again", {}, 200, None),
                    ("again on the legacy path", {"legacy_path": True}, 200, None),
                    ("again with ?access_token=", {"auth": "query"}, 200, None),
                    ("again with a wrong token", {"token": "wrong-" + secrets.token_hex(4)}, 403,
                     "M_FORBIDDEN"),
                    ("again without a token", {"auth": "none"}, 401, "M_MISSING_TOKEN")]:
                try:
                    rec = self.fake.redeliver(txn_id, **opts)
                except KeyError as e:
                    R.fail(f"{what}: transaction {txn_id} exists", repr(e))
                    break
                if errcode is None:
                    R.check(f"{what}: transaction {txn_id} {label} -> 200 {{}}",
                            rec["status"] == want and rec["body"] == {}, rec)
                else:
                    R.check(f"{what}: transaction {txn_id} {label} -> {want} {errcode}",
                            rec["status"] == want and (rec["body"] or {}).get("errcode") == errcode, rec)
        time.sleep(1.0)
        after = self.state()
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        R.check(f"{what}: redelivered transactions change nothing (database, Scribe's messages)",
                not changed, changed)

    def g_redelivery_and_restart(self) -> bool:
        txns = [t["txn_id"] for t in (self.transaction_with(e) for e in (self.open_event, self.note_event)
                                      if e) if t]
        if self.incident and R.check("redelivery: the transactions of 'open' and 'note' are known",
                                     len(txns) == 2, txns):
            self.redeliveries("before a restart", txns)
        self.sends_idle()
        rc, _ = self.scribe.terminate()
        R.check(f"SIGTERM exits 0 before the restart (got {rc})", rc == 0)
        # Pushed while Scribe is down: the fake retries the transaction until Scribe is back.
        down = self.say(ERIN, "!incident note written while Scribe restarts")
        self.commands[down["event_id"]] = "note while down"
        time.sleep(0.3)
        if not self.start("restart on the same database"):
            return False
        if self.incident:
            got = poll(lambda: self.replies_to(down["event_id"]), POLL)
            R.check("a command pushed while Scribe was down is answered after the restart", got,
                    self.recent())
            rows = poll(lambda: [e for e in self.db.all_entries()
                                 if e["text"] == "written while Scribe restarts"], POLL)
            R.check("... and its note is in the timeline once", rows and len(rows) == 1, rows)
            R.check("... at the time it was written, not when Scribe was back",
                    rows and rows[0]["occurred_at"] == down["origin_server_ts"] * 1000, rows)
            txn = self.transaction_with(down)
            if txn:
                txns.append(txn["txn_id"])
            self.sends_idle()
            self.redeliveries("after the restart", txns)
            # SIGKILL right after the transaction was acknowledged, before or while it is handled:
            # the stored transaction is handled after the restart, once, and every transaction
            # delivered again after the crash still changes nothing.
            crash = self.say(ERIN, "!incident note written just before a crash")
            self.commands[crash["event_id"]] = "note before a crash"
            R.check("crash: the transaction is acknowledged", self.fake.deliver(POLL))
            self.scribe.kill()
            if not self.start("restart after SIGKILL"):
                return False
            rows = poll(lambda: [e for e in self.db.all_entries()
                                 if e["text"] == "written just before a crash"], POLL)
            R.check("crash: the note acknowledged before SIGKILL is in the timeline once",
                    rows and len(rows) == 1, rows)
            R.check("crash: its reply is sent", poll(lambda: self.replies_to(crash["event_id"]),
                                                     POLL), self.recent())
            txn = self.transaction_with(crash)
            if txn:
                txns.append(txn["txn_id"])
            self.sends_idle()
            self.redeliveries("after SIGKILL", txns)
        return True

    # ---- 6. close and postmortem ------------------------------------------------------------

    def g_close(self) -> None:
        if not self.incident:
            R.fail("close: skipped, no incident")
            return
        close, reply = self.command(ALICE, "!incident close rolled back", "close",
                                    expect="INC-1 closed")
        R.check("close: the reply states the close only (the introduction explains the review)",
                reply is not None and "\n" not in body(reply).strip()
                and "question" not in body(reply), body(reply) if reply else None)
        inc = poll(lambda: (lambda i: i if i and i["status"] == "closed" else None)(self.incident_row()),
                   POLL) or self.incident_row()
        R.check("close: the incident is closed with its summary",
                inc and inc["summary"] == "rolled back" and inc["closed_by_id"] == ALICE, inc)
        rows = poll(lambda: (lambda q: q if len(q) == len(QUESTIONS) and all(r["message_ref"] for r in q)
                             else None)(self.db.questions(self.incident["id"])), 15)
        if not R.check("close: both questions are asked (postmortem_questions.message_ref set)", rows,
                       (self.db.questions(self.incident["id"]), self.recent())):
            return
        R.check("the questions in order", [(r["question_id"], r["text"]) for r in rows] == QUESTIONS,
                rows)
        by_id = {e["event_id"]: e for e in self.bot_messages()}
        for row in rows:
            room, _, event_id = row["message_ref"].partition("/")
            ev = by_id.get(event_id)
            if not R.check(f"question '{row['question_id']}': message_ref = '<room id>/<event id>' of "
                           "a message Scribe sent in the room", room == ROOM and ev, row["message_ref"]):
                continue
            self.questions[row["question_id"]] = ev
            R.check(f"question '{row['question_id']}': an m.notice with HTML", not notice_problems(ev),
                    content_of(ev))
            R.check(f"question '{row['question_id']}': its text is in the body", row["text"] in body(ev),
                    body(ev))
            R.check(f"question '{row['question_id']}': a top-level message (a thread root, not a "
                    "reply)", not relates(ev), relates(ev))
        timeline = [e["event_id"] for e in self.fake.timeline(ROOM)]
        after = timeline.index(close["event_id"]) if close["event_id"] in timeline else 0
        question_ids = {e["event_id"] for e in self.questions.values()}
        intro = [e for e in self.bot_messages() if timeline.index(e["event_id"]) > after
                 and not reply_target(e) and not relates(e) and e["event_id"] not in question_ids]
        if R.check("close: one introduction before the questions", len(intro) == 1, short(intro)):
            self.intro = intro[0]
            R.check("the introduction: an m.notice with HTML naming INC-1",
                    not notice_problems(intro[0]) and "INC-1" in body(intro[0]), content_of(intro[0]))
            R.check("the introduction names the draft command as Matrix users type it",
                    "!incident draft" in body(intro[0]), body(intro[0]))
            R.check("the introduction comes before the questions",
                    all(timeline.index(intro[0]["event_id"]) < timeline.index(q) for q in question_ids))

    def g_answers(self) -> None:
        if len(self.questions) != len(QUESTIONS):
            R.fail("answers: skipped, the questions were not posted")
            return
        inc_id = self.incident["id"]
        impact = "Checkout returned 502 for 38 minutes."
        a1 = self.say(ALICE, impact, extra=thread(self.questions["impact"]["event_id"]))
        rows = poll(lambda: self.answers_of(a1), POLL)
        if R.check("a reply in a question's thread (m.thread) is stored as an answer", rows,
                   self.recent()):
            want = {"question_id": "impact", "author_id": ALICE, "source": "thread", "text": impact,
                    "answered_at": a1["origin_server_ts"] * 1000}
            wrong = {k: (rows[0].get(k), v) for k, v in want.items() if rows[0].get(k) != v}
            R.check("the answer's question, author (the sender), source, text and time", not wrong, wrong)
        # The author edits the answer: it follows. Someone else's edit of it is ignored.
        impact = "Checkout returned 502 for 41 minutes."
        self.say(ALICE, "* " + impact, extra={
            "m.new_content": {"msgtype": "m.text", "body": impact},
            "m.relates_to": {"rel_type": "m.replace", "event_id": a1["event_id"]}})
        R.check("an edit of an answer by its author: the answer's text follows",
                poll(lambda: [a for a in self.answers_of(a1) if a["text"] == impact], POLL),
                self.answers_of(a1))
        self.say(BOB, "* NOT-AN-ANSWER a stranger's edit", extra={
            "m.new_content": {"msgtype": "m.text", "body": "NOT-AN-ANSWER a stranger's edit"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": a1["event_id"]}})
        # An answer whose message is deleted goes.
        # An answer that blames someone: one notice in the thread, replying to it, with a
        # rewrite that leaves the person out (postmortem.review_replies' default). Matrix has no
        # private message in a room, so the author is mentioned instead.
        blame = "Kevin ignored the alerts for two hours."
        a4 = self.say(BOB, blame, extra=thread(self.questions["impact"]["event_id"]))
        self.reviewed[a4["event_id"]] = blame
        reviews = poll(lambda: [e for e in self.bot_events("m.room.message")
                                if reply_target(e) == a4["event_id"]], POLL)
        if R.check("a blameful answer gets a reply about its wording", reviews, self.recent()):
            review = reviews[0]
            r = relates(review)
            R.check("the reply is in the question's thread and replies to the answer itself",
                    thread_root(review) == self.questions["impact"]["event_id"]
                    and r.get("is_falling_back") is False, r)
            R.check("the reply mentions the answer's author",
                    content_of(review).get("m.mentions") == {"user_ids": [BOB]},
                    content_of(review).get("m.mentions"))
            said = body(review)
            rewrite = said.split("Perhaps:", 1)[1] if "Perhaps:" in said else ""
            R.check("the reply quotes the sentence and offers a rewrite without the person",
                    blame in said and rewrite and "kevin" not in rewrite.lower(), said)
        R.check("the blameful answer is stored as written",
                [a["text"] for a in poll(lambda: self.answers_of(a4), POLL)] == [blame],
                self.answers_of(a4))
        a3 = self.say(CAROL, "NOT-AN-ANSWER, redacted a moment later",
                      extra=thread(self.questions["impact"]["event_id"]))
        R.check("a second person's answer to the same question is stored",
                poll(lambda: self.answers_of(a3), POLL), self.recent())
        self.redact(CAROL, a3)
        R.check("a redacted answer is removed", poll(lambda: not self.answers_of(a3), POLL),
                self.answers_of(a3))
        not_answers = []
        not_answers.append((self.say(DEPLOYBOT, "NOT-AN-ANSWER deploy 4813 finished", "m.notice",
                                     extra=thread(self.questions["actions"]["event_id"])),
                            "another bot's m.notice in a question's thread"))
        if self.intro:
            not_answers.append((self.say(BOB, "NOT-AN-ANSWER in the introduction's thread",
                                         extra=thread(self.intro["event_id"])),
                                "a reply in the introduction's thread"))
        not_answers.append((self.say(BOT, "NOT-AN-ANSWER from Scribe's own user",
                                     extra=thread(self.questions["actions"]["event_id"])),
                            "Scribe's own user in a question's thread"))
        not_answers.append((self.say(BOB, "NOT-AN-ANSWER a plain message"), "a plain message"))
        for ev, why in not_answers:
            self.quiet[ev["event_id"]] = why
        time.sleep(0.5)
        R.check("no draft while a question is unanswered",
                not self.db.drafts(inc_id) and not self.drafts_posted(), self.db.drafts(inc_id))

        actions = "Automate certificate renewal, owner @bob"
        a2 = self.say(BOB, actions, extra=thread(self.questions["actions"]["event_id"]))
        rows = poll(lambda: self.answers_of(a2), POLL)
        R.check("the second question's answer is stored",
                rows and rows[0]["question_id"] == "actions" and rows[0]["author_id"] == BOB, rows)
        for ev, why in not_answers:
            R.check(f"not an answer: {why}", not self.answers_of(ev), self.answers_of(ev))
        R.check("a stranger's edit of an answer changes nothing",
                [a["text"] for a in self.answers_of(a1)] == [impact], self.answers_of(a1))

        posted = poll(lambda: self.drafts_posted(), 15)
        if not R.check("every question answered: Scribe posts the draft", posted, self.recent()):
            return
        d = posted[0]
        R.check("the draft: m.notice, format org.matrix.custom.html", not notice_problems(d),
                notice_problems(d))
        R.check("the draft: body is the Markdown ('# Postmortem draft: INC-1')",
                body(d).startswith("# Postmortem draft: INC-1"), body(d)[:120])
        R.check("the draft: formatted_body is HTML ('<h1>Postmortem draft: INC-1')",
                "<h1>Postmortem draft: INC-1" in str(content_of(d).get("formatted_body")),
                str(content_of(d).get("formatted_body"))[:200])
        text = "\n".join(body(e) for e in posted)
        R.check("the draft has both answers and none of the non-answers",
                impact in text and actions in text and "NOT-AN-ANSWER" not in text, text[:600])
        R.check("the draft is a top-level message (not a reply)", not reply_target(d), relates(d))
        R.check("draft version 1 is stored",
                poll(lambda: [r["version"] for r in self.db.drafts(inc_id)] == [1], POLL),
                self.db.drafts(inc_id))
        time.sleep(1.0)
        R.check("the draft is posted once", len(self.drafts_posted()) == len(posted)
                and [r["version"] for r in self.db.drafts(inc_id)] == [1],
                (len(self.drafts_posted()), len(posted)))
        self.v1_parts = len(posted)

    def g_draft_command(self) -> None:
        if not getattr(self, "v1_parts", 0):
            R.fail("draft command: skipped, no first draft")
            return
        inc_id = self.incident["id"]
        R.check("draft command: no send in flight before scripting", self.sends_idle())
        calls_before = len(self.fake.calls("send"))
        # The second send from here (the reply or the draft) is stored, and its answer lost.
        self.fake.script("send", [{"kind": "ok"}, {"kind": "stored_then_500"}])
        self.command(CAROL, "!incident draft", "draft")
        rows = poll(lambda: [r for r in self.db.drafts(inc_id) if r["version"] == 2], POLL)
        R.check("!incident draft: version 2 is stored", rows, self.db.drafts(inc_id))
        posted = poll(lambda: (lambda d: d if len(d) >= 2 * self.v1_parts else None)(self.drafts_posted()), 15)
        if R.check("!incident draft: version 2 is posted", posted, self.recent()) and rows:
            v2 = posted[self.v1_parts:]
            first = rows[0]["markdown"].split("\n\n")[0]
            R.check("version 2's message is the stored Markdown (same title line) with HTML",
                    body(v2[0]).startswith(first) and not notice_problems(v2[0]),
                    (body(v2[0])[:100], first))
        settled = poll(lambda: self.fake.pending_script("send") == 0 and
                       all(c["outcome"] != "pending" for c in self.fake.calls("send")), 15)
        time.sleep(1.5)   # anything a retry would post twice is there by now
        calls = self.fake.calls("send")[calls_before:]
        lost = [c for c in calls if c["outcome"] == "stored_then_500"]
        if R.check("the scripted stored_then_500 was used", settled and len(lost) == 1,
                   [(c["path"], c["outcome"]) for c in calls]):
            lost_call = lost[0]
            event_id = ((lost_call.get("lost_answer") or {}).get("body") or {}).get("event_id")
            again = [c for c in calls if c["seq"] > lost_call["seq"] and c["raw_path"] == lost_call["raw_path"]]
            R.check("the retry reuses the txnId (the same PUT path) and gets the same event",
                    again and again[0]["status"] == 200 and again[0].get("retransmission")
                    and (again[0].get("response") or {}).get("event_id") == event_id,
                    [(c["raw_path"], c["status"], c.get("retransmission")) for c in again])
            same = [e for e in self.bot_events() if content_of(e) == lost_call["body"]]
            R.check("the room has that message once", len(same) == 1, short(same))
            other = [c for c in calls if c["seq"] > lost_call["seq"] and c["raw_path"] != lost_call["raw_path"]
                     and c["body"] == lost_call["body"]]
            R.check("the retry sent no copy under another txnId", not other,
                    [c["raw_path"] for c in other])
        R.check("versions 1 and 2 only", [r["version"] for r in self.db.drafts(inc_id)] == [1, 2],
                self.db.drafts(inc_id))

    # ---- 7. the whole record ---------------------------------------------------------------

    def g_final(self, sends: bool = True) -> None:
        """`sends`: the scenario makes Scribe send messages (else it must send none)."""
        mine = self.bot_events()
        by_id = {e["event_id"]: e for e in self.fake.timeline(ROOM)}
        # Exactly once, by txnId: every PUT path Scribe used made one event, and every event of
        # Scribe's in the room came from one path.
        made: dict[str, set] = {}
        for c in self.fake.calls():
            if c.get("endpoint") not in ("send", "redact"):
                continue
            event_id = None
            if c["status"] == 200 and isinstance(c.get("response"), dict):
                event_id = c["response"].get("event_id")
            elif c.get("outcome") == "stored_then_500":
                event_id = ((c.get("lost_answer") or {}).get("body") or {}).get("event_id")
            if event_id:
                made.setdefault(c["raw_path"], set()).add(event_id)
        R.check("every txnId Scribe used made exactly one event",
                all(len(v) == 1 for v in made.values()), {k: v for k, v in made.items() if len(v) != 1})
        from_paths = [next(iter(v)) for v in made.values()]
        R.check("every event Scribe sent came from one txnId, none twice",
                sorted(from_paths) == sorted(e["event_id"] for e in mine)
                and len(from_paths) == len(set(from_paths)),
                (len(from_paths), len(mine)))
        keys = [json.dumps([e["type"], content_of(e)], sort_keys=True, ensure_ascii=False)
                for e in mine if e["type"] != "m.room.redaction" and not redacted(e)]
        R.check("no message or reaction of Scribe's twice (by content)", len(keys) == len(set(keys)),
                [k[:120] for k in keys if keys.count(k) > 1][:4])
        messages = [e for e in mine if e["type"] == "m.room.message"]
        if sends:
            R.check("every message of Scribe's is an m.notice with body, format and formatted_body",
                    messages and all(not notice_problems(e) for e in messages),
                    [(body(e)[:60], notice_problems(e)) for e in messages if notice_problems(e)][:4])
        else:
            R.check("Scribe sent no message (nothing here asks for one)", not messages,
                    short(messages))
        # No loop: Scribe answers humans' commands only, each once.
        targets = [reply_target(e) for e in messages if reply_target(e)]
        R.check("Scribe replies only to humans' commands and blameful answers (never to its own "
                "or another bot's events)",
                all(t in self.commands or t in self.reviewed for t in targets),
                [(t, (by_id.get(t) or {}).get("sender"), body(by_id.get(t) or {})[:60])
                 for t in targets if t not in self.commands and t not in self.reviewed])
        R.check("each blameful answer got exactly one reply",
                all(targets.count(t) == 1 for t in self.reviewed),
                {self.reviewed[t]: targets.count(t) for t in self.reviewed if targets.count(t) != 1})
        R.check("each command got exactly one reply",
                all(targets.count(t) == 1 for t in self.commands),
                {self.commands[t]: targets.count(t) for t in self.commands if targets.count(t) != 1})
        R.check("nothing Scribe must not answer was answered",
                not [t for t in targets if t in self.quiet], [self.quiet[t] for t in targets if t in self.quiet])
        count = len(self.bot_events())
        time.sleep(1.0)
        R.check("Scribe has stopped sending (its own echoed events caused nothing)",
                len(self.bot_events()) == count, short(self.bot_events()[count:]))
        calls = [c for c in self.fake.calls() if c.get("endpoint") != "ping"]
        R.check("every C-S call carried the as_token in the Authorization header",
                (calls or not sends) and all(c.get("auth") == "header" for c in calls),
                [(c["path"], c.get("auth")) for c in calls if c.get("auth") != "header"][:4])
        R.check("no C-S call was refused (4xx)",
                not [c for c in calls if isinstance(c.get("status"), int) and 400 <= c["status"] < 500],
                [(c["path"], c["status"], c.get("response")) for c in calls
                 if isinstance(c.get("status"), int) and 400 <= c["status"] < 500][:4])
        txns = self.fake.transactions()[self.txn_start:]
        R.check("every transaction was acknowledged",
                all(t["acked"] for t in txns), [t["txn_id"] for t in txns if not t["acked"]])
        violations = self.fake.violations()
        R.check("the fake homeserver saw no spec violation (requests and answers)", not violations,
                json.dumps(violations[:5], ensure_ascii=False, indent=1)[:3000])

    def g_stop(self) -> None:
        rc, _ = self.scribe.terminate()
        R.check(f"SIGTERM exits 0 (got {rc})", rc == 0)
        log = self.scribe.log()
        R.check("the log never shows the as_token", AS_TOKEN not in log)
        R.check("the log never shows the hs_token", HS_TOKEN not in log)

    def run(self, *steps: Callable[[], bool | None], sends: bool = True) -> None:
        """Starts Scribe, runs `steps` (one that returns False ends the scenario: Scribe did not
        come back), checks the whole record, stops Scribe; whatever happens, Scribe is killed and
        the work folder and store go (finish_run)."""
        try:
            if not self.start("first start"):
                return
            for step in steps:
                try:
                    if step() is False:
                        return
                except Exception:
                    R.fail(f"{step.__name__} raised", traceback.format_exc())
                    if not (self.scribe.running() or self.start("after a failed step")):
                        return
            try:
                self.g_final(sends)
            except Exception:
                R.fail("g_final raised", traceback.format_exc())
            self.g_stop()
        finally:
            finish_run(R, self.scribe, None, self.work, "MATRIX_E2E_KEEP",
                       {"calls.json": self.fake.calls, "transactions.json": self.fake.transactions},
                       store=self.db)


# ---------------------------------------------------------------------------------------------
# The scenarios, each alone on a fresh Scribe and store
# ---------------------------------------------------------------------------------------------

def routes(binary: str, fake: FakeHomeserver) -> None:
    """The Application Service routes straight to Scribe (transactions and the legacy path, hs_token
    as a header or ?access_token=, user and room queries, ping, unknown routes and methods) and
    the homeserver's ping through the fake.

    Payloads: PROTOCOLS.md 7 (Application Service API) and the spec's application_service OpenAPI
    document the fake validates against."""
    run = MatrixRun(binary, fake)
    run.run(run.g_routes, sends=False)


def invite(binary: str, fake: FakeHomeserver) -> None:
    """An invite for @scribe:localhost makes Scribe join (POST /join, once); an invite for someone
    else does not.

    Payloads: PROTOCOLS.md 7 (m.room.member in a transaction) and 8 (POST /join)."""
    run = MatrixRun(binary, fake)
    run.run(run.g_invite, sends=False)


def commands(binary: str, fake: FakeHomeserver) -> None:
    """Commands: open (stored once acknowledged), note, status, sev on the legacy path with
    ?access_token=, a note as a rich reply with a fallback quote, three notes in one transaction;
    what is not a command gets no reply.

    Payloads: PROTOCOLS.md 7 (transactions) and 8 (m.notice with org.matrix.custom.html, rich
    replies), the spec's m.room.message$m.notice."""
    run = MatrixRun(binary, fake)
    run.run(run.enter_room, run.g_commands)


def flags(binary: str, fake: FakeHomeserver) -> None:
    """Flags: 📌 and 📌+U+FE0F, 📝 in answer, redactions of the flag and of the message, edits by
    the author and by a stranger, a reply with a fallback quote, two flaggers, a mention; what
    flags nothing.

    Payloads: PROTOCOLS.md 8 (m.annotation reactions, m.replace edits, room v11 redactions,
    m.mentions)."""
    run = MatrixRun(binary, fake)
    run.run(run.enter_room, run.open_incident, run.g_flags)


def restart(binary: str, fake: FakeHomeserver) -> None:
    """Redelivered transactions change nothing, before and after a SIGTERM restart (with an event
    pushed while Scribe was down) and after a SIGKILL right after an acknowledgement.

    Payloads: PROTOCOLS.md 7 (txnId idempotency, the homeserver's retries, the legacy path and
    ?access_token=)."""
    run = MatrixRun(binary, fake)
    run.run(run.enter_room, run.open_incident, run.add_note, run.g_redelivery_and_restart)


def postmortem(binary: str, fake: FakeHomeserver) -> None:
    """Close, the introduction and the questions (thread roots), answers in their threads (edits,
    redactions, what is not an answer), the draft once complete, and `!incident draft` whose lost
    answer (stored, then 500) is retried with the same txnId: the room holds it once.

    Payloads: PROTOCOLS.md 8 (m.thread relations, m.replace, redactions, idempotent sends by
    txnId)."""
    run = MatrixRun(binary, fake)
    run.run(run.enter_room, run.open_incident, run.g_close, run.g_answers, run.g_draft_command)


# Roughly the seconds each takes, to share a whole run out between processes. restart takes 6 to
# 15 s: after the SIGKILL, a job Scribe had claimed waits out its lease (SCRIBE_JOBS_LEASE).
SCENARIOS = [Scenario("routes", 1.5, routes), Scenario("invite", 2, invite),
             Scenario("commands", 2, commands), Scenario("flags", 3, flags),
             Scenario("restart", 11, restart), Scenario("postmortem", 5, postmortem)]


def main(argv: list[str]) -> int:
    # Three processes: restart alone takes about as long as the other five together.
    return run_scenarios(argv, R, SCENARIOS, share=new_fake, jobs=3)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
