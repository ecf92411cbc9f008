#!/usr/bin/env python3
"""End to end: the postmortem on Slack, from `/incident close` to the exported draft.

Usage: postmortem_e2e.py <path to scribe>   (ctest: e2e.postmortem; exit 0 when every check passes)

The real `scribe serve` runs as a child process on 127.0.0.1:0 with a fresh SQLite file or
PostgreSQL database (SCRIBE_STORAGE_URL) and its Slack Web API pointed at
tests/support/fake_slack.py over real TLS (SCRIBE_SLACK_API_BASE_URL, SCRIBE_TLS_CA_FILE). tests/support/slack_driver.py sends what Slack
sends, signed. tests/support/scribe_e2e.py holds the process wrapper, the checks and the database
reader.

What the fake and the driver follow (see their docstrings for details):
  - /work/shared/PROTOCOLS.md sections 1-5: signing, slash commands, the Events API (message
    events in threads, thread_broadcast, message_changed, message_deleted, retries with the same
    event_id), interactivity (block_actions with a trigger_id, views.open, view_submission and its
    response_action "errors"), the Web API (Bearer token, JSON bodies for writes), Slack's content
    limits (50 blocks per message, 3000 characters per section text; Scribe's own cap of 12000
    characters of block text per message, from bolt-js issue #2509's ~13k msg_blocks_too_long).
  - Slack doc pages "chat.postMessage method" (the `metadata` argument), "conversations.history
    method" (`include_all_metadata`, `cursor`, `limit`, response_metadata.next_cursor), "Using
    message metadata", "Pagination", "views.open method"; bolt-js `src/types/actions/block-action.ts`
    and `src/types/view/index.ts` for the interaction payloads; node-slack-sdk
    `packages/types/src/events/message.ts` for message events.

The contract under test is Scribe's, as the lead stated it in the task brief and as
adapters/slack/slack_adapter.cpp, adapters/slack/messages.cpp, bot/postmortem_desk.cpp and
bot/postmortem_draft.cpp implement it: the questions (config/options.cpp's defaults), the
"scribe_post" metadata keys "<job key>#<n>", the draft's Markdown and its mrkdwn rendering.

The run, in two processes on one database:
  A. INC-1 (C_PM): open, a note, a flagged message, close with a summary -> the introduction with
     the form button and the 8 questions, each with metadata; answers in threads (two people on
     one question, a blameful one, an edit, a deletion, a broadcast, a very long one, replies that
     are not answers, a retried event_id); the form (views.open, a blank and a foreign submission
     refused, a real one stored); the draft posted once when complete; `/incident draft` ->
     version 2 (its second part stored by Slack, the answer lost: retried, nothing posted twice);
     GET /incidents/INC-1/postmortem.md and `scribe export`.
     INC-2 (C_FAIL): chat.postMessage stores the 4th message and answers 500, while 250 people's
     messages arrive -> the retry pages through history and posts each question exactly once.
     INC-3 (C_CRASH): chat.postMessage stores the 4th message and hangs; SIGKILL.
  B. Restart on the same database with SCRIBE_WEB_TOKEN, two configured questions and short
     reminder/draft timers. INC-3's questions are completed, each exactly once (the job's 2-minute
     lease is fast-forwarded in the database while Scribe is down; POSTMORTEM_E2E_REAL_LEASE=1
     waits it out instead). The export route needs the token. INC-4 (C_TIMER): one reminder
     listing the unanswered question, then one automatic draft with "No answers yet.". INC-5
     (C_QUICK), answered in full at once: its draft, no reminder, and the timer's draft skipped.

Every check prints on failure; the last line is "N passed, M failed". POSTMORTEM_E2E_KEEP=1 keeps
the temporary directory (scribe.log, calls.json, the database).
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

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from fake_slack import FakeSlack, ts_key  # noqa: E402
from scribe_e2e import (Results, Scribe, finish_run, group, http_get, last_lines, poll,  # noqa: E402
                        run_scenario, test_store)
from slack_driver import Prepared, Reply, SlackDriver, slack_ts_to_micros  # noqa: E402

BOT_TOKEN = "xoxb-e2e-token"
BOT_USER_ID = "BSCRIBE"
BOT_ID = "B_SCRIBE"
TEAM_ID = "T_E2E"
FLAG = "pushpin"
ACK_LIMIT = 3.0                      # Slack's ack deadline (PROTOCOLS.md sections 2-4)
POST_EVENT_TYPE = "scribe_post"      # the metadata event_type on every postmortem message
FORM_ACTION = "postmortem_answer_form"
FORM_CALLBACK = "postmortem_answers"
FIELD_ACTION = "answer"
QUEUE = "slack.postmortem"

# Slack's limits (PROTOCOLS.md section 5) and Scribe's own per-message cap of block text.
MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_MESSAGE_BLOCK_TEXT = 12000
MAX_TEXT = 40000

# config/options.cpp: default_postmortem_questions().
DEFAULT_QUESTIONS = [
    ("impact", "What was the impact, on whom, and for how long?"),
    ("detection", "How did we become aware of the problem?"),
    ("went_well", "What went well? What helped us?"),
    ("went_wrong", "What went wrong? What slowed us down?"),
    ("lucky", "Where did we get lucky?"),
    ("learned", "What do we know now that we did not know before?"),
    ("factors", "What contributed to this incident? (There is rarely a single root cause: list the "
                "conditions that together made it possible.)"),
    ("actions", "What follow-up actions will make this less likely or less harmful? Give each an "
                "owner (an @mention) and, where you can, a due date."),
]
# Run B's postmortem.questions (flow YAML, as an operator writes it in the environment).
CUSTOM_QUESTIONS = [("impact", "What was the impact?"), ("actions", "What will we do?")]
CUSTOM_QUESTIONS_YAML = ("[" + ", ".join(f'{{id: "{i}", text: "{t}"}}' for i, t in CUSTOM_QUESTIONS)
                         + "]")
REMIND_AFTER, DRAFT_AFTER = 3.0, 8.0

C_PM, C_PM_NAME = "C_PM", "inc-checkout"          # INC-1: the whole flow
C_FAIL, C_FAIL_NAME = "C_FAIL", "inc-payments"    # INC-2: stored, then HTTP 500
C_CRASH, C_CRASH_NAME = "C_CRASH", "inc-search"   # INC-3: stored, then SIGKILL
C_TIMER, C_TIMER_NAME = "C_TIMER", "inc-index"    # INC-4: reminder and automatic draft
C_QUICK, C_QUICK_NAME = "C_QUICK", "inc-cache"    # INC-5: answered at once: neither

R = Results()


# ---------------------------------------------------------------------------------------------
# Reading what Scribe posted
# ---------------------------------------------------------------------------------------------

def metadata_key(message: dict) -> str | None:
    meta = message.get("metadata") or {}
    if meta.get("event_type") != POST_EVENT_TYPE:
        return None
    return (meta.get("event_payload") or {}).get("key")


def slack_len(text: str) -> int:
    """Characters as Slack counts them (UTF-16 code units), as Scribe's slack_length does."""
    return len(text.encode("utf-16-le")) // 2


def section_texts(message: dict) -> list[str]:
    return [b["text"]["text"] for b in message.get("blocks", [])
            if b.get("type") == "section" and isinstance(b.get("text"), dict)]


def joined(messages: list[dict]) -> str:
    return "\n".join(t for m in messages for t in section_texts(m))


def form_button(message: dict) -> dict | None:
    for block in message.get("blocks", []):
        if block.get("type") == "actions":
            for element in block.get("elements", []):
                if element.get("action_id") == FORM_ACTION:
                    return element
    return None


def key_number(key: str) -> int:
    return int(key.rsplit("#", 1)[1])


# ---------------------------------------------------------------------------------------------
# The scenario
# ---------------------------------------------------------------------------------------------

