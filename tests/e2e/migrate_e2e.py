#!/usr/bin/env python3
"""End to end: `scribe migrate --from sqlite:<path>` moves a SQLite Scribe's whole history into
PostgreSQL, and Scribe carries on there as if nothing had happened.

Usage: migrate_e2e.py <path to scribe>   (ctest: e2e.migrate; exit 0 when every check passes)

It needs the test PostgreSQL server: $SCRIBE_TEST_POSTGRES_DIR names the folder in which
tests/support/postgres_server started one (its `url` file holds a superuser URL); the test makes a
database of its own there and drops it at the end.

The contract under test is app/migrate.cpp's and storage/sqlite_to_pg.cpp's: the copy goes into
the empty database that storage.url (SCRIBE_STORAGE_URL) names, ids and all, in one transaction;
stdout lists "<table>: <n> rows" per copied table, then "copied <total> rows ..."; exit 0; 65 when
the SQLite file is missing or the PostgreSQL database holds Scribe data already (and then nothing
changes); 78 when storage.url is not postgresql://; 69 when PostgreSQL cannot be reached (a wrong
password among the reasons), without the password in what it prints. health_checks holds only the
last probe and is not copied; schema_migrations belongs to each store.

The run:
  1. `scribe serve` on a fresh SQLite file, its Slack Web API pointed at tests/support/fake_slack.py
     (real TLS), the playground switched on beside Slack, three postmortem questions, a short
     reminder timer and a long draft timer. Signed Slack traffic (tests/support/slack_driver.py) in
     two workspaces: incidents with notes whose text has tabs, newlines, CRLF, backslashes, `\\N`,
     `\\.`, quotes, emoji and 30,000 characters; a message flagged by two people (entry_flags); a
     mention; severities; a closed incident with the questions asked and two of three answered in
     threads (its reminder still due); a closed incident answered in full (the draft posted) and a
     second draft on `/incident draft`; in the playground an incident with a pinned message, closed,
     one question answered in its thread. Last, a flag whose confirmation (reactions.add) Slack
     answers with 429 Retry-After: 10, so that the outbox job is due in the future. The JSON of
     every incident (and the list) is read from this Scribe, `scribe export` prints every draft;
     then SIGTERM.
  2. A fresh PostgreSQL database; `scribe migrate` with SCRIBE_STORAGE_URL naming it: exit 0, the
     printed counts equal SQLite's row counts, table by table.
  3. Every copied table compared row for row and column for column (same ids, same values, NULL as
     NULL), and incident_numbers continuing each workspace's numbers.
  4. `scribe serve` on PostgreSQL with the same configuration: the same JSON for every incident and
     the list, the same `scribe export` Markdown, a new incident in each workspace numbered next, new
     rows with ids above the copied ones (entries, incidents, jobs, chat messages, reactions,
     answers), the copied pending jobs run once (the 429'd reaction, both reminders), an answer in a
     copied question's thread completes that postmortem and its draft is posted, nothing posted
     twice.
  5. Refusals: migrate again into the database that now holds data (65, row counts unchanged), a
     missing SQLite file (65, and no file created), a sqlite: storage.url (78), a wrong PostgreSQL
     password (69, the password in neither stdout nor stderr).

Every check prints on failure; the last line is "N passed, M failed". MIGRATE_E2E_KEEP=1 keeps the
temporary directory (scribe.log, the SQLite file, calls.json) and the PostgreSQL database.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from fake_slack import FakeSlack  # noqa: E402
from scribe_e2e import (POSTGRES_DIR_VARIABLE, Db, PostgresDb, Results, Scribe, finish_run,  # noqa: E402
                        group, http_get, http_request, last_lines, poll, postgres_server_url,
                        run_scenario)
from slack_driver import Prepared, SlackDriver  # noqa: E402

BOT_TOKEN = "xoxb-migrate-e2e-token"
BOT_USER_ID = "BSCRIBE"
BOT_ID = "B_SCRIBE"
T_ONE, T_TWO = "T_ONE", "T_TWO"
FLAG = "pushpin"
NAME_COOKIE = "scribe_playground_name"        # adapters/playground/playground_adapter.hpp

QUESTIONS = [("impact", "What was the impact?"), ("detection", "How did we notice?"),
             ("actions", "What will we do?")]
QUESTIONS_YAML = "[" + ", ".join(f'{{id: "{i}", text: "{t}"}}' for i, t in QUESTIONS) + "]"
REMIND_AFTER = 12.0        # seconds: still due when the SQLite Scribe stops, posted by the next one
DRAFT_AFTER = "1h"         # never due during the test: a pending job that is copied and stays
RETRY_AFTER = 10           # the 429 on the last confirmation: its outbox job is due after the move

# app/export.cpp's note on stderr when there is no posted draft, and the line of such a preview
# that depends on when it was composed (bot/postmortem_draft.cpp).
PREVIEW_NOTE = "has no posted draft yet; this is a preview composed from the data as it is now"
PREVIEW_STAMP = re.compile(r"^\*Version 0 · drafted \d{4}-\d\d-\d\d \d\d:\d\d UTC\. ", re.MULTILINE)
RUNNING_DURATION = re.compile(r"^- \*\*Duration:\*\* [0-9a-z ]+ so far \(still open when this draft "
                              r"was written\)$", re.MULTILINE)

# Exit codes (app/cli.hpp).
EXIT_DATA, EXIT_UNAVAILABLE, EXIT_CONFIG = 65, 69, 78

# Text that COPY's text format, SQL quoting or a JSON encoder could get wrong.
TRICKY = ("tab\there, newline\nthen CRLF\r\nthen a backslash \\ and \\N and \\. and \\t literally, "
          "\"double\" 'single' `back` quotes, %s %% ?, emoji 🔥🧯👩‍💻🇫🇷, é ñ 中文")
LONG_LINE = "Replica lag grew on db-7 while the vacuum ran; 🐘 we waited \t and \\ watched. "
LONG_NOTE = (LONG_LINE * (30000 // len(LONG_LINE) + 1))[:30000]
NULL_LOOKALIKE = "\\N"     # COPY's NULL marker, as a note's whole text
END_OF_COPY = "\\."        # COPY's end-of-data marker, as a note's whole text

R = Results()


def rows_of(db: sqlite3.Connection, sql: str, args=()) -> list[tuple]:
    return [tuple(r) for r in db.execute(sql, args).fetchall()]


def shown_difference(a, b) -> str:
    """Two values that differ, around where they differ (a text may be 30,000 characters)."""
    if isinstance(a, str) and isinstance(b, str):
        at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        return (f"{len(a)} vs {len(b)} characters, first difference at {at}: "
                f"{a[max(0, at - 20):at + 20]!r} vs {b[max(0, at - 20):at + 20]!r}")
    return f"{a!r} ({type(a).__name__}) vs {b!r} ({type(b).__name__})"


def first_difference(a: list, b: list, columns: list[str]) -> str:
    """Where two row lists first differ (values and their types), as a readable line."""
    if len(a) != len(b):
        return f"{len(a)} rows in SQLite, {len(b)} in PostgreSQL"
    for i, (ra, rb) in enumerate(zip(a, b)):
        cols = [f"{c}: {shown_difference(va, vb)}" for c, va, vb in zip(columns, ra, rb)
                if va != vb or type(va) is not type(vb)]
        if cols:
            return f"row {i} ({columns[0]}={ra[0]!r}): " + "; ".join(cols)
    return ""


class Scenario:
    def __init__(self, binary: str):
        self.binary = binary
        self.work = tempfile.mkdtemp(prefix="scribe-migrate-e2e-")
        self.sqlite_path = os.path.join(self.work, "scribe.db")
        self.sqlite = Db(self.sqlite_path)
        self.pg: PostgresDb | None = None
        self.secret = secrets.token_hex(16)
        self.fake = FakeSlack(bot_token=BOT_TOKEN, bot_user_id=BOT_USER_ID, bot_id=BOT_ID,
                              team_id=T_ONE)
        self.scribe: Scribe | None = None        # the one running now (SQLite, then PostgreSQL)
        self.drivers: dict[str, SlackDriver] = {}
        self.inc: dict[str, dict] = {}           # channel -> incident row (SQLite)
        self.questions: dict[str, list[dict]] = {}   # channel -> the question messages
        self.json_before: dict[str, tuple[int, bytes]] = {}   # path -> what the SQLite Scribe served
        self.export_before: dict[tuple[str, str], tuple[int, str, str]] = {}
        self.sqlite_counts: dict[str, int] = {}
        self.copied_max: dict[str, int] = {}
        self.late_flag_ts = ""
        self.events_sent = 0
        self.pg_started_at = 0
        self.reminder_due = 0.0

    # ---- set-up ----------------------------------------------------------------------------

    def env(self, storage_url: str) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCRIBE_")}
        env.update({
            "SCRIBE_SERVER_LISTEN": "127.0.0.1:0",
            "SCRIBE_STORAGE_URL": storage_url,
            "SCRIBE_SLACK_SIGNING_SECRET": self.secret,
            "SCRIBE_SLACK_BOT_TOKEN": BOT_TOKEN,
            "SCRIBE_SLACK_API_BASE_URL": self.fake.api_url,
            "SCRIBE_TLS_CA_FILE": self.fake.ca_file,
            "SCRIBE_SLACK_API_TIMEOUT": "2s",
            "SCRIBE_WEB_PLAYGROUND": "true",
            "SCRIBE_POSTMORTEM_QUESTIONS": QUESTIONS_YAML,
            "SCRIBE_POSTMORTEM_REMIND_AFTER": f"{REMIND_AFTER:g}s",
            "SCRIBE_POSTMORTEM_DRAFT_AFTER": DRAFT_AFTER,
            "SCRIBE_LOG_LEVEL": "debug",
        })
        return env

    def start_scribe(self, storage_url: str, what: str) -> bool:
        self.scribe = Scribe(self.binary, self.work, self.env(storage_url))
        ok, why = self.scribe.start()
        if not R.check(f"scribe serve starts on {what}", ok,
                       f"{why}; its log:\n{last_lines(self.scribe.log_since_start(), 20)}"):
            return False
        self.drivers = {team: SlackDriver(self.scribe.url(), self.secret,
                                          response_url_for=self.fake.response_url, team_id=team,
                                          team_domain=team.lower(), bot_user_id=BOT_USER_ID,
                                          bot_id=BOT_ID)
                        for team in (T_ONE, T_TWO)}
        return True

    def stop_scribe(self, what: str) -> None:
        rc, seconds = self.scribe.terminate()
        R.check(f"SIGTERM stops the {what} Scribe with exit 0 (got {rc}, {seconds:.1f} s)", rc == 0)

    # ---- Slack and playground helpers -------------------------------------------------------

    def slash(self, team: str, text: str, channel: str, user: str) -> dict:
        reply = self.drivers[team].send(self.drivers[team].slash_command(
            text, channel, channel.lower(), user, user.lower()))
        body = {}
        try:
            body = reply.json()
        except ValueError:
            pass
        R.check(f"{team} {channel}: /incident {text.split(' ')[0]} answers 200 JSON",
                reply.status == 200 and body, reply)
        return body

    def open(self, team: str, channel: str, title: str, user: str, number: int) -> dict | None:
        body = self.slash(team, f"open {title}", channel, user)
        text = str(body.get("text", ""))
        R.check(f"{team} {channel}: opened as INC-{number}", text.startswith(f"INC-{number} opened"),
                text[:120])
        return self.db_now().incident(channel)

    def event(self, team: str, event: dict, what: str) -> Prepared:
        # Slack's event ids are unique across workspaces, and Scribe keys its inbox on them; each
        # driver's own counter would repeat the other's.
        self.events_sent += 1
        event_id = f"Ev{team}{os.getpid()}x{self.events_sent:05d}"
        req = self.drivers[team].event_callback(event, event_id=event_id)
        reply = self.drivers[team].send(req)
        R.check(f"{what}: acked 200", reply.status == 200, reply)
        return req

    def seed(self, channel: str, user: str, text: str, thread_ts: str | None = None) -> str:
        ts = self.fake.new_ts()
        self.fake.add_message(channel, ts, user, text, thread_ts=thread_ts)
        return ts

    def flag(self, team: str, channel: str, ts: str, reactor: str, author: str) -> None:
        self.event(team, self.drivers[team].reaction_added(reactor, FLAG, channel, ts, author),
                   f"{team} {channel}: {FLAG} by {reactor}")

    def thread_answer(self, team: str, channel: str, question: dict, user: str, text: str) -> str:
        ts = self.seed(channel, user, text, thread_ts=question["ts"])
        self.event(team, self.drivers[team].thread_reply(channel, ts, question["ts"], user, text,
                                                         parent_user_id=BOT_USER_ID),
                   f"{team} {channel}: a reply in a question's thread")
        return ts

    def db_now(self):
        return self.pg if self.pg is not None and self.scribe and \
            self.scribe.env["SCRIBE_STORAGE_URL"] == self.pg.url else self.sqlite

    def metadata_keys(self, channel: str) -> list[str]:
        return [((m.get("metadata") or {}).get("event_payload") or {}).get("key", "")
                for m in self.fake.bot_messages(channel)]

    def bot_posts(self, channel: str, prefix: str) -> list[dict]:
        return [m for m in self.fake.bot_messages(channel)
                if (((m.get("metadata") or {}).get("event_payload") or {}).get("key", "")
                    .startswith(prefix))]

    def wait_questions(self, channel: str) -> list[dict]:
        inc = self.inc[channel]
        want = len(QUESTIONS) + 1
        got = poll(lambda: (lambda m: m if len(m) >= want else None)(
            self.bot_posts(channel, f"ask {inc['id']}#")), 15) or []
        R.check(f"{channel}: the introduction and {len(QUESTIONS)} questions are posted",
                len(got) == want, len(got))
        refs = poll(lambda: (lambda q: q if len(q) == len(QUESTIONS) and all(r["message_ref"] for r in q)
                             else None)(self.db_now().questions(inc["id"])), 10)
        R.check(f"{channel}: postmortem_questions record the messages that asked them", refs)
        return got[1:]

    def playground_post(self, text: str, thread: int | None = None, who: str = "Pat") -> int:
        form = {"author": who, "text": text}
        if thread is not None:
            form["thread"] = str(thread)
        status, headers, body = http_request(
            self.scribe.url(), "POST", "/playground/messages",
            urllib.parse.urlencode(form).encode("utf-8"),
            {"Content-Type": "application/x-www-form-urlencoded"})
        R.check(f"playground: POST {text[:30]!r} answers 303", status == 303, (status, body[:200]))
        return status

    def playground_pin(self, message_id: int, who: str) -> None:
        status, _, body = http_request(
            self.scribe.url(), "POST", f"/playground/messages/{message_id}/pin", b"",
            {"Content-Type": "application/x-www-form-urlencoded",
             "Cookie": f"{NAME_COOKIE}={urllib.parse.quote(who)}"})
        R.check(f"playground: 📌 on message {message_id} by {who} answers 303", status == 303,
                (status, body[:200]))

    def chat_message(self, db, text: str) -> dict | None:
        found = db.rows("SELECT * FROM chat_messages WHERE text = ? ORDER BY id", (text,))
        return found[0] if found else None

    def due_jobs(self, db) -> list[dict]:
        now = int(time.time() * 1_000_000)
        return db.rows("SELECT id, queue, key, state, run_after FROM jobs "
                       "WHERE state = 'pending' AND run_after <= ?", (now,))

    # ---- 1. history on SQLite --------------------------------------------------------------

    def g_history(self) -> bool:
        group("1. history on SQLite: two Slack workspaces and the playground")
        self.fake.start()
        if not self.start_scribe(self.sqlite.url, f"SQLite ({self.sqlite_path})"):
            return False
        for uid, name, shown in [("U_ALICE", "alice", "Alice A."), ("U_BOB", "bob", "Bob \"B\" B."),
                                 ("U_CAROL", "carol", "Carol\tC."), ("U_DAN", "dan", "Dan 🚀"),
                                 ("U_RITA", "rita", "Rita R."), ("U_ERIN", "erin", "Erin O'Neil")]:
            self.fake.add_user(uid, name, display_name=shown)
        for channel in ("C_A", "C_B", "C_X", "C_Y", "C_N1", "C_N2"):
            self.seed(channel, "U_ALICE", f"channel {channel} exists")

        # T_TWO first: a closed incident answered in full (its draft posted), a second draft, and
        # an open one with the same number as one in T_ONE.
        x = self.open(T_TWO, "C_X", "Primary DB \"failover\" — 'again' 🐘", "U_ALICE", 1)
        self.slash(T_TWO, "sev 1", "C_X", "U_ALICE")
        self.slash(T_TWO, f"note {TRICKY}", "C_X", "U_BOB")
        flagged = self.seed("C_X", "U_CAROL", "replica 2 promoted\tat 14:02\nall writes OK \\o/")
        self.flag(T_TWO, "C_X", flagged, "U_RITA", "U_CAROL")
        R.check("T_TWO INC-1: the flagged message is recorded",
                poll(lambda: self.sqlite.entries_for_ref(f"C_X/{flagged}")))
        self.slash(T_TWO, "close Failover worked; \"lag\" alert\tmissed", "C_X", "U_ALICE")
        self.inc["C_X"] = self.sqlite.incident("C_X")
        y = self.open(T_TWO, "C_Y", "Search latency", "U_DAN", 2)
        self.slash(T_TWO, f"note {NULL_LOOKALIKE}", "C_Y", "U_DAN")
        self.slash(T_TWO, f"note {END_OF_COPY}", "C_Y", "U_DAN")
        self.inc["C_Y"] = y
        notes = [e["text"] for e in self.sqlite.entries(y["id"]) if e["source"] == "command"] if y else []
        R.check("T_TWO INC-2: notes that read as COPY's NULL and end-of-data markers are stored as typed",
                notes == [NULL_LOOKALIKE, END_OF_COPY], notes)
        questions = self.wait_questions("C_X")
        if len(questions) == len(QUESTIONS):
            self.thread_answer(T_TWO, "C_X", questions[0], "U_BOB", f"Writes failed 3 min. {TRICKY}")
            self.thread_answer(T_TWO, "C_X", questions[1], "U_CAROL", "The pager, at 14:01.")
            self.thread_answer(T_TWO, "C_X", questions[2], "U_DAN",
                               "Alert on replica lag, owner <@U_BOB>, due 2026-12-01")
        R.check("T_TWO INC-1: answered in full, its draft is posted (version 1)",
                poll(lambda: self.sqlite.drafts(x["id"]) if x else None, 15))
        self.slash(T_TWO, "draft", "C_X", "U_ALICE")
        R.check("T_TWO INC-1: /incident draft stores version 2",
                poll(lambda: x and len(self.sqlite.drafts(x["id"])) >= 2, 15),
                self.sqlite.drafts(x["id"]) if x else None)

        # T_ONE: an open incident with every kind of entry.
        a = self.open(T_ONE, "C_A", "Checkout 502s \\ \"LB\"\t🔥", "U_ALICE", 1)
        self.inc["C_A"] = a
        self.slash(T_ONE, "sev SEV-2", "C_A", "U_ALICE")
        self.slash(T_ONE, f"note {TRICKY}", "C_A", "U_BOB")
        self.slash(T_ONE, f"note {LONG_NOTE}", "C_A", "U_CAROL")
        twice = self.seed("C_A", "U_CAROL", "502 rate at 12%\r\n\tper \\region\\ 🌍")
        self.flag(T_ONE, "C_A", twice, "U_RITA", "U_CAROL")
        self.flag(T_ONE, "C_A", twice, "U_BOB", "U_CAROL")
        mention_ts = self.fake.new_ts()
        mention = f"<@{BOT_USER_ID}> rolled back deploy 4812\n\"finally\" ✅"
        self.fake.add_message("C_A", mention_ts, "U_ERIN", mention)
        self.event(T_ONE, self.drivers[T_ONE].app_mention("U_ERIN", mention, "C_A", mention_ts),
                   "T_ONE C_A: a mention")
        R.check("T_ONE INC-1: the message flagged by two people has two entry_flags",
                poll(lambda: (lambda e: e and len(self.sqlite.rows(
                    "SELECT * FROM entry_flags WHERE entry_id = ?", (e[0]["id"],))) == 2)(
                    self.sqlite.entries_for_ref(f"C_A/{twice}"))))
        R.check("T_ONE INC-1: the mention is recorded",
                poll(lambda: self.sqlite.entries_for_ref(f"C_A/{mention_ts}")))
        notes = [e["text"] for e in self.sqlite.entries(a["id"]) if e["source"] == "command"] if a else []
        R.check("T_ONE INC-1: the tricky note is stored as typed", TRICKY in notes,
                [n[:60] for n in notes])
        R.check("T_ONE INC-1: the 30,000-character note is stored whole", LONG_NOTE in notes)

        # Playground: an incident with a pinned message, closed, one question answered.
        self.playground_post("/incident open Playground cache 🧊 cold")
        self.playground_post(f"cache miss rate 80%\t{TRICKY}")
        pinned = poll(lambda: self.chat_message(self.sqlite, f"cache miss rate 80%\t{TRICKY}"))
        if R.check("playground: the message is stored", pinned):
            self.playground_pin(pinned["id"], "Pat")
            self.playground_pin(pinned["id"], "Quinn")
        self.playground_post("/incident close warmed the cache")
        self.inc["playground"] = self.sqlite.incident("playground")
        p_inc = self.inc["playground"]
        asked = poll(lambda: (lambda q: q if len(q) == len(QUESTIONS) and all(r["message_ref"] for r in q)
                              else None)(self.sqlite.questions(p_inc["id"])), 15) if p_inc else None
        if R.check("playground: the questions are asked", asked, asked):
            # The playground's message_ref is the chat message's id (playground_channel.cpp).
            ref = asked[0]["message_ref"]
            first = int(ref) if ref.isdigit() else None
            if R.check("playground: the first question's message is found", first, asked[0]):
                self.playground_post("Nobody could log in for 5 minutes 'really'", thread=first,
                                     who="Quinn")
                R.check("playground: the thread reply is an answer",
                        poll(lambda: self.sqlite.answers(p_inc["id"])), self.sqlite.answers(p_inc["id"]))

        # T_ONE INC-2: closed, two of three questions answered; its reminder is due after the move.
        b = self.open(T_ONE, "C_B", "Search index stale", "U_DAN", 2)
        self.slash(T_ONE, f"note reindex\tstarted \\ {NULL_LOOKALIKE}", "C_B", "U_DAN")
        self.slash(T_ONE, "close Index rebuilt; see \"runbook\" 📘", "C_B", "U_DAN")
        self.inc["C_B"] = self.sqlite.incident("C_B")
        remind = self.sqlite.rows("SELECT run_after FROM jobs WHERE key = ?",
                                  (f"remind {b['id']}",)) if b else []
        if R.check("T_ONE INC-2: its reminder is scheduled", remind, remind):
            self.reminder_due = remind[0]["run_after"] / 1e6
        questions = self.wait_questions("C_B")
        self.questions["C_B"] = questions
        if len(questions) == len(QUESTIONS):
            self.thread_answer(T_ONE, "C_B", questions[0], "U_ALICE", "Stale results for 2 hours.")
            self.thread_answer(T_ONE, "C_B", questions[0], "U_ERIN", f"Also: {LONG_NOTE[:9000]}")
            self.thread_answer(T_ONE, "C_B", questions[1], "U_BOB", "A customer\nemailed \\ us.")
        R.check("T_ONE INC-2: three answers are stored",
                poll(lambda: b and len(self.sqlite.answers(b["id"])) == 3),
                self.sqlite.answers(b["id"]) if b else None)

        # The last flag: Slack answers its confirmation with 429, so its outbox job is due later.
        self.fake.script("reactions.add", [{"kind": "429", "retry_after": RETRY_AFTER}])
        self.late_flag_ts = self.seed("C_A", "U_DAN", "error rate back to 0.1%")
        self.flag(T_ONE, "C_A", self.late_flag_ts, "U_RITA", "U_DAN")
        R.check("the last flag is recorded and its confirmation got 429",
                poll(lambda: self.sqlite.entries_for_ref(f"C_A/{self.late_flag_ts}")
                     and [c for c in self.fake.calls("reactions.add")
                          if c["params"].get("timestamp") == self.late_flag_ts
                          and c["outcome"] == "429"]))
        R.check("nothing else is due: every job has run except those scheduled later",
                poll(lambda: not self.due_jobs(self.sqlite) and all(
                    c["outcome"] != "pending" for c in self.fake.calls())),
                self.due_jobs(self.sqlite))
        return True

    def g_capture(self) -> None:
        group("1. what the SQLite Scribe serves: JSON of the list and of each incident")
        paths = ["/api/incidents", "/api/incidents?status=open", "/api/incidents?status=closed"]
        for inc in self.sqlite.incidents():
            label = f"INC-{inc['number']}"
            ws = urllib.parse.quote(inc["workspace"])
            paths.append(f"/api/incidents/{label}?workspace={ws}")
            paths.append(f"/incidents/{label}/postmortem.md?workspace={ws}")
        for path in paths:
            status, _, body = http_get(self.scribe.url(), path)
            if path.startswith("/api/"):
                R.check(f"SQLite: GET {path} answers 200", status == 200, (status, body[:200]))
            self.json_before[path] = (status, body)
        listed = json.loads(self.json_before["/api/incidents"][1] or b"{}").get("incidents", [])
        R.check("SQLite: the list names every incident", len(listed) == len(self.sqlite.incidents()),
                len(listed))

    def exports(self, env: dict) -> dict:
        got = {}
        self.open_labels = {(f"INC-{i['number']}", i["workspace"]) for i in self.sqlite.incidents()
                            if i["status"] == "open"}
        for inc in self.sqlite.incidents():
            label = f"INC-{inc['number']}"
            done = subprocess.run([self.binary, "export", label, "--workspace", inc["workspace"]],
                                  cwd=self.work, env=env, stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=30)
            got[(label, inc["workspace"])] = (done.returncode, done.stdout.decode("utf-8", "replace"),
                                              done.stderr.decode("utf-8", "replace"))
        return got

    def g_stop_sqlite(self) -> None:
        group("1. SIGTERM the SQLite Scribe; what it leaves")
        self.stop_scribe("SQLite")
        margin = self.reminder_due - time.time()
        R.check(f"the SQLite Scribe stopped before the reminder was due ({margin:.1f} s before)",
                margin > 0, f"REMIND_AFTER = {REMIND_AFTER:g} s was too short on this machine")
        self.export_before = self.exports(self.env(self.sqlite.url))
        for (label, ws), (rc, out, err) in self.export_before.items():
            R.check(f"SQLite: scribe export {label} --workspace {ws} exits 0 with Markdown",
                    rc == 0 and out.startswith("#"), (rc, err[:200]))
        conn = sqlite3.connect(self.sqlite_path)
        try:
            tables = [r[0] for r in rows_of(conn, "SELECT name FROM sqlite_master WHERE type = 'table' "
                                                  "ORDER BY name")]
            self.sqlite_counts = {t: rows_of(conn, f'SELECT COUNT(*) FROM "{t}"')[0][0] for t in tables}
            states = dict(rows_of(conn, "SELECT state, COUNT(*) FROM jobs GROUP BY state"))
            pending = rows_of(conn, "SELECT queue, key, run_after FROM jobs WHERE state = 'pending' "
                                    "ORDER BY id")
        finally:
            conn.close()
        print("SQLite rows per table: " + ", ".join(f"{t} {n}" for t, n in self.sqlite_counts.items()),
              flush=True)
        data_tables = [t for t in self.sqlite_counts
                       if t not in ("sqlite_sequence", "schema_migrations", "health_checks")]
        empty = [t for t in data_tables if self.sqlite_counts[t] == 0]
        R.check("the history fills every table the copy moves", not empty, empty)
        R.check("jobs: some done, some pending", states.get("done", 0) > 0 and states.get("pending", 0) > 0,
                states)
        print("pending jobs: " + "; ".join(f"{q} {k!r} due in {(r / 1e6) - time.time():+.0f} s"
                                           for q, k, r in pending), flush=True)
        keys = [k for _, k, _ in pending]
        b, p = self.inc.get("C_B"), self.inc.get("playground")
        R.check("the reminders of T_ONE INC-2 and the playground's incident are pending",
                b and p and any(k.startswith(f"remind {b['id']}") for k in keys)
                and any(k.startswith(f"remind {p['id']}") for k in keys), keys)
        late = self.sqlite.entries_for_ref(f"C_A/{self.late_flag_ts}")
        R.check("the 429'd confirmation is a pending outbox job (react:<entry id>, due later)",
                late and any(q == "slack.outbox" and k == f"react:{late[0]['id']}"
                             and r / 1e6 > time.time() for q, k, r in pending), pending)

    # ---- 2. the copy -----------------------------------------------------------------------

    def migrate(self, env: dict, source: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([self.binary, "migrate", "--from", "sqlite:" + (source or self.sqlite_path)],
                              cwd=self.work, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=60)

    def g_migrate(self) -> bool:
        group("2. scribe migrate into a fresh PostgreSQL database")
        self.pg = PostgresDb.create(postgres_server_url(os.environ[POSTGRES_DIR_VARIABLE]), "migrate")
        print(f"target: {self.pg.describe()}", flush=True)
        started = time.monotonic()
        done = self.migrate(self.env(self.pg.url))
        seconds = time.monotonic() - started
        out, err = done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
        print(out.rstrip(), flush=True)
        if not R.check(f"migrate exits 0 (got {done.returncode}, {seconds:.1f} s)", done.returncode == 0,
                       err[-600:]):
            return False
        printed = {m.group(1): int(m.group(2))
                   for m in re.finditer(r"^([a-z_]+): (\d+) rows$", out, re.MULTILINE)}
        self.copied_tables = list(printed)
        data_tables = {t for t in self.sqlite_counts
                       if t not in ("sqlite_sequence", "schema_migrations", "health_checks")}
        R.check("migrate lists every data table of the SQLite file (health_checks, "
                "schema_migrations and sqlite_sequence are each store's own)",
                set(printed) == data_tables, (sorted(printed), sorted(data_tables)))
        wrong = {t: (n, self.sqlite_counts.get(t)) for t, n in printed.items()
                 if n != self.sqlite_counts.get(t)}
        R.check("the printed counts equal SQLite's row counts, table by table", not wrong, wrong)
        total = re.search(r"^copied (\d+) rows from (.+) to PostgreSQL", out, re.MULTILINE)
        R.check("the last line gives the total and the source",
                total and int(total.group(1)) == sum(printed.values())
                and total.group(2) == self.sqlite_path, out.splitlines()[-1:] if out else out)
        R.check("the password appears in nothing migrate printed",
                self.pg.password not in out + err)
        return True

    # ---- 3. row for row --------------------------------------------------------------------

    def g_compare(self) -> None:
        group("3. every copied table, row for row and column for column")
        conn = sqlite3.connect(self.sqlite_path)
        try:
            for table in self.copied_tables:
                info = rows_of(conn, f'PRAGMA table_info("{table}")')
                columns = [r[1] for r in info]
                key = [r[1] for r in sorted((r for r in info if r[5] > 0), key=lambda r: r[5])] \
                    or columns[:1]
                pg_columns = [r["column_name"] for r in self.pg.rows(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
                    (table,))]
                R.check(f"{table}: PostgreSQL has the same columns", sorted(pg_columns) == sorted(columns),
                        (columns, pg_columns))
                select = (f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(key)}")
                lite = rows_of(conn, select)
                pg = [tuple(r[c] for c in columns) for r in self.pg.rows(select)]
                diff = first_difference(lite, pg, columns)
                ok = R.check(f"{table}: {len(lite)} rows x {len(columns)} columns identical "
                             f"(ordered by {', '.join(key)})", not diff, diff)
                if ok:
                    nulls = sum(v is None for r in lite for v in r)
                    print(f"  {table}: {len(lite)} rows, {len(columns)} columns, {nulls} NULLs: identical",
                          flush=True)
                for column in ("id", "added"):
                    if column in columns:
                        self.copied_max[table] = max((r[columns.index(column)] for r in lite), default=0)
            want = sorted(rows_of(conn, "SELECT platform, workspace, MAX(number) FROM incidents "
                                        "GROUP BY platform, workspace"))
        finally:
            conn.close()
        got = sorted(tuple(r.values()) for r in self.pg.rows(
            "SELECT platform, workspace, last_number FROM incident_numbers"))
        R.check("incident_numbers holds each workspace's highest copied number", got == want,
                (got, want))
        health = self.pg.rows("SELECT COUNT(*) AS n FROM health_checks")
        print(f"  health_checks: not copied (the last probe only); PostgreSQL has "
              f"{health[0]['n'] if health else '?'} rows", flush=True)

    # ---- 4. Scribe on PostgreSQL ------------------------------------------------------------

    def g_same_views(self) -> bool:
        group("4. scribe serve on PostgreSQL: the same JSON and exports")
        self.pg_env = self.env(self.pg.url)
        self.pg_started_at = int(time.time() * 1_000_000)
        if not self.start_scribe(self.pg.url, "PostgreSQL"):
            return False
        for path, (status, body) in self.json_before.items():
            got_status, _, got = http_get(self.scribe.url(), path)
            if path.startswith("/api/"):
                same = got_status == status and json.loads(got) == json.loads(body)
                detail = ""
                if not same:
                    a, b = json.loads(body or b"null"), json.loads(got or b"null")
                    detail = (f"status {status} vs {got_status}; differing keys: " +
                              str([k for k in (a or {}) if (a or {}).get(k) != (b or {}).get(k)]))
                R.check(f"GET {path}: the same JSON as on SQLite ({len(body)} bytes)", same, detail)
            else:
                R.check(f"GET {path}: the same answer as on SQLite ({status}, {len(body)} bytes)",
                        got_status == status and got == body, (status, got_status))
        print(f"  compared {sum(p.startswith('/api/') for p in self.json_before)} JSON answers (the list "
              f"three ways, each incident) and {sum(not p.startswith('/api/') for p in self.json_before)} "
              f"postmortem.md answers with what the SQLite Scribe served", flush=True)
        after = self.exports(self.pg_env)
        previews = sum(PREVIEW_NOTE in err for _, _, err in self.export_before.values())
        print(f"  comparing {len(after)} `scribe export` outputs ({previews} previews: their "
              f"composed-now stamp and running duration set aside)", flush=True)
        for key, (rc, out, err) in self.export_before.items():
            got_rc, got_out, got_err = after.get(key, (None, "", ""))
            what = f"scribe export {key[0]} --workspace {key[1]}"
            if PREVIEW_NOTE in err:
                # No draft was posted: both print a preview composed when asked, stamped with that
                # minute, and an open incident's duration runs on with the clock; all else is equal.
                R.check(f"{what}: a preview on both stores", PREVIEW_NOTE in got_err, got_err[:200])
                stamps = [PREVIEW_STAMP] + ([RUNNING_DURATION] if key in self.open_labels else [])
                for stamp in stamps:
                    R.check(f"{what}: both previews have the line /{stamp.pattern[:40]}.../",
                            stamp.search(out) and stamp.search(got_out))
                    out = stamp.sub("(composed now)", out)
                    got_out = stamp.sub("(composed now)", got_out)
            R.check(f"{what}: the same Markdown ({len(out)} characters)", (got_rc, got_out) == (rc, out),
                    (rc, got_rc, [l for l in got_out.splitlines() if l not in out.splitlines()][:3],
                     [l for l in out.splitlines() if l not in got_out.splitlines()][:3], err[:200]))
        return True

    def g_carry_on(self) -> None:
        group("4. Scribe carries on: numbers, ids, the copied pending jobs")
        pg = self.pg
        print("  the highest copied ids: " + ", ".join(f"{t} {n}" for t, n in self.copied_max.items()),
              flush=True)
        n1 = self.open(T_ONE, "C_N1", "After the move", "U_ALICE", 3)
        n2 = self.open(T_TWO, "C_N2", "After the move, too", "U_BOB", 3)
        for what, inc in (("T_ONE", n1), ("T_TWO", n2)):
            R.check(f"{what}: the new incident's id is above the copied ones",
                    inc and inc["id"] > self.copied_max.get("incidents", 0), inc)
        self.slash(T_ONE, "note first note after the move", "C_A", "U_BOB")
        a = self.inc.get("C_A")
        entries = pg.entries(a["id"]) if a else []
        new = [e for e in entries if e["text"] == "first note after the move"]
        R.check("a new note gets an id above the copied entries",
                new and new[0]["id"] > self.copied_max.get("timeline_entries", 0),
                (new, self.copied_max.get("timeline_entries")))
        ts = self.seed("C_A", "U_CAROL", "flagged after the move")
        self.flag(T_ONE, "C_A", ts, "U_RITA", "U_CAROL")
        R.check("a new flag is recorded and confirmed once",
                poll(lambda: pg.entries_for_ref(f"C_A/{ts}") and
                     [c for c in self.fake.calls("reactions.add")
                      if c["params"].get("timestamp") == ts and c["outcome"] == "ok"]))
        jobs = pg.rows("SELECT MIN(id) AS low FROM jobs WHERE created_at >= ?", (self.pg_started_at,))
        R.check("its jobs get ids above the copied ones",
                jobs and jobs[0]["low"] and jobs[0]["low"] > self.copied_max.get("jobs", 0),
                (jobs, self.copied_max.get("jobs")))

        # The playground: the next number, new message and reaction ids.
        self.playground_post("/incident open Playground again")
        p_new = poll(lambda: (lambda i: i if i and i["status"] == "open" else None)(pg.incident("playground")))
        R.check("playground: the new incident is INC-2", p_new and p_new["number"] == 2, p_new)
        self.playground_post("after the move, in the playground")
        msg = poll(lambda: self.chat_message(pg, "after the move, in the playground"))
        R.check("playground: a new message gets an id above the copied ones",
                msg and msg["id"] > self.copied_max.get("chat_messages", 0),
                (msg, self.copied_max.get("chat_messages")))
        if msg:
            self.playground_pin(msg["id"], "Pat")
            added = pg.rows("SELECT MIN(added) AS low FROM chat_reactions WHERE message_id = ?", (msg["id"],))
            R.check("playground: a new reaction gets an id above the copied ones",
                    added and added[0]["low"] and added[0]["low"] > self.copied_max.get("chat_reactions", 0),
                    (added, self.copied_max.get("chat_reactions")))

        # The pending jobs that came with the copy run once.
        calls = poll(lambda: (lambda c: c if any(x["outcome"] == "ok" for x in c) else None)(
            [c for c in self.fake.calls("reactions.add")
             if c["params"].get("timestamp") == self.late_flag_ts]), RETRY_AFTER + 15) or \
            [c for c in self.fake.calls("reactions.add")
             if c["params"].get("timestamp") == self.late_flag_ts]
        R.check("the 429'd confirmation is retried by the PostgreSQL Scribe: 429, then ok once",
                [c["outcome"] for c in calls] == ["429", "ok"], [c["outcome"] for c in calls])
        b, p = self.inc.get("C_B"), self.inc.get("playground")
        if b:
            remind = poll(lambda: self.bot_posts("C_B", f"remind {b['id']}"),
                          max(0.0, self.reminder_due - time.time()) + 15)
            R.check("T_ONE INC-2: the copied reminder is posted once, when it was due",
                    remind and len(remind) == 1 and float(remind[0]["ts"]) >= self.reminder_due,
                    [m.get("ts") for m in remind or []])
            text = (remind or [{}])[0].get("text", "")
            R.check("T_ONE INC-2: the reminder names the unanswered question",
                    QUESTIONS[2][1] in text or QUESTIONS[2][0] in text, text[:300])
        if p:
            p_remind = poll(lambda: pg.rows("SELECT * FROM chat_messages WHERE post_key LIKE ?",
                                            (f"remind {p['id']}%",)), 15)
            R.check("playground: the copied reminder is posted once", p_remind and len(p_remind) == 1,
                    p_remind)
        # An answer in the thread of a question asked before the move completes the postmortem.
        questions = self.questions.get("C_B", [])
        if b and len(questions) == len(QUESTIONS):
            self.thread_answer(T_ONE, "C_B", questions[2], "U_CAROL", "Alert on index age, owner <@U_DAN>")
            answers = poll(lambda: (lambda a: a if len(a) == 4 else None)(pg.answers(b["id"])))
            R.check("T_ONE INC-2: a reply in a copied question's thread is an answer, id above the "
                    "copied ones", answers and answers[-1]["question_id"] == QUESTIONS[2][0]
                    and answers[-1]["id"] > self.copied_max.get("postmortem_answers", 0),
                    answers[-1:] if answers else pg.answers(b["id"]))
            R.check("T_ONE INC-2: now answered in full, its draft is posted",
                    poll(lambda: pg.drafts(b["id"]) and self.bot_posts("C_B", "draft "), 15))
        timers = pg.rows("SELECT key, state, run_after, attempts FROM jobs WHERE key LIKE 'draft % timer' "
                         "ORDER BY id")
        copied = self.sqlite.rows("SELECT key, state, run_after, attempts FROM jobs "
                                  "WHERE key LIKE 'draft % timer' ORDER BY id")
        R.check(f"the {len(copied)} copied draft timers, due in an hour, wait untouched",
                copied and [t for t in timers if t["key"] in {c["key"] for c in copied}] == copied,
                (copied, timers))
        R.check("every due job has run on PostgreSQL",
                poll(lambda: not self.due_jobs(pg) and all(c["outcome"] != "pending"
                                                           for c in self.fake.calls()), 15),
                self.due_jobs(pg))
        time.sleep(0.5)
        twice = {ch: [k for k in set(self.metadata_keys(ch)) if self.metadata_keys(ch).count(k) > 1]
                 for ch in ("C_A", "C_B", "C_X", "C_Y", "C_N1", "C_N2")}
        R.check("nothing was posted twice to Slack across the move (metadata keys unique)",
                not any(twice.values()), twice)
        memo = [c for c in self.fake.calls("reactions.add") if c["outcome"] == "ok"]
        keys = [(c["params"].get("channel"), c["params"].get("timestamp")) for c in memo]
        R.check("no confirmation was added twice", len(keys) == len(set(keys)),
                [k for k in keys if keys.count(k) > 1])
        keys = [r["post_key"] for r in pg.rows("SELECT post_key FROM chat_messages WHERE post_key IS NOT NULL")]
        R.check("nothing was posted twice in the playground", len(keys) == len(set(keys)))
        self.stop_scribe("PostgreSQL")

    # ---- 5. refusals -----------------------------------------------------------------------

    def pg_counts(self) -> dict:
        return {t: self.pg.rows(f"SELECT COUNT(*) AS n FROM {t}")[0]["n"] for t in self.copied_tables}

    def g_refusals(self) -> None:
        group("5. refusals")
        before = self.pg_counts()
        done = self.migrate(self.pg_env)
        err = done.stderr.decode("utf-8", "replace")
        R.check(f"migrate into a database that holds Scribe data exits {EXIT_DATA} "
                f"(got {done.returncode})", done.returncode == EXIT_DATA, err[-300:])
        R.check("... and says why", "holds" in err or "empty" in err, err[-300:])
        after = self.pg_counts()
        R.check("... and changes nothing (row counts per table)", after == before, (before, after))

        missing = os.path.join(self.work, "no-such.db")
        done = self.migrate(self.pg_env, missing)
        err = done.stderr.decode("utf-8", "replace")
        R.check(f"migrate from a missing SQLite file exits {EXIT_DATA} (got {done.returncode})",
                done.returncode == EXIT_DATA, err[-300:])
        R.check("... names the file", missing in err, err[-300:])
        R.check("... and creates no file", not os.path.exists(missing))

        env = dict(self.pg_env)
        env["SCRIBE_STORAGE_URL"] = "sqlite:" + os.path.join(self.work, "other.db")
        done = self.migrate(env)
        err = done.stderr.decode("utf-8", "replace")
        R.check(f"migrate with a sqlite: storage.url exits {EXIT_CONFIG} (got {done.returncode})",
                done.returncode == EXIT_CONFIG, err[-300:])
        R.check("... and names storage.url", "storage.url" in err, err[-300:])
        R.check("... and creates no file", not os.path.exists(os.path.join(self.work, "other.db")))

        parts = urllib.parse.urlsplit(self.pg.url)
        wrong = "wrong-" + secrets.token_hex(12)
        env = dict(self.pg_env)
        env["SCRIBE_STORAGE_URL"] = urllib.parse.urlunsplit(parts._replace(
            netloc=f"{parts.username}:{wrong}@{parts.hostname}:{parts.port}"))
        done = self.migrate(env)
        out, err = done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
        R.check(f"migrate with a wrong PostgreSQL password exits {EXIT_UNAVAILABLE} "
                f"(got {done.returncode})", done.returncode == EXIT_UNAVAILABLE, err[-300:])
        R.check("... without the wrong password in what it prints", wrong not in out + err, err[-300:])
        R.check("... nor the right one", self.pg.password not in out + err)
        R.check("... and changes nothing", self.pg_counts() == before)
        print(f"  (the refusal says: {err.strip()[:200]})", flush=True)

    def run(self) -> None:
        started = time.monotonic()
        try:
            # Without a PostgreSQL server there is nothing to migrate into: say so at once.
            if not R.check(f"${POSTGRES_DIR_VARIABLE} names the test PostgreSQL server",
                           os.environ.get(POSTGRES_DIR_VARIABLE, ""),
                           "start one with tests/support/postgres_server start DIR"):
                return
            if not self.g_history():
                return
            self.g_capture()
            self.g_stop_sqlite()
            if not self.g_migrate():
                return
            self.g_compare()
            if self.g_same_views():
                self.g_carry_on()
            self.g_refusals()
        except Exception:
            R.fail("the scenario raised", traceback.format_exc())
        finally:
            print(f"({time.monotonic() - started:.1f} s)", flush=True)
            finish_run(R, self.scribe, self.fake, self.work, "MIGRATE_E2E_KEEP",
                       {"calls.json": self.fake.calls}, store=self.pg)


def main(argv: list[str]) -> int:
    return run_scenario(argv, R, Scenario)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