class Scenario:
    def __init__(self, binary: str):
        self.binary = binary
        self.work = tempfile.mkdtemp(prefix="scribe-postmortem-e2e-")
        self.secret = secrets.token_hex(16)
        self.web_token = "wt-" + secrets.token_hex(16)
        self.fake = FakeSlack(bot_token=BOT_TOKEN, bot_user_id=BOT_USER_ID, bot_id=BOT_ID,
                              team_id=TEAM_ID)
        self.db = test_store(self.work, "postmortem.db")
        self.scribe: Scribe | None = None
        self.slack: SlackDriver | None = None
        self.users: dict[str, str] = {}       # id -> the name users.info gives (display name)
        self.inc: dict[str, dict] = {}        # channel -> incident row
        self.answer_texts: dict[str, list[tuple[str, str]]] = {}   # question -> [(name, text)]
        self.absent_texts: dict[str, str] = {}                     # text -> why it is not an answer
        self.absent_refs: dict[str, str] = {}
        self.ack_times: list[tuple[str, float]] = []
        self.form_author_names: set[str] = set()
        self.action_lines: list[tuple[str, str, str]] = []          # (text, owner, due)
        self.timer_closed_at = 0.0

    # ---- set-up ----------------------------------------------------------------------------

    def env(self, run_b: bool = False) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCRIBE_")}
        env.update({
            "SCRIBE_SERVER_LISTEN": "127.0.0.1:0",
            "SCRIBE_STORAGE_URL": self.db.url,
            "SCRIBE_SLACK_SIGNING_SECRET": self.secret,
            "SCRIBE_SLACK_BOT_TOKEN": BOT_TOKEN,
            "SCRIBE_SLACK_API_BASE_URL": self.fake.api_url,
            "SCRIBE_TLS_CA_FILE": self.fake.ca_file,
            "SCRIBE_SLACK_API_TIMEOUT": "2s",
            "SCRIBE_LOG_LEVEL": "debug",
        })
        if run_b:
            env.update({
                "SCRIBE_WEB_TOKEN": self.web_token,
                "SCRIBE_POSTMORTEM_QUESTIONS": CUSTOM_QUESTIONS_YAML,
                "SCRIBE_POSTMORTEM_REMIND_AFTER": f"{REMIND_AFTER:g}s",
                "SCRIBE_POSTMORTEM_DRAFT_AFTER": f"{DRAFT_AFTER:g}s",
            })
        return env

    def start(self, run_b: bool = False) -> bool:
        env = self.env(run_b)
        if self.scribe is None:
            self.scribe = Scribe(self.binary, self.work, env)
        else:
            self.scribe.env = env
        ok, why = self.scribe.start()
        if not R.check(f"scribe serve starts ({'run B: restart' if run_b else 'run A'})", ok,
                       f"{why}; its log:\n{last_lines(self.scribe.log_since_start(), 20)}"):
            return False
        self.slack = SlackDriver(self.scribe.url(), self.secret,
                                 response_url_for=self.fake.response_url, team_id=TEAM_ID,
                                 bot_user_id=BOT_USER_ID, bot_id=BOT_ID)
        return True

    def user(self, uid: str, name: str, display_name: str) -> str:
        self.fake.add_user(uid, name, display_name=display_name)
        self.users[uid] = display_name or name
        return uid

    # ---- helpers ---------------------------------------------------------------------------

    def send(self, req: Prepared) -> Reply:
        reply = self.slack.send(req)
        self.ack_times.append((req.what, reply.seconds))
        return reply

    def slash(self, text: str, channel: str, channel_name: str, user_id: str) -> dict:
        user_name = self.users.get(user_id, user_id).split(" ")[0].lower()
        reply = self.send(self.slack.slash_command(text, channel, channel_name, user_id, user_name))
        body = {}
        try:
            body = reply.json()
        except ValueError:
            pass
        R.check(f"/incident {text.split(' ')[0]} in {channel}: 200 JSON", reply.status == 200 and body,
                reply)
        return body

    def event(self, event: dict, what: str, **kw) -> Prepared:
        req = self.slack.event_callback(event, **kw)
        reply = self.send(req)
        R.check(f"{what}: acked 200 with an empty body", reply.status == 200 and
                reply.body.strip() == b"", reply)
        return req

    def posted(self, channel: str, prefix: str) -> list[dict]:
        """Scribe's messages in `channel` whose metadata key is `prefix#n`, in ts order."""
        return [m for m in self.fake.bot_messages(channel)
                if (metadata_key(m) or "").rpartition("#")[0] == prefix]

    def posted_with_prefix(self, channel: str, prefix: str) -> list[dict]:
        return [m for m in self.fake.bot_messages(channel)
                if (metadata_key(m) or "").startswith(prefix)]

    def wait_posted(self, channel: str, prefix: str, count: int, timeout: float = 10.0) -> list[dict]:
        return poll(lambda: (lambda got: got if len(got) >= count else None)(
            self.posted(channel, prefix)), timeout) or self.posted(channel, prefix)

    def post_calls_idle(self) -> bool:
        return bool(poll(lambda: all(c["outcome"] != "pending"
                                     for c in self.fake.calls("chat.postMessage"))
                         and self.fake.hanging == 0))

    def open_and_close(self, channel: str, channel_name: str, title: str, summary: str,
                       opener: str) -> dict | None:
        body = self.slash(f"open {title}", channel, channel_name, opener)
        R.check(f"open in {channel}: 'INC-n opened'", " opened by " in str(body.get("text")),
                body.get("text"))
        body = self.slash(f"close {summary}", channel, channel_name, opener)
        self.inc[channel] = self.db.incident(channel)
        R.check(f"close in {channel}: in_channel", body.get("response_type") == "in_channel", body)
        return body

    def check_questions(self, what: str, channel: str, questions: list[tuple[str, str]]) -> list[dict]:
        """The introduction and the questions, each once, in order, each with its metadata key,
        and the database's record of which message asked which question."""
        inc = self.inc.get(channel)
        if not R.check(f"{what}: the incident is in the database", inc):
            return []
        prefix = f"ask {inc['id']}"
        n = len(questions) + 1
        got = self.wait_posted(channel, prefix, n, 20)
        keys = [metadata_key(m) for m in got]
        R.check(f"{what}: the introduction and {len(questions)} questions, each exactly once, in "
                f"order (keys {prefix}#1..#{n} in ts order)", keys == [f"{prefix}#{i}" for i in range(1, n + 1)],
                keys)
        everyone = [metadata_key(m) for m in self.fake.bot_messages(channel)]
        R.check(f"{what}: no metadata key twice in the channel", len(everyone) == len(set(everyone)),
                sorted(k for k in everyone if everyone.count(k) > 1))
        if len(got) != n:
            return got
        intro = got[0]
        R.check(f"{what}: the introduction names the incident and its title",
                intro["text"].startswith(f"Postmortem of INC-{inc['number']} · {inc['title']}\n"
                                         f"{len(questions)} questions follow"), intro["text"][:200])
        R.check(f"{what}: the introduction names the draft command (the close reply no longer does)",
                "or now with `/incident draft`" in intro["text"], intro["text"][:400])
        button = form_button(intro)
        R.check(f"{what}: the introduction has the 'Answer in a form' button with the incident's id",
                button is not None and button.get("type") == "button"
                and button.get("value") == str(inc["id"]), intro.get("blocks"))
        for i, (qid, text) in enumerate(questions):
            m = got[i + 1]
            want = f"Question {i + 1} of {len(questions)} · {qid}\n{text}"
            R.check(f"{what}: question {i + 1} ({qid}) text", m["text"] == want, (m["text"], want))
            R.check(f"{what}: question {i + 1} is a top-level message", not m.get("thread_ts"), m)
        rows = poll(lambda: (lambda q: q if q and all(r["message_ref"] for r in q) else None)(
            self.db.questions(inc["id"])), 10) or self.db.questions(inc["id"])
        R.check(f"{what}: the database asked the questions in order",
                [(r["question_id"], r["text"]) for r in rows] == questions, rows)
        R.check(f"{what}: postmortem_questions.message_ref = <channel>/<ts> of each question",
                [r["message_ref"] for r in rows] == [f"{channel}/{m['ts']}" for m in got[1:]],
                ([r["message_ref"] for r in rows], [m["ts"] for m in got[1:]]))
        return got

    # ---- A1: close -> questions ------------------------------------------------------------

    def g_close(self) -> None:
        group("INC-1: open, note, flag, close -> the introduction and the questions")
        alice = self.user("U_ALICE", "alice", "Alice A.")
        for uid, name, shown in [("U_BOB", "bob", "Bob B."), ("U_CAROL", "carol", "Carol C."),
                                 ("U_DAN", "dan", "Dan D."), ("U_ERIN", "erin", "Erin E."),
                                 ("U_FRANK", "frank", "Frank F."), ("U_GINA", "gina", "Gina G."),
                                 ("U_HANK", "hank", "Hank H."), ("U_ZOE", "zoe", "Zoe Z."),
                                 ("U_RITA", "rita", "Rita R.")]:
            self.user(uid, name, shown)
        body = self.slash("open Checkout API errors", C_PM, C_PM_NAME, alice)
        R.check("open: INC-1", str(body.get("text", "")).startswith("INC-1 opened"), body.get("text"))
        self.slash("note first 502s on checkout", C_PM, C_PM_NAME, "U_BOB")
        flagged = self.fake.new_ts()
        self.fake.add_message(C_PM, flagged, "U_CAROL", "502 rate at 12% on checkout")
        self.event(self.slack.reaction_added("U_RITA", FLAG, C_PM, flagged, "U_CAROL"), "pushpin")
        R.check("the flagged message is in the timeline",
                poll(lambda: self.db.entries_for_ref(f"{C_PM}/{flagged}")))
        closed_at = time.time()
        body = self.slash("close Expired TLS certificate on the checkout load balancer", C_PM,
                          C_PM_NAME, alice)
        self.inc[C_PM] = self.db.incident(C_PM)
        text = str(body.get("text", ""))
        R.check("close: in_channel, 'INC-1 closed'", body.get("response_type") == "in_channel"
                and text.startswith("INC-1 closed"), body)
        R.check("close: states the close only; the introduction that follows explains the review",
                "question" not in text and "\n" not in text.strip(), text)
        got = self.check_questions("INC-1", C_PM, DEFAULT_QUESTIONS)
        self.q_msgs = {qid: got[i + 1] for i, (qid, _) in enumerate(DEFAULT_QUESTIONS)} \
            if len(got) == 9 else {}
        self.intro = got[0] if got else None
        if got:
            R.check("INC-1: the questions follow the close within 10 s",
                    float(got[-1]["ts"]) - closed_at < 10, float(got[-1]["ts"]) - closed_at)
        posts = [c for c in self.fake.calls("chat.postMessage") if c["params"].get("channel") == C_PM]
        R.check("INC-1: every chat.postMessage is JSON and carries metadata {event_type, event_payload.key}",
                posts and all(c["content_type"].startswith("application/json")
                              and (c["params"].get("metadata") or {}).get("event_type") == POST_EVENT_TYPE
                              and (c["params"]["metadata"].get("event_payload") or {}).get("key")
                              for c in posts), [(c["content_type"], c["params"].get("metadata")) for c in posts])
        R.check("INC-1: a first attempt posts without reading history",
                not [c for c in self.fake.calls("conversations.history")
                     if c["params"].get("channel") == C_PM and c["params"].get("include_all_metadata")])

    # ---- A2: answers in threads ----------------------------------------------------------------

    def reply(self, qid_or_ts: str, user: str, text: str, what: str, **kw) -> tuple[str, Prepared]:
        """A human's reply in a question's thread (or any thread, given its ts): seeded in the
        fake as Slack would store it, then delivered as an event."""
        thread = self.q_msgs[qid_or_ts]["ts"] if qid_or_ts in self.q_msgs else qid_or_ts
        ts = self.fake.new_ts()
        broadcast = kw.pop("broadcast", False)
        bot_id = kw.pop("bot_id", None)
        subtype = kw.pop("subtype", None)
        self.fake.add_message(C_PM, ts, user, text, thread_ts=thread, bot_id=bot_id,
                              **({"subtype": subtype} if subtype else {}))
        event = self.slack.thread_reply(C_PM, ts, thread, user, text, parent_user_id=BOT_USER_ID,
                                        broadcast=broadcast, bot_id=bot_id, subtype=subtype)
        return ts, self.event(event, what, **kw)

    def answer_row(self, ts: str) -> list[dict]:
        return [a for a in self.db.answers(self.inc[C_PM]["id"]) if a["answer_ref"] == f"{C_PM}/{ts}"]

    def g_thread_answers(self) -> None:
        group("INC-1: answers in the questions' threads")
        if not getattr(self, "q_msgs", None):
            R.fail("thread answers: skipped, the questions were not posted")
            return
        inc_id = self.inc[C_PM]["id"]
        alice_text = "Checkout returned 502 for 38 minutes; about 12% of orders failed."
        carol_old = "Pager alert on the 5xx rate at 14:02."
        carol_new = "Pager alert on the 5xx rate at 14:02, eight minutes after the first errors."
        dan_text = "Bob forgot to renew the cert, and the expiry alert went to an old mailbox."
        erin_text = "DELETED-REPLY the runbook pointed at the old load balancer."
        frank_text = "The load balancer certificates were not in our inventory."
        self.hank_lines = [f"Lesson {i}: the certificate inventory needs every listener of every load "
                           f"balancer, with its expiry date and the team that renews it."
                           for i in range(1, 131)]
        hank_text = "\n".join(self.hank_lines)
        bob_text = "Support received 40 tickets about failed payments."

        alice_ts, alice_req = self.reply("impact", "U_ALICE", alice_text, "reply (impact, Alice)")
        carol_ts, _ = self.reply("detection", "U_CAROL", carol_old, "reply (detection, Carol)")
        dan_ts, _ = self.reply("went_wrong", "U_DAN", dan_text, "reply (went_wrong, Dan)")
        erin_ts, erin_req = self.reply("went_wrong", "U_ERIN", erin_text, "reply (went_wrong, Erin)")
        frank_ts, _ = self.reply("learned", "U_FRANK", frank_text, "thread_broadcast (learned, Frank)",
                                 broadcast=True)
        hank_ts, _ = self.reply("learned", "U_HANK", hank_text,
                                f"a {len(hank_text)}-character reply (learned, Hank)")
        # Not answers: a reply in the introduction's thread, one in a people's thread, Scribe's own
        # reply and another bot's reply in a question's thread.
        not_answers = []
        ts, _ = self.reply(self.intro["ts"], "U_ZOE", "NOT-AN-ANSWER in the introduction's thread",
                           "reply in the introduction's thread")
        not_answers.append((ts, "a reply in the introduction's thread"))
        parent = self.fake.new_ts()
        self.fake.add_message(C_PM, parent, "U_ZOE", "lunch thread", thread_ts=parent)
        ts, _ = self.reply(parent, "U_ZOE", "NOT-AN-ANSWER pizza", "reply in a people's thread")
        not_answers.append((ts, "a reply in a thread that is not a question's"))
        ts, _ = self.reply("lucky", BOT_USER_ID, "NOT-AN-ANSWER from Scribe itself",
                           "Scribe's own reply in a question's thread", bot_id=BOT_ID)
        not_answers.append((ts, "Scribe's own reply"))
        ts, _ = self.reply("lucky", None, "NOT-AN-ANSWER deploy 4813 finished",
                           "a bot's reply (bot_message) in a question's thread", bot_id="B_DEPLOY",
                           subtype="bot_message")
        not_answers.append((ts, "another bot's reply"))
        self.event(json.loads(alice_req.body)["event"], "the same event_id again (X-Slack-Retry-Num: 1)",
                   event_id=alice_req.event_id, retry_num=1)

        for ts, who in [(alice_ts, "Alice"), (carol_ts, "Carol"), (dan_ts, "Dan"), (erin_ts, "Erin"),
                        (frank_ts, "Frank (broadcast)"), (hank_ts, "Hank (long)")]:
            R.check(f"the answer by {who} is stored", poll(lambda: self.answer_row(ts)))
        row = self.answer_row(alice_ts)
        if R.check("an answer's row", len(row) == 1, row):
            a = row[0]
            want = {"question_id": "impact", "author_id": "U_ALICE", "author_name": "Alice A.",
                    "source": "thread", "text": alice_text,
                    "answered_at": slack_ts_to_micros(alice_ts)}
            wrong = {k: (a.get(k), v) for k, v in want.items() if a.get(k) != v}
            R.check("an answer's fields: question, author id, display name (users.info), source, "
                    "text, time = the reply's ts", not wrong, wrong)
        row = self.answer_row(frank_ts)
        R.check("thread_broadcast: an answer to 'learned'", row and row[0]["question_id"] == "learned", row)
        row = self.answer_row(hank_ts)
        R.check("the long reply is stored whole", row and row[0]["text"] == hank_text,
                len(row[0]["text"]) if row else row)

        # An edit: the answer follows.
        self.fake.update_message(C_PM, carol_ts, carol_new)
        self.event(self.slack.message_changed(C_PM, carol_ts, "U_CAROL", carol_old, carol_new,
                                              thread_ts=self.q_msgs["detection"]["ts"]),
                   "message_changed of an answer")
        R.check("message_changed: the answer's text follows",
                poll(lambda: [a for a in self.answer_row(carol_ts) if a["text"] == carol_new]),
                self.answer_row(carol_ts))
        # A deletion: the answer goes; Slack's late resends of the reply do not bring it back.
        self.fake.delete_message(C_PM, erin_ts)
        self.event(self.slack.message_deleted(C_PM, erin_ts, "U_ERIN", erin_text,
                                              thread_ts=self.q_msgs["went_wrong"]["ts"]),
                   "message_deleted of an answer")
        R.check("message_deleted: the answer is removed", poll(lambda: not self.answer_row(erin_ts)),
                self.answer_row(erin_ts))
        erin_event = json.loads(erin_req.body)["event"]
        self.event(erin_event, "the deleted reply's event_id resent (retry 2)",
                   event_id=erin_req.event_id, retry_num=2)
        self.event(erin_event, "the deleted reply's event_id resent without retry headers",
                   event_id=erin_req.event_id)
        # A barrier: the inbox runs in order, so once this answer is stored the events above ran.
        bob_ts, _ = self.reply("impact", "U_BOB", bob_text, "reply (impact, Bob: a second person)")
        R.check("a second person's answer to the same question is stored",
                poll(lambda: self.answer_row(bob_ts)))

        # Dan's answer blames Bob: Dan alone gets one ephemeral reply in the question's thread
        # with the sentence and a rewrite that leaves Bob out (chat.postEphemeral's user and
        # thread_ts); nobody else's answer gets one, and the event resent above added none.
        reviews = [m for m in self.fake.ephemeral_messages() if m["channel"] == C_PM
                   and m["thread_ts"] in {q["ts"] for q in self.q_msgs.values()}]
        if R.check("a blameful answer gets exactly one ephemeral reply about its wording",
                   len(reviews) == 1, reviews):
            review = reviews[0]
            R.check("the reply goes to the answer's author alone, in the question's thread",
                    review["user"] == "U_DAN"
                    and review["thread_ts"] == self.q_msgs["went_wrong"]["ts"], review)
            rewrite = review["text"].split("Perhaps:", 1)[1] if "Perhaps:" in review["text"] else ""
            R.check("the reply quotes the sentence and offers a rewrite without the person",
                    "Bob forgot to renew the cert" in review["text"] and rewrite
                    and "bob" not in rewrite.lower(), review["text"])
        R.check("the blameful answer is stored as written",
                [a["text"] for a in self.answer_row(dan_ts)] == [dan_text], self.answer_row(dan_ts))
        time.sleep(0.3)
        R.check("a resent event_id does not bring a deleted answer back", not self.answer_row(erin_ts),
                self.answer_row(erin_ts))
        R.check("the retried event_id is stored once", len(self.answer_row(alice_ts)) == 1,
                self.answer_row(alice_ts))
        for ts, why in not_answers:
            R.check(f"not an answer: {why}", not self.answer_row(ts), self.answer_row(ts))
        answers = self.db.answers(inc_id)
        R.check("INC-1 holds exactly the 6 thread answers",
                sorted((a["question_id"], a["author_id"]) for a in answers) ==
                sorted([("impact", "U_ALICE"), ("impact", "U_BOB"), ("detection", "U_CAROL"),
                        ("went_wrong", "U_DAN"), ("learned", "U_FRANK"), ("learned", "U_HANK")]),
                [(a["question_id"], a["author_id"], a["text"][:40]) for a in answers])
        R.check("no draft while questions are unanswered",
                not self.posted_with_prefix(C_PM, "draft ") and not self.db.drafts(inc_id))

        self.answer_texts = {
            "impact": [("Alice A.", alice_text), ("Bob B.", bob_text)],
            "detection": [("Carol C.", carol_new)],
            "went_wrong": [("Dan D.", dan_text)],
            "learned": [("Frank F.", frank_text), ("Hank H.", self.hank_lines[0])],
        }
        self.absent_texts = {carol_old: "the text before the edit", erin_text: "a deleted answer"}
        for ts, why in not_answers:
            self.absent_texts[self.fake.message(C_PM, ts)["text"]] = why

    # ---- A3: the form ------------------------------------------------------------------------

    def g_form(self) -> None:
        group("INC-1: the 'Answer in a form' button, views.open, view_submission")
        if not getattr(self, "intro", None):
            R.fail("form: skipped, no introduction was posted")
            return
        # Slack sends a typed @mention as <@U…>; Scribe stores and drafts it with the person's name.
        mention_ts, _ = self.reply("actions", "U_ALICE",
                                   "Page the on-call when a certificate is 14 days from expiry, "
                                   "owner <@U_BOB>", "reply (actions, with a Slack mention)")
        stored = poll(lambda: self.answer_row(mention_ts))
        R.check("a mention in an answer is stored with the person's Slack name, as people type it",
                stored and stored[0]["text"].endswith("owner @bob"), stored)
        self.answer_texts["actions"] = [("Alice A.", "Page the on-call when a certificate is 14 days "
                                                     "from expiry, owner @bob")]
        self.mentioned_action = "• Page the on-call when a certificate is 14 days from expiry — owner: @bob"
        inc = self.inc[C_PM]
        button = form_button(self.intro)
        if not R.check("form: the introduction has the button", button, self.intro.get("blocks")):
            return
        click = self.slack.block_actions(button["action_id"], button["value"], "U_GINA", "gina",
                                         C_PM, C_PM_NAME, self.intro,
                                         button_text=button["text"]["text"])
        trigger = SlackDriver.trigger_of(click)
        sent_at = time.time()
        reply = self.send(click)
        R.check("block_actions: acked 200 with an empty body", reply.status == 200
                and reply.body.strip() == b"", reply)
        opened = poll(lambda: [v for v in self.fake.views() if v["trigger_id"] == trigger])
        if not R.check("block_actions: views.open with the click's trigger_id", opened,
                       self.fake.calls("views.open")):
            return
        R.check("views.open within 3 s of the click (a trigger_id expires after 3 s)",
                opened[0]["time"] - sent_at < ACK_LIMIT, opened[0]["time"] - sent_at)
        call = [c for c in self.fake.calls("views.open") if c["params"].get("trigger_id") == trigger]
        R.check("views.open: a JSON body", call and call[0]["content_type"].startswith("application/json"),
                call)
        view = opened[0]["view"]
        R.check("the view: a modal with callback_id postmortem_answers and the incident's id",
                view.get("type") == "modal" and view.get("callback_id") == FORM_CALLBACK
                and view.get("private_metadata") == str(inc["id"]),
                {k: view.get(k) for k in ("type", "callback_id", "private_metadata")})
        inputs = [b for b in view.get("blocks", []) if b.get("type") == "input"]
        R.check("the view: one input per question, block_id = the question's id, in order",
                [b.get("block_id") for b in inputs] == [q for q, _ in DEFAULT_QUESTIONS],
                [b.get("block_id") for b in inputs])
        R.check("the view: labels are the questions",
                [b.get("label", {}).get("text") for b in inputs] == [t for _, t in DEFAULT_QUESTIONS])
        R.check("the view: each a plain_text_input with action_id 'answer'",
                inputs and all(b.get("element", {}).get("type") == "plain_text_input"
                               and b["element"].get("action_id") == FIELD_ACTION for b in inputs),
                [b.get("element") for b in inputs])
        R.check("the view: within Slack's limits (<= 100 blocks, title <= 24 characters, a submit)",
                len(view.get("blocks", [])) <= 100 and 0 < len(view.get("title", {}).get("text", "")) <= 24
                and view.get("submit"), view.get("title"))
        view_id = opened[0]["id"]
        count_before = len(self.db.answers(inc["id"]))

        def submission(values: dict, user=("U_GINA", "gina"), team=None) -> Reply:
            all_values = {q: {FIELD_ACTION: values.get(q)} for q, _ in DEFAULT_QUESTIONS}
            req = self.slack.view_submission(view_id, view.get("callback_id", FORM_CALLBACK),
                                             view.get("private_metadata", ""), all_values, user,
                                             team=team, view=view)
            return self.send(req)

        def errors_of(what: str, reply: Reply) -> dict:
            body = {}
            try:
                body = reply.json()
            except ValueError:
                pass
            R.check(f"{what}: 200 with response_action 'errors' naming a question's block",
                    reply.status == 200 and body.get("response_action") == "errors"
                    and isinstance(body.get("errors"), dict) and body["errors"]
                    and set(body["errors"]) <= {q for q, _ in DEFAULT_QUESTIONS}, reply)
            R.check(f"{what}: answered within {ACK_LIMIT} s", reply.seconds < ACK_LIMIT, reply.seconds)
            return body

        errors_of("a blank submission", submission({}))
        errors_of("a whitespace-only submission", submission({"went_well": "   \n  "}))
        errors_of("a submission from another workspace",
                  submission({"went_well": "FOREIGN answer"}, team="T_OTHER"))
        R.check("refused submissions store nothing", len(self.db.answers(inc["id"])) == count_before)

        form = {
            "went_well": "Rolling back the load balancer config took two minutes.",
            "lucky": "It happened after the evening peak.",
            "factors": "Certificates renewed by hand; the expiry alert went to a retired mailbox; "
                       "no inventory of load balancer certificates.",
            "actions": "Automate certificate renewal, owner @dan, due 2026-12-01\n"
                       "Add an expiry alert 30 days ahead (@erin)",
        }
        reply = submission(form)
        R.check("the submission: 200 with an empty body (the modal closes)",
                reply.status == 200 and reply.body.strip() == b"", reply)
        R.check(f"the submission: answered within {ACK_LIMIT} s", reply.seconds < ACK_LIMIT, reply.seconds)
        stored = [a for a in self.db.answers(inc["id"]) if a["source"] == "form"]
        R.check("form answers are stored before the ack: one per filled field, source 'form', by "
                "the submitting user",
                sorted(a["question_id"] for a in stored) == sorted(form)
                and all(a["author_id"] == "U_GINA" for a in stored)
                and all(a["text"] == form[a["question_id"]] for a in stored),
                [(a["question_id"], a["author_id"], a["source"]) for a in stored])
        R.check("form answers: answer_ref form:<view id>:<question>",
                sorted(a["answer_ref"] for a in stored) == sorted(f"form:{view_id}:{q}" for q in form),
                [a["answer_ref"] for a in stored])
        names = {a["author_name"] for a in stored}
        R.check("form answers: the author's name is the display name, as for thread answers "
                "(looked up while the form was open)", names == {"Gina G."}, names)
        self.form_author_names = names
        reply = submission(form)
        R.check("the same submission again: 200 empty", reply.status == 200 and not reply.body.strip(), reply)
        R.check("the same submission again stores nothing more",
                len([a for a in self.db.answers(inc["id"]) if a["source"] == "form"]) == len(form))
        name = next(iter(names)) if names else "Gina G."
        for q, text in form.items():
            self.answer_texts.setdefault(q, []).append((name, text.split("\n")[0]))
        self.action_lines = [("Automate certificate renewal", "@dan", "2026-12-01"),
                             ("Add an expiry alert 30 days ahead", "@erin", "")]

    # ---- A4: the first draft -------------------------------------------------------------------

    def wait_draft(self, channel: str, prefix: str, timeout: float = 15.0) -> list[dict]:
        """The messages of one draft (keys prefix#1..#n), once its last part (the wording review,
        the draft's last section) is there."""
        def complete():
            got = self.posted(channel, prefix)
            return got if got and "*Wording review*" in joined(got) else None
        got = poll(complete, timeout)
        if got:
            time.sleep(0.3)
            got = self.posted(channel, prefix)
        return got or []

    def draft_keys(self, channel: str, inc_id: int) -> list[str]:
        return sorted({metadata_key(m).rpartition("#")[0]
                       for m in self.posted_with_prefix(channel, f"draft {inc_id} ")})

    def check_limits(self, what: str, messages: list[dict]) -> None:
        problems = []
        for i, m in enumerate(messages):
            sections = section_texts(m)
            if len(m.get("blocks", [])) > MAX_BLOCKS:
                problems.append((i, "blocks", len(m["blocks"])))
            if any(b.get("type") != "section" for b in m.get("blocks", [])):
                problems.append((i, "a block that is not a section"))
            for s in sections:
                if slack_len(s) > MAX_SECTION:
                    problems.append((i, "section", slack_len(s)))
                if not s.strip():
                    problems.append((i, "an empty section"))
            if sum(slack_len(s) for s in sections) > MAX_MESSAGE_BLOCK_TEXT:
                problems.append((i, "block text", sum(slack_len(s) for s in sections)))
            if not m.get("text") or slack_len(m["text"]) > MAX_TEXT:
                problems.append((i, "fallback text", slack_len(m.get("text", ""))))
        R.check(f"{what}: every part within Slack's limits ({MAX_BLOCKS} blocks, {MAX_SECTION} per "
                f"section, {MAX_MESSAGE_BLOCK_TEXT} of block text, a text fallback)", not problems,
                problems)
        keys = [metadata_key(m) for m in messages]
        R.check(f"{what}: parts numbered #1..#n in ts order",
                [key_number(k) for k in keys] == list(range(1, len(keys) + 1)), keys)

    def check_draft_text(self, what: str, text: str, version: int) -> None:
        inc = self.inc[C_PM]
        lines = text.split("\n")
        R.check(f"{what}: the title as a bold heading",
                lines[0] == f"*Postmortem draft: INC-{inc['number']} · {inc['title']}*", lines[0])
        R.check(f"{what}: 'Version {version}'", f"Version {version} · drafted" in text)
        R.check(f"{what}: the summary", "Expired TLS certificate on the checkout load balancer" in text)
        R.check(f"{what}: the timeline has the note and the flagged message",
                "first 502s on checkout" in text and "502 rate at 12% on checkout" in text)
        R.check(f"{what}: Markdown became mrkdwn (no '**', no '#' headings, '• ' items)",
                "**" not in text and not [l for l in lines if l.startswith("#")]
                and any(l.startswith("• ") for l in lines),
                [l for l in lines if "**" in l or l.startswith("#")][:3])
        headings = [i for i, l in enumerate(lines) if l.startswith("*") and l.endswith("*")]
        for qid, qtext in DEFAULT_QUESTIONS:
            R.check(f"{what}: the question '{qid}' as a heading", f"*{qtext}*" in lines, qtext)
        when = r"\((thread|form), (\d{4}-\d\d-\d\d )?\d\d:\d\d UTC\): "
        for qid, answers in self.answer_texts.items():
            start = lines.index(f"*{dict(DEFAULT_QUESTIONS)[qid]}*") if \
                f"*{dict(DEFAULT_QUESTIONS)[qid]}*" in lines else -1
            end = min([h for h in headings if h > start] + [len(lines)])
            part = "\n".join(lines[start:end]) if start >= 0 else ""
            for name, answer in answers:
                pattern = r"^• \*" + re.escape(name) + r"\* " + when + re.escape(answer)
                R.check(f"{what}: under '{qid}', the answer by {name}",
                        re.search(pattern, part, re.M), part[:400])
        R.check(f"{what}: every line of the long answer, in order",
                all(l in text for l in self.hank_lines)
                and [text.index(l) for l in self.hank_lines] == sorted(text.index(l) for l in self.hank_lines))
        for absent, why in self.absent_texts.items():
            R.check(f"{what}: not in the draft: {why}", absent not in text, absent)
        R.check(f"{what}: no question without answers", "No answers yet." not in text)
        actions_at = lines.index("*Action items*") if "*Action items*" in lines else -1
        review_at = lines.index("*Wording review*") if "*Wording review*" in lines else -1
        R.check(f"{what}: sections Summary, Figures, Timeline, Questions, Action items, Wording review",
                [l for l in lines if l in ("*Summary*", "*Figures*", "*Timeline*", "*Questions*",
                                          "*Action items*", "*Wording review*")] ==
                ["*Summary*", "*Figures*", "*Timeline*", "*Questions*", "*Action items*",
                 "*Wording review*"])
        items = lines[actions_at + 1:review_at] if 0 <= actions_at < review_at else []
        mentioned = getattr(self, "mentioned_action", None)
        R.check(f"{what}: an action owned by a Slack mention names the person, not the user id",
                mentioned and any(i.startswith(mentioned) for i in items) and "U_BOB" not in text,
                items)
        for action, owner, due in self.action_lines:
            want = f"• {action} — owner: {owner}" + (f", due {due}" if due else "")
            R.check(f"{what}: the action item '{action}' with its owner{' and due date' if due else ''}",
                    want in items, items)
        review = "\n".join(lines[review_at + 1:]) if review_at >= 0 else ""
        R.check(f"{what}: the wording review quotes the blameful answer and names whose it is",
                re.search(r"“Bob forgot[^”]*” in Dan D\.'s answer to went", review), review[:600])

    def g_first_draft(self) -> None:
        group("INC-1: the draft, once, when the last question gets its first answer")
        inc = self.inc.get(C_PM)
        if not inc:
            R.fail("first draft: skipped")
            return
        got = self.wait_draft(C_PM, f"draft {inc['id']} complete", 20)
        if not R.check("the draft is posted (metadata key 'draft <id> complete#n')", got,
                       self.draft_keys(C_PM, inc["id"])):
            return
        self.check_limits("draft v1", got)
        R.check("draft v1: longer than one message allows, so split (the long answer)", len(got) >= 2,
                len(got))
        self.check_draft_text("draft v1", joined(got), 1)
        rows = self.db.drafts(inc["id"])
        R.check("draft v1 is stored as version 1", [r["version"] for r in rows] == [1], rows)
        time.sleep(3.0)
        R.check("no second draft: one draft job's messages, each key once",
                self.draft_keys(C_PM, inc["id"]) == [f"draft {inc['id']} complete"]
                and len(self.posted(C_PM, f"draft {inc['id']} complete")) == len(got),
                self.draft_keys(C_PM, inc["id"]))
        R.check("still one stored draft", len(self.db.drafts(inc["id"])) == 1)
        self.v1_count = len(got)

    # ---- A5: /incident draft, the export route and the CLI -------------------------------------

    def g_draft_command(self) -> None:
        group("INC-1: /incident draft -> version 2")
        inc = self.inc.get(C_PM)
        if not inc:
            R.fail("draft command: skipped")
            return
        # Its second part is stored by Slack but the answer is lost: the retry must post nothing
        # twice and store no third version.
        R.check("draft v2: no chat.postMessage in flight before scripting", self.post_calls_idle())
        self.fake.script("chat.postMessage", [{"kind": "ok"}, {"kind": "stored_then_500"}])
        calls_before = len(self.fake.calls("chat.postMessage"))
        body = self.slash("draft", C_PM, C_PM_NAME, "U_ALICE")
        R.check("/incident draft: 'Drafting the postmortem of INC-1'",
                "Drafting the postmortem of INC-1" in str(body.get("text")), body)
        rows = poll(lambda: [r for r in self.db.drafts(inc["id"]) if r["version"] == 2], 10)
        R.check("version 2 is stored", rows, self.db.drafts(inc["id"]))
        prefix = poll(lambda: next((k for k in self.draft_keys(C_PM, inc["id"])
                                    if k.startswith(f"draft {inc['id']} command:")), None), 10)
        if not R.check("version 2 is posted (key 'draft <id> command:...#n')", prefix,
                       self.draft_keys(C_PM, inc["id"])):
            return
        got = self.wait_draft(C_PM, prefix)
        self.check_limits("draft v2", got)
        self.check_draft_text("draft v2", joined(got), 2)
        settled = poll(lambda: self.fake.pending_script("chat.postMessage") == 0
                       and self.post_calls_idle() and len(self.fake.calls("chat.postMessage")) >
                       calls_before + 1, 10)
        time.sleep(1.5)   # the retry's back-off is 1 s: anything it would post again is there now
        outcomes = [c["outcome"] for c in self.fake.calls("chat.postMessage")[calls_before:]
                    if c["params"].get("channel") == C_PM]
        parts = [metadata_key(m) for m in self.posted(C_PM, prefix)]
        R.check("draft v2: parts 1 and 2 stored in the first attempt (the 2nd's answer lost), the "
                "rest by the retry, none twice",
                settled and len(got) >= 2
                and outcomes == ["ok", "stored_then_500"] + ["ok"] * (len(got) - 2)
                and parts == [f"{prefix}#{i}" for i in range(1, len(got) + 1)], (outcomes, parts))
        R.check("draft v2: the retry read history to find what was posted",
                [c for c in self.fake.calls("conversations.history")
                 if c["params"].get("channel") == C_PM and c["params"].get("include_all_metadata")])
        R.check("draft v2: the retry stored no third version",
                [r["version"] for r in self.db.drafts(inc["id"])] == [1, 2], self.db.drafts(inc["id"]))
        self.v2 = rows[0]["markdown"] if rows else ""
        R.check("the stored Markdown: '# Postmortem draft: INC-1 · ...' and '*Version 2 · ...'",
                self.v2.startswith("# Postmortem draft: INC-1 · Checkout API errors\n\n*Version 2 · "),
                self.v2[:120])
        R.check("the Markdown has the sections and the answer lines",
                all(s in self.v2 for s in ("\n## Summary\n", "\n## Figures\n", "\n## Timeline\n",
                                           "\n## Questions\n", "\n## Action items\n",
                                           "\n## Wording review\n"))
                and re.search(r"^- \*\*Alice A\.\*\* \(thread, \d\d:\d\d UTC\): ", self.v2, re.M)
                and "- Automate certificate renewal — owner: @dan, due 2026-12-01" in self.v2,
                self.v2[:300])

    def g_export(self, with_token: bool) -> None:
        group("GET /incidents/INC-1/postmortem.md" + (" with web.token set" if with_token else "")
              + " and `scribe export`")
        v2 = getattr(self, "v2", "")
        if not v2:
            R.fail("export: skipped, no version 2")
            return
        base = self.scribe.url()
        auth = {"Authorization": "Bearer " + self.web_token} if with_token else {}
        path = "/incidents/INC-1/postmortem.md"
        if with_token:
            status, headers, _ = http_get(base, path)
            R.check("with web.token: no Authorization -> 401", status == 401, status)
            R.check("with web.token: 401 says how (WWW-Authenticate: Bearer)",
                    headers.get("www-authenticate", "").startswith("Bearer"), headers)
            status, _, _ = http_get(base, path, {"Authorization": "Bearer wrong-" + self.web_token})
            R.check("with web.token: a wrong token -> 401", status == 401, status)
            status, _, _ = http_get(base, path, {"Authorization": self.web_token})
            R.check("with web.token: the token without 'Bearer ' -> 401", status == 401, status)
        status, headers, body = http_get(base, path, auth)
        if R.check("GET postmortem.md: 200", status == 200, (status, body[:200])):
            R.check("GET postmortem.md: text/markdown; charset=utf-8",
                    headers.get("content-type", "").replace(" ", "").lower() ==
                    "text/markdown;charset=utf-8", headers.get("content-type"))
            R.check("GET postmortem.md: Content-Disposition attachment; filename=\"INC-1-postmortem-v2.md\"",
                    headers.get("content-disposition") == 'attachment; filename="INC-1-postmortem-v2.md"',
                    headers.get("content-disposition"))
            R.check("GET postmortem.md: the body is version 2's Markdown exactly",
                    body.decode("utf-8", "replace") == v2, body[:200])
        status, _, body2 = http_get(base, path + "?workspace=" + TEAM_ID, auth)
        R.check("GET postmortem.md?workspace=T_E2E: the same", status == 200 and body2 == body, status)
        status, _, _ = http_get(base, path + "?workspace=T_NOWHERE", auth)
        R.check("GET postmortem.md?workspace=<another>: 404", status == 404, status)
        status, _, _ = http_get(base, "/incidents/INC-99/postmortem.md", auth)
        R.check("GET an unknown incident: 404", status == 404, status)
        if C_FAIL in self.inc:
            number = self.inc[C_FAIL]["number"]
            status, _, _ = http_get(base, f"/incidents/INC-{number}/postmortem.md", auth)
            R.check(f"GET INC-{number} (closed, not drafted yet): 404", status == 404, status)
        if with_token:
            return
        done = self.scribe.run_cli(["export", "INC-1"])
        R.check("scribe export INC-1: exit 0", done.returncode == 0,
                (done.returncode, done.stderr.decode(errors="replace")[-400:]))
        R.check("scribe export INC-1: prints version 2's Markdown",
                done.stdout.decode("utf-8", "replace") in (v2, v2 + "\n"), done.stdout[:200])
        done = self.scribe.run_cli(["export", "INC-1", "--workspace", TEAM_ID])
        R.check("scribe export INC-1 --workspace T_E2E: the same",
                done.returncode == 0 and done.stdout.decode("utf-8", "replace") in (v2, v2 + "\n"),
                (done.returncode, done.stderr[-300:]))
        done = self.scribe.run_cli(["export", "INC-99"])
        R.check("scribe export INC-99: exit 66", done.returncode == 66,
                (done.returncode, done.stderr[-300:]))
        if C_FAIL in self.inc:
            number = self.inc[C_FAIL]["number"]
            done = self.scribe.run_cli(["export", f"INC-{number}"])
            out = done.stdout.decode("utf-8", "replace")
            R.check(f"scribe export INC-{number} before any draft: exit 0, a preview, and says so on stderr",
                    done.returncode == 0 and out.startswith(f"# Postmortem draft: INC-{number}")
                    and done.stderr.strip(), (done.returncode, out[:100], done.stderr[-300:]))

    # ---- A6: stored, then 500 -------------------------------------------------------------------

    def g_stored_then_500(self) -> None:
        group("INC-2: chat.postMessage stores the 4th message and answers 500 -> each question once")
        R.check("INC-2: no chat.postMessage in flight before scripting", self.post_calls_idle())
        self.fake.script("chat.postMessage", [{"kind": "ok"}, {"kind": "ok"}, {"kind": "ok"},
                                              {"kind": "stored_then_500", "delay": 1.0}])
        self.open_and_close(C_FAIL, C_FAIL_NAME, "Payments queue backlog", "Drained the queue",
                            "U_DAN")
        inc = self.inc.get(C_FAIL)
        if not R.check("INC-2 is closed in the database", inc and inc["status"] == "closed", inc):
            self.fake.clear_script("chat.postMessage")
            return
        four = poll(lambda: len(self.fake.bot_messages(C_FAIL)) >= 4, 10)
        R.check("INC-2: the fake stored 4 messages before the failure", four,
                len(self.fake.bot_messages(C_FAIL)))
        # Someone answers in the thread of the message whose answer Scribe lost: Slack shows it,
        # but Scribe has not recorded which question it asks yet.
        lost_message = self.fake.bot_messages(C_FAIL)[3] if four else None
        early_text = "The on-call engineer found the stuck consumer within minutes."
        if lost_message:
            ts = self.fake.new_ts()
            self.fake.add_message(C_FAIL, ts, "U_ZOE", early_text, thread_ts=lost_message["ts"])
            self.event(self.slack.thread_reply(C_FAIL, ts, lost_message["ts"], "U_ZOE", early_text),
                       "INC-2: a reply to the question whose post seemed to fail")
        # People keep talking while Scribe waits to retry: 250 newer messages push its own off the
        # first page of history (200), so the retry must follow next_cursor to find them.
        for i in range(250):
            self.fake.add_message(C_FAIL, self.fake.new_ts(), "U_ZOE", f"chatter {i}")
        got = self.check_questions("INC-2", C_FAIL, DEFAULT_QUESTIONS)
        if lost_message:
            early = poll(lambda: [a for a in self.db.answers(inc["id"]) if a["author_id"] == "U_ZOE"], 10)
            R.check("INC-2: that early reply is kept as an answer to question 3 once it is recorded",
                    early and [(a["question_id"], a["text"]) for a in early] == [("went_well", early_text)],
                    early)
        posts = [c for c in self.fake.calls("chat.postMessage") if c["params"].get("channel") == C_FAIL]
        R.check("INC-2: outcomes ok x3, stored_then_500, then ok x5 (the stored one not sent again)",
                [c["outcome"] for c in posts] == ["ok"] * 3 + ["stored_then_500"] + ["ok"] * 5,
                [c["outcome"] for c in posts])
        lost = [c for c in posts if c["outcome"] == "stored_then_500"]
        if lost and len(got) == 9:
            R.check("INC-2: the message whose answer was lost counts as question 3's",
                    got[3]["ts"] == lost[0].get("ts") and metadata_key(got[3]) == f"ask {inc['id']}#4",
                    (got[3]["ts"], lost[0].get("ts")))
        history = [c for c in self.fake.calls("conversations.history")
                   if c["params"].get("channel") == C_FAIL]
        looked = [c for c in history if str(c["params"].get("include_all_metadata")).lower() in ("true", "1")]
        R.check("INC-2: the retry reads history with include_all_metadata=true, limit=200, oldest",
                looked and all(str(c["params"].get("limit")) == "200" and c["params"].get("oldest")
                               for c in looked), [c["params"] for c in history])
        if looked and got:
            R.check("INC-2: oldest reaches back before the first question",
                    ts_key(looked[0]["params"]["oldest"]) < ts_key(got[0]["ts"]),
                    (looked[0]["params"]["oldest"], got[0]["ts"]))
        R.check("INC-2: the retry follows next_cursor to the second page",
                any(c["params"].get("cursor") for c in looked), [c["params"] for c in looked])
        R.check("INC-2: all history calls answered ok", all(c["outcome"] == "ok" for c in history),
                [c["outcome"] for c in history])

    # ---- A7 + B: stored, then SIGKILL; restart ----------------------------------------------------

    def g_crash(self) -> bool:
        group("INC-3: chat.postMessage stores the 4th message and hangs; SIGKILL; restart")
        R.check("INC-3: no chat.postMessage in flight before scripting", self.post_calls_idle())
        self.fake.script("chat.postMessage", [{"kind": "ok"}, {"kind": "ok"}, {"kind": "ok"},
                                              {"kind": "stored_then_hang", "seconds": 60}])
        self.open_and_close(C_CRASH, C_CRASH_NAME, "Search latency", "Rebuilt the shard", "U_ERIN")
        inc = self.inc.get(C_CRASH)
        stored = poll(lambda: len(self.fake.bot_messages(C_CRASH)) >= 4 and self.fake.hanging >= 1, 10)
        R.check("INC-3: 4 messages stored and the 4th call hanging", stored,
                (len(self.fake.bot_messages(C_CRASH)), self.fake.hanging))
        self.scribe.proc.kill()
        rc = self.scribe.proc.wait(10)
        R.check("SIGKILL: Scribe is gone", rc == -9, rc)
        R.check("the fake lets go of the hung call", poll(lambda: self.fake.hanging == 0, 5),
                self.fake.hanging)
        self.fake.clear_script("chat.postMessage")
        if inc is None:
            R.fail("INC-3 was not closed")
            return self.start(run_b=True)
        job = [j for j in self.db.jobs(QUEUE) if j["key"] == f"ask {inc['id']}"]
        R.check("INC-3: its ask job is pending, leased by the dead process",
                job and job[0]["state"] == "pending" and job[0]["lease_until"], job)
        if os.environ.get("POSTMORTEM_E2E_REAL_LEASE"):
            wait_for = 150.0
        else:
            # A dead worker's job runs again when its lease expires (2 minutes, job_worker.hpp).
            # Instead of waiting, the expiry is moved to now while no Scribe runs.
            changed = self.db.write("UPDATE jobs SET lease_until = 0 WHERE queue = ? AND key = ? AND "
                                    "state = 'pending'", (QUEUE, f"ask {inc['id']}"))
            R.check("INC-3: the lease is fast-forwarded", changed == 1, changed)
            wait_for = 20.0
        if not self.start(run_b=True):
            return False
        got = self.wait_posted(C_CRASH, f"ask {inc['id']}", 9, wait_for)
        self.check_questions("INC-3 after the restart", C_CRASH, DEFAULT_QUESTIONS)
        texts = [m["text"] for m in self.fake.bot_messages(C_CRASH)]
        R.check("INC-3: each question's text exactly once in the channel",
                all(texts.count(f"Question {i + 1} of 8 · {q}\n{t}") == 1
                    for i, (q, t) in enumerate(DEFAULT_QUESTIONS)), texts)
        R.check("INC-3: nine messages in all", len(got) == 9 and len(texts) == 9, len(texts))
        looked = [c for c in self.fake.calls("conversations.history")
                  if c["params"].get("channel") == C_CRASH
                  and str(c["params"].get("include_all_metadata")).lower() in ("true", "1")]
        R.check("INC-3: after the restart Scribe looked for what it had posted", looked)
        return True

    def answer_in(self, channel: str, question: dict, user: str, text: str, what: str) -> None:
        ts = self.fake.new_ts()
        self.fake.add_message(channel, ts, user, text, thread_ts=question["ts"])
        self.event(self.slack.thread_reply(channel, ts, question["ts"], user, text), what)

    def g_timers(self) -> None:
        group("run B (2 questions, remind after 3 s, draft after 8 s): INC-4 gets one reminder and "
              "one automatic draft; INC-5, answered at once, gets neither")
        body = self.slash("open Search index lag", C_TIMER, C_TIMER_NAME, "U_ALICE")
        R.check("INC-4 opened", " opened by " in str(body.get("text")), body)
        self.timer_closed_at = time.time()
        body = self.slash("close Reindexed the cluster", C_TIMER, C_TIMER_NAME, "U_ALICE")
        self.inc[C_TIMER] = inc = self.db.incident(C_TIMER)
        intro = poll(lambda: next((m for m in self.fake.bot_messages(C_TIMER)
                                   if "questions follow" in str(m.get("text"))), None), 10)
        R.check("INC-4: the introduction after the close says 2 questions follow",
                intro and re.search(r"\b2 questions follow\b", intro["text"]), intro or body)
        self.open_and_close(C_QUICK, C_QUICK_NAME, "Cache stampede", "Added request coalescing",
                            "U_BOB")
        quick_closed_at = time.time()
        got = self.check_questions("INC-4", C_TIMER, CUSTOM_QUESTIONS)
        quick = self.check_questions("INC-5", C_QUICK, CUSTOM_QUESTIONS)
        quick_inc = self.inc.get(C_QUICK)
        if len(quick) == 3 and quick_inc:
            self.answer_in(C_QUICK, quick[1], "U_BOB", "Pages loaded slowly for five minutes.",
                           "INC-5 answer (impact)")
            self.answer_in(C_QUICK, quick[2], "U_BOB", "Add a stampede alert, owner @bob",
                           "INC-5 answer (actions)")
            complete = self.wait_draft(C_QUICK, f"draft {quick_inc['id']} complete")
            R.check("INC-5: answered in full at once: its draft is posted", complete,
                    self.draft_keys(C_QUICK, quick_inc["id"]))
        if len(got) != 3 or not inc:
            return
        text = "Searches returned stale results for 20 minutes."
        self.answer_in(C_TIMER, got[1], "U_ALICE", text, "INC-4 answer")
        R.check("INC-4: the answer to 'impact' is stored",
                poll(lambda: [a for a in self.db.answers(inc["id"]) if a["question_id"] == "impact"]))
        remind = f"remind {inc['id']}"
        reminders = self.wait_posted(C_TIMER, remind, 1, REMIND_AFTER + 10)
        if R.check("INC-4: a reminder is posted (key 'remind <id>#1')", reminders,
                   [metadata_key(m) for m in self.fake.bot_messages(C_TIMER)]):
            r = reminders[0]
            waited = float(r["ts"]) - self.timer_closed_at
            R.check(f"INC-4: the reminder comes after remind_after ({REMIND_AFTER:g} s) and before "
                    f"draft_after", REMIND_AFTER - 0.5 <= waited < DRAFT_AFTER, f"{waited:.2f} s")
            R.check("INC-4: the reminder lists the unanswered question only",
                    "What will we do?" in r["text"] and "What was the impact?" not in r["text"]
                    and "1 of 2" in r["text"], r["text"])
            R.check("INC-4: the reminder has the form button", form_button(r) is not None
                    and form_button(r).get("value") == str(inc["id"]), r.get("blocks"))
        prefix = f"draft {inc['id']} timer"
        draft = self.wait_draft(C_TIMER, prefix, DRAFT_AFTER + 12)
        if R.check("INC-4: the automatic draft is posted (key 'draft <id> timer#n')", draft,
                   self.draft_keys(C_TIMER, inc["id"])):
            waited = float(draft[0]["ts"]) - self.timer_closed_at
            R.check(f"INC-4: the draft comes after draft_after ({DRAFT_AFTER:g} s)",
                    waited >= DRAFT_AFTER - 0.5, f"{waited:.2f} s")
            text_all = joined(draft)
            lines = text_all.split("\n")
            R.check("INC-4 draft: version 1", "Version 1 · drafted" in text_all)
            at = lines.index("*What will we do?*") if "*What will we do?*" in lines else -1
            R.check("INC-4 draft: 'No answers yet.' under the unanswered question",
                    at >= 0 and "No answers yet." in lines[at + 1:at + 3], lines[at:at + 3])
            R.check("INC-4 draft: the answer under the answered one",
                    re.search(r"^• \*Alice A\.\* \(thread, [^)]*\): " + re.escape(text), text_all, re.M))
            R.check("INC-4 draft: 'No answers yet.' once", text_all.count("No answers yet.") == 1)
            self.check_limits("INC-4 draft", draft)
        time.sleep(2.5)
        R.check("INC-4: exactly one reminder", len(self.posted_with_prefix(C_TIMER, "remind ")) == 1,
                [metadata_key(m) for m in self.posted_with_prefix(C_TIMER, "remind ")])
        R.check("INC-4: exactly one draft (one job's messages, one stored version)",
                self.draft_keys(C_TIMER, inc["id"]) == [prefix] and len(self.db.drafts(inc["id"])) == 1,
                (self.draft_keys(C_TIMER, inc["id"]), len(self.db.drafts(inc["id"]))))
        if not quick_inc:
            return
        # INC-5's reminder and timer draft have run by now (their jobs are done): the reminder found
        # every question answered, the timer draft would have repeated the latest one.
        timers = {f"remind {quick_inc['id']}", f"draft {quick_inc['id']} timer"}
        ran = poll(lambda: (lambda jobs: jobs if len(jobs) == 2 and all(j["state"] == "done" for j in jobs)
                            else None)([j for j in self.db.jobs(QUEUE) if j["key"] in timers]),
                   max(1.0, quick_closed_at + DRAFT_AFTER + 5 - time.time()))
        R.check("INC-5: its reminder and timer-draft jobs ran", ran,
                [j for j in self.db.jobs(QUEUE) if j["key"] in timers])
        R.check("INC-5: no reminder (every question was answered)",
                not self.posted_with_prefix(C_QUICK, "remind "),
                [metadata_key(m) for m in self.posted_with_prefix(C_QUICK, "remind ")])
        R.check("INC-5: the timer's draft is skipped, it would repeat the latest",
                self.draft_keys(C_QUICK, quick_inc["id"]) == [f"draft {quick_inc['id']} complete"]
                and len(self.db.drafts(quick_inc["id"])) == 1,
                (self.draft_keys(C_QUICK, quick_inc["id"]), self.db.drafts(quick_inc["id"])))

    # ---- the end ---------------------------------------------------------------------------------

    def g_final(self) -> None:
        group("the final Web API record")
        calls = self.fake.calls()
        R.check("every Web API call carried the bot token", all(c["authorized"] for c in calls),
                [c for c in calls if not c["authorized"]][:3])
        R.check("no TLS handshake with the fake failed", not self.fake.tls_failures,
                self.fake.tls_failures[:3])
        posts = [c for c in calls if c["method"] == "chat.postMessage"]
        R.check("every chat.postMessage: JSON, with scribe_post metadata",
                all(c["content_type"].startswith("application/json")
                    and (c["params"].get("metadata") or {}).get("event_type") == POST_EVENT_TYPE
                    for c in posts), [c["params"].get("metadata") for c in posts][:5])
        for channel in (C_PM, C_FAIL, C_CRASH, C_TIMER, C_QUICK):
            # (The test's own stand-in for a reply by Scribe in a thread has no key.)
            keys = [metadata_key(m) for m in self.fake.bot_messages(channel)
                    if m["text"] not in self.absent_texts]
            R.check(f"{channel}: every message of Scribe has a key, none twice",
                    all(keys) and len(keys) == len(set(keys)),
                    sorted(k for k in keys if not k or keys.count(k) > 1))
        slow = [(what, round(s, 2)) for what, s in self.ack_times if s >= ACK_LIMIT]
        R.check(f"every Slack request was answered within {ACK_LIMIT} s", not slow, slow)

    def g_stop(self) -> None:
        group("SIGTERM")
        rc, seconds = self.scribe.terminate()
        R.check(f"SIGTERM exits 0 (got {rc})", rc == 0)
        log = self.scribe.log()
        for secret, name in [(self.secret, "signing secret"), (BOT_TOKEN, "bot token"),
                             (self.web_token, "web token")]:
            R.check(f"the log never shows the {name}", secret not in log)

    def run(self) -> None:
        started = time.monotonic()
        try:
            self.fake.start()
            group("start (run A: default questions and timers)")
            if not self.start():
                return
            for step in (self.g_close, self.g_thread_answers, self.g_form, self.g_first_draft,
                         self.g_draft_command, self.g_stored_then_500,
                         lambda: self.g_export(with_token=False)):
                try:
                    step()
                except Exception:
                    R.fail(f"{getattr(step, '__name__', 'step')} raised", traceback.format_exc())
            try:
                restarted = self.g_crash()
            except Exception:
                R.fail("g_crash raised", traceback.format_exc())
                restarted = self.scribe.running() or self.start(run_b=True)
            if not restarted:
                return
            for step in (lambda: self.g_export(with_token=True), self.g_timers, self.g_final):
                try:
                    step()
                except Exception:
                    R.fail(f"{getattr(step, '__name__', 'step')} raised", traceback.format_exc())
            self.g_stop()
        finally:
            finish_run(R, self.scribe, self.fake, self.work, "POSTMORTEM_E2E_KEEP",
                       {"calls.json": self.fake.calls}, store=self.db)
            print(f"took {time.monotonic() - started:.1f} s", flush=True)


def main(argv: list[str]) -> int:
    return run_scenario(argv, R, Scenario)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
