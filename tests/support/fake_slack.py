#!/usr/bin/env python3
"""A local fake of Slack's Web API, served over real TLS on 127.0.0.1, for end-to-end tests.

Follows:
  - /work/shared/PROTOCOLS.md section 5 (Web API: Bearer auth, form and JSON bodies, errors as
    HTTP 200 {"ok":false,"error":...}, HTTP 429 with Retry-After in seconds), section 2 (a slash
    command's response_url takes a JSON POST and needs no token), section 3 (thread shape: replies
    carry thread_ts = the parent's ts, the parent has thread_ts == ts and reply_count).
  - tests' copy of slackapi/slack-api-specs: /work/shared/spec/slack-web-api-openapi-v2-subset.json
    (response shapes taken from its examples: chat.postMessage, chat.postEphemeral,
    chat.getPermalink, conversations.history, conversations.replies, users.info, reactions.add,
    views.open, auth.test, and the error codes channel_not_found, thread_not_found,
    user_not_found, already_reacted, invalid_auth).
  - Slack doc pages "conversations.history method" (latest/inclusive/limit: only top-level
    messages, newest first; fetching one message is latest=ts&inclusive=true&limit=1),
    "conversations.replies method" (any ts in the thread returns the whole thread, parent first),
    "reactions.add method" / "reactions.remove method" (already_reacted, no_reaction),
    "chat.getPermalink method", "Rate limits" (429 + Retry-After).
  - Slack doc pages "chat.postMessage method" (the `metadata` argument: a JSON object
    {event_type, event_payload}, sent as an object in a JSON body or as a JSON string in a form),
    "conversations.history method" (`include_all_metadata`: messages carry `metadata` only when it
    is true; `cursor`/`limit` with response_metadata.next_cursor, "" on the last page),
    "Using message metadata" (docs.slack.dev/messaging/message-metadata: metadata travels with the
    message and is invisible to people), "Pagination" (cursors are opaque base64 strings such as
    base64("next_ts:<ts>"); an unknown one is `invalid_cursor`).
    The error codes invalid_metadata_format / invalid_metadata_schema are confirmed only by a
    secondary source [2nd] (a public client's list of Slack's metadata errors).
  - "views.open method" (the view the app opened is recorded for the test: `views()`).

Python 3 standard library only; the certificates are made with the `openssl` command line tool.
The plumbing it shares with fake_homeserver.py (body reading, answers, hangs, wait_for, the
threading server, --serve, the selftest's count) is in fake_http.py, next to this file.

In-process use (what tests/e2e/slack_e2e.py and tests/e2e/postmortem_e2e.py do):

    fake = FakeSlack(bot_token="xoxb-...")
    fake.start()                    # fake.api_url, fake.ca_file, fake.base_url
    fake.add_user("U1", "alice", display_name="Alice")
    fake.add_message("C1", "1700000000.000100", "U1", "hello")
    fake.script("reactions.add", [{"kind": "429", "retry_after": 1}])
    fake.script("chat.postMessage", [{"kind": "ok"}, {"kind": "stored_then_500"}])
    ... fake.calls(), fake.bot_messages("C1"), fake.views() ...
    fake.stop()

Manual use: `python3 fake_slack.py --serve [--token xoxb-...]` prints the API URL and the CA file
and serves until Ctrl-C; `python3 fake_slack.py --selftest` checks the fake itself.

HTTP control API (plain JSON over the same TLS server):
    POST /_fake/messages   {channel, ts, user, text, thread_ts?, bot_id?, subtype?, reactions?,
                            metadata?}
    POST /_fake/users      {id, name, display_name?, real_name?}
    POST /_fake/reactions  {channel, ts, name, user}
    POST /_fake/script     {"method": "reactions.add", "responses": [{"kind": ...}, ...]}
    GET  /_fake/calls      -> {"calls": [...]}
    POST /_fake/reset      forgets messages, users, reactions, scripts and calls
"""

from __future__ import annotations

import argparse
import base64
import collections
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

from fake_http import FakeHandler, FakeServer, FakeState, SelfTestTally, serve_until_interrupted

# The kinds a scripted response may have; "ok" means "answer normally". The stored_then_* kinds
# carry the call out (a posted message is stored and shows in history) and then lose the answer:
# the caller believes it failed, as when a process dies between Slack's write and its own ack.
SCRIPT_KINDS = ("ok", "ok_false", "429", "500", "garbage", "hang", "stored_then_500",
                "stored_then_hang")

PERMALINK_BASE = "https://fake-slack.test/archives"


# --------------------------------------------------------------------------------------------
# Certificates
# --------------------------------------------------------------------------------------------

def make_certificates(directory: str) -> tuple[str, str, str]:
    """Makes a throwaway CA and a server certificate for IP:127.0.0.1 and DNS:localhost.

    Returns (ca.pem, server.pem, server.key) paths inside `directory`. EC P-256 keys: fast to make.
    The server certificate carries the key identifiers that strict X.509 verification wants.
    """
    ca_key = os.path.join(directory, "ca.key")
    ca_pem = os.path.join(directory, "ca.pem")
    key = os.path.join(directory, "server.key")
    csr = os.path.join(directory, "server.csr")
    pem = os.path.join(directory, "server.pem")
    ext = os.path.join(directory, "server.ext")

    def run(*args: str) -> None:
        done = subprocess.run(["openssl", *args], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError("openssl " + " ".join(args[:2]) + " failed: " + done.stderr.strip())

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run("req", "-x509", *ec, "-keyout", ca_key, "-out", ca_pem, "-days", "2",
        "-subj", "/CN=Scribe e2e fake Slack CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        "-addext", "subjectKeyIdentifier=hash")
    run("req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=localhost")
    with open(ext, "w", encoding="ascii") as f:
        f.write("basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                "subjectKeyIdentifier=hash\n"
                "authorityKeyIdentifier=keyid,issuer\n")
    run("x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key, "-CAcreateserial",
        "-out", pem, "-days", "2", "-sha256", "-extfile", ext)
    return ca_pem, pem, key


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

def ts_key(ts: str) -> tuple[int, int]:
    """Slack ts "1700000000.000100" as a sortable (seconds, micros) pair."""
    seconds, _, fraction = str(ts).partition(".")
    return int(seconds or 0), int((fraction + "000000")[:6] or 0)


def truthy(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes")


def maybe_json(value):
    """Form bodies carry blocks/view as JSON strings; JSON bodies carry them as values."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def encode_cursor(ts: str) -> str:
    """A page cursor as Slack makes them: opaque base64, here of "next_ts:<ts of the next message>"."""
    return base64.b64encode(f"next_ts:{ts}".encode("ascii")).decode("ascii")


def decode_cursor(cursor: str) -> tuple[int, int] | None:
    try:
        text = base64.b64decode(cursor.encode("ascii"), validate=True).decode("ascii")
    except (ValueError, UnicodeError):
        return None
    prefix, _, ts = text.partition(":")
    if prefix != "next_ts" or "." not in ts:
        return None
    try:
        return ts_key(ts)
    except ValueError:
        return None


class FakeSlack(FakeState):
    """The fake's state and its HTTPS server. Thread-safe: every state change holds `_lock`."""

    def __init__(self, bot_token: str = "xoxb-e2e-token", bot_user_id: str = "BSCRIBE",
                 bot_id: str = "B_SCRIBE", team_id: str = "T_E2E", verbose: bool = False):
        self.bot_token = bot_token
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.team_id = team_id
        self.verbose = verbose
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._dir: str | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.ca_file = ""
        self.port = 0
        self.reset()

    # ---- lifecycle --------------------------------------------------------------------------

    def start(self) -> "FakeSlack":
        self._dir = tempfile.mkdtemp(prefix="fake-slack-")
        self.ca_file, cert, key = make_certificates(self._dir)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(cert, key)
        self._server = _Server(("127.0.0.1", 0), _Handler, self, context)
        self.port = self._server.server_address[1]
        self._thread = self._server.serve_in_thread("fake-slack")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/api"

    def response_url(self, response_id: str) -> str:
        """A response_url for a slash command or shortcut; POSTs to it are recorded."""
        return f"{self.base_url}/response/{urllib.parse.quote(str(response_id), safe='')}"

    # ---- seeding and scripting ------------------------------------------------------------

    def reset(self) -> None:
        with self._lock:
            # channel -> {ts: message dict}
            self._messages: dict[str, dict[str, dict]] = collections.defaultdict(dict)
            self._users: dict[str, dict] = {}
            # (channel, ts) -> {reaction name: [user ids]}
            self._reactions: dict[tuple[str, str], dict[str, list[str]]] = {}
            self._scripts: dict[str, collections.deque] = {}
            self._calls: list[dict] = []
            self._ephemeral: list[dict] = []
            self._views = 0
            self._opened_views: list[dict] = []   # what views.open was given, oldest first
            self._last_ts = (0, 0)
            self.hanging = 0   # connections being held by a scripted "hang" right now
            self.tls_failures: list[str] = []
            self._changed.notify_all()

    def add_user(self, user_id: str, name: str, display_name: str = "", real_name: str = "",
                 **extra) -> dict:
        user = {
            "id": user_id, "team_id": self.team_id, "name": name, "deleted": False,
            "real_name": real_name, "is_bot": False,
            "profile": {"display_name": display_name, "display_name_normalized": display_name,
                        "real_name": real_name, "real_name_normalized": real_name,
                        "team": self.team_id},
        }
        user.update(extra)
        with self._lock:
            self._users[user_id] = user
        return user

    def add_message(self, channel: str, ts: str, user: str | None, text: str,
                    thread_ts: str | None = None, bot_id: str | None = None,
                    subtype: str | None = None, reactions: list[dict] | None = None,
                    **extra) -> dict:
        """Seeds a message as if someone had posted it. `reactions`: [{"name", "users": [...]}]."""
        message: dict = {"type": "message", "ts": ts, "text": text}
        if user is not None:
            message["user"] = user
        if subtype:
            message["subtype"] = subtype
        if bot_id:
            message["bot_id"] = bot_id
        if thread_ts:
            message["thread_ts"] = thread_ts
        message.update(extra)
        with self._lock:
            self._messages[channel][ts] = message
            # Messages the fake posts later get later ts than any seeded one, as in Slack.
            self._last_ts = max(self._last_ts, ts_key(ts))
            for r in reactions or []:
                for u in r.get("users", []):
                    self._add_reaction(channel, ts, r["name"], u)
            self._changed.notify_all()
        return dict(message)

    def update_message(self, channel: str, ts: str, text: str) -> None:
        with self._lock:
            message = self._messages[channel][ts]
            message["text"] = text
            message["edited"] = {"user": message.get("user", ""), "ts": f"{time.time():.6f}"}

    def delete_message(self, channel: str, ts: str) -> None:
        with self._lock:
            self._messages[channel].pop(ts, None)
            self._reactions.pop((channel, ts), None)

    def add_reaction(self, channel: str, ts: str, name: str, user: str) -> None:
        with self._lock:
            self._add_reaction(channel, ts, name, user)

    def reactions_on(self, channel: str, ts: str) -> dict[str, list[str]]:
        with self._lock:
            return {k: list(v) for k, v in self._reactions.get((channel, ts), {}).items()}

    def message(self, channel: str, ts: str) -> dict | None:
        with self._lock:
            found = self._messages.get(channel, {}).get(ts)
            return json.loads(json.dumps(found)) if found else None

    def messages(self, channel: str) -> list[dict]:
        """Every message of `channel` (top level and thread replies), in ts order, as stored:
        with `metadata` when one was posted."""
        with self._lock:
            found = sorted(self._messages.get(channel, {}).values(), key=lambda m: ts_key(m["ts"]))
            return json.loads(json.dumps(found))

    def bot_messages(self, channel: str) -> list[dict]:
        """The messages the bot (this fake's bot_id) posted in `channel`, in ts order."""
        return [m for m in self.messages(channel) if m.get("bot_id") == self.bot_id]

    def views(self) -> list[dict]:
        """The views opened with views.open, oldest first: {"trigger_id", "id", "view", "time"},
        where `view` is exactly what the caller sent."""
        with self._lock:
            return json.loads(json.dumps(self._opened_views))

    def new_ts(self) -> str:
        """A fresh ts, later than every message so far: for seeding "just posted" messages."""
        return self._new_ts()

    def script(self, method: str, responses: list[dict]) -> None:
        """The next calls to `method` get these answers in order, then normal ones.

        Each response: {"kind": "ok"} | {"kind": "ok_false", "error": "..."} |
        {"kind": "429", "retry_after": 1} | {"kind": "500"} | {"kind": "garbage"} |
        {"kind": "hang", "seconds": 30} |
        {"kind": "stored_then_500", "delay": 0.0} (the call takes effect, then HTTP 500 after
        `delay` seconds) | {"kind": "stored_then_hang", "seconds": 30} (takes effect, then no
        answer until the client gives up or `seconds` pass).
        """
        for r in responses:
            if r.get("kind") not in SCRIPT_KINDS:
                raise ValueError(f"unknown scripted kind {r.get('kind')!r}; use one of "
                                 + ", ".join(SCRIPT_KINDS))
        with self._lock:
            self._scripts.setdefault(method, collections.deque()).extend(dict(r) for r in responses)

    def clear_script(self, method: str) -> int:
        """Drops the answers still scripted for `method`; returns how many there were."""
        with self._lock:
            return len(self._scripts.pop(method, ()))

    def pending_script(self, method: str) -> int:
        with self._lock:
            return len(self._scripts.get(method, ()))

    def calls(self, method: str | None = None) -> list[dict]:
        """A copy of the record, oldest first; only `method`'s calls if given."""
        with self._lock:
            chosen = [c for c in self._calls if method is None or c["method"] == method]
            return json.loads(json.dumps(chosen))

    def ephemeral_messages(self) -> list[dict]:
        with self._lock:
            return json.loads(json.dumps(self._ephemeral))

    # ---- internals used by the handler ------------------------------------------------------

    def _add_reaction(self, channel: str, ts: str, name: str, user: str) -> bool:
        users = self._reactions.setdefault((channel, ts), {}).setdefault(name, [])
        if user in users:
            return False
        users.append(user)
        return True

    def _finish(self, entry: dict, outcome: str, ts: str | None = None) -> None:
        with self._lock:
            entry["outcome"] = outcome
            if ts:
                entry["ts"] = ts   # what a posting call created (a message's ts)
            self._changed.notify_all()

    def _next_script(self, method: str) -> dict | None:
        with self._lock:
            queue = self._scripts.get(method)
            if queue:
                return queue.popleft()
            return None

    def _new_ts(self) -> str:
        with self._lock:
            now = time.time()
            candidate = (int(now), int((now - int(now)) * 1_000_000))
            if candidate <= self._last_ts:
                seconds, micros = self._last_ts
                micros += 1
                if micros == 1_000_000:
                    seconds, micros = seconds + 1, 0
                candidate = (seconds, micros)
            self._last_ts = candidate
            return f"{candidate[0]}.{candidate[1]:06d}"

    def _message_view(self, channel: str, message: dict, with_metadata: bool = False) -> dict:
        out = json.loads(json.dumps(message))
        # Slack returns message metadata only to callers that ask with include_all_metadata.
        if not with_metadata:
            out.pop("metadata", None)
        reactions = self._reactions.get((channel, message["ts"]), {})
        listed = [{"name": n, "users": list(u), "count": len(u)} for n, u in reactions.items() if u]
        if listed:
            out["reactions"] = listed
        if out.get("thread_ts") == out["ts"]:
            replies = [m for m in self._messages[channel].values()
                       if m.get("thread_ts") == out["ts"] and m["ts"] != out["ts"]]
            out["reply_count"] = len(replies)
            out["reply_users_count"] = len({m.get("user") for m in replies})
            if replies:
                out["latest_reply"] = max((m["ts"] for m in replies), key=ts_key)
        elif out.get("thread_ts"):
            parent = self._messages[channel].get(out["thread_ts"])
            if parent is not None and parent.get("user"):
                out.setdefault("parent_user_id", parent["user"])
        return out

    # ---- the Web API methods: each takes the parsed params, returns the JSON answer ---------

    def call_method(self, method: str, params: dict) -> dict:
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": False, "error": "unknown_method"}
        with self._lock:
            return handler(params)

    def _known_channel(self, channel) -> bool:
        return bool(channel) and channel in self._messages

    def _m_auth_test(self, p: dict) -> dict:
        return {"ok": True, "url": "https://fake-slack.test/", "team": "Scribe e2e",
                "user": "scribe", "team_id": self.team_id, "user_id": self.bot_user_id,
                "bot_id": self.bot_id, "is_enterprise_install": False}

    def _m_conversations_history(self, p: dict) -> dict:
        channel = p.get("channel")
        if not channel:
            return {"ok": False, "error": "invalid_arguments"}
        if not self._known_channel(channel):
            return {"ok": False, "error": "channel_not_found"}
        latest = ts_key(p["latest"]) if p.get("latest") else None
        oldest = ts_key(p["oldest"]) if p.get("oldest") else None
        inclusive = truthy(p.get("inclusive", False))
        with_metadata = truthy(p.get("include_all_metadata", False))
        try:
            limit = max(1, min(int(p.get("limit", 100)), 999))
        except (TypeError, ValueError):
            return {"ok": False, "error": "invalid_limit"}
        start = None
        if p.get("cursor"):
            start = decode_cursor(str(p["cursor"]))
            if start is None:
                return {"ok": False, "error": "invalid_cursor"}
        # History lists top-level messages only: thread replies live in conversations.replies.
        chosen = []
        for m in self._messages[channel].values():
            if m.get("thread_ts") and m["thread_ts"] != m["ts"] and m.get("subtype") != "thread_broadcast":
                continue
            k = ts_key(m["ts"])
            if latest is not None and (k > latest or (k == latest and not inclusive)):
                continue
            if oldest is not None and (k < oldest or (k == oldest and not inclusive)):
                continue
            chosen.append(m)
        chosen.sort(key=lambda m: ts_key(m["ts"]), reverse=True)
        if start is not None:   # the page starts at the message the cursor names (newest first)
            chosen = [m for m in chosen if ts_key(m["ts"]) <= start]
        page, rest = chosen[:limit], chosen[limit:]
        return {"ok": True,
                "messages": [self._message_view(channel, m, with_metadata) for m in page],
                "has_more": bool(rest), "pin_count": 0,
                "response_metadata": {"next_cursor": encode_cursor(rest[0]["ts"]) if rest else ""}}

    def _m_conversations_replies(self, p: dict) -> dict:
        channel, ts = p.get("channel"), p.get("ts")
        if not channel or not ts:
            return {"ok": False, "error": "invalid_arguments"}
        if not self._known_channel(channel):
            return {"ok": False, "error": "channel_not_found"}
        message = self._messages[channel].get(ts)
        if message is None:
            return {"ok": False, "error": "thread_not_found"}
        root_ts = message.get("thread_ts") or ts
        root = self._messages[channel].get(root_ts)
        if root is None:
            return {"ok": False, "error": "thread_not_found"}
        replies = [m for m in self._messages[channel].values()
                   if m.get("thread_ts") == root_ts and m["ts"] != root_ts]
        replies.sort(key=lambda m: ts_key(m["ts"]))
        with_metadata = truthy(p.get("include_all_metadata", False))
        messages = [self._message_view(channel, m, with_metadata) for m in [root] + replies]
        return {"ok": True, "messages": messages, "has_more": False,
                "response_metadata": {"next_cursor": ""}}

    def _m_chat_getPermalink(self, p: dict) -> dict:
        channel, ts = p.get("channel"), p.get("message_ts")
        if not channel or not ts:
            return {"ok": False, "error": "invalid_arguments"}
        if not self._known_channel(channel):
            return {"ok": False, "error": "channel_not_found"}
        if ts not in self._messages[channel]:
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": channel,
                "permalink": f"{PERMALINK_BASE}/{channel}/p{ts.replace('.', '')}"}

    def _m_users_info(self, p: dict) -> dict:
        user = self._users.get(p.get("user") or "")
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": json.loads(json.dumps(user))}

    def _reaction_target(self, p: dict) -> tuple[tuple[str, str, str] | None, dict | None]:
        """(channel, name, timestamp) of a reactions.add/remove call, or the error to answer."""
        channel, name, ts = p.get("channel"), p.get("name"), p.get("timestamp")
        if not channel or not name or not ts:
            return None, {"ok": False, "error": "invalid_arguments"}
        if not self._known_channel(channel):
            return None, {"ok": False, "error": "channel_not_found"}
        if ts not in self._messages[channel]:
            return None, {"ok": False, "error": "message_not_found"}
        return (channel, name, ts), None

    def _m_reactions_add(self, p: dict) -> dict:
        target, error = self._reaction_target(p)
        if error:
            return error
        channel, name, ts = target
        if not self._add_reaction(channel, ts, name, self.bot_user_id):
            return {"ok": False, "error": "already_reacted"}
        return {"ok": True}

    def _m_reactions_remove(self, p: dict) -> dict:
        target, error = self._reaction_target(p)
        if error:
            return error
        channel, name, ts = target
        users = self._reactions.get((channel, ts), {}).get(name, [])
        if self.bot_user_id not in users:
            return {"ok": False, "error": "no_reaction"}
        users.remove(self.bot_user_id)
        return {"ok": True}

    def _m_chat_postMessage(self, p: dict) -> dict:
        channel = p.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        text, blocks = p.get("text"), maybe_json(p.get("blocks"))
        if not text and not blocks:
            return {"ok": False, "error": "no_text"}
        if blocks is not None and not isinstance(blocks, list):
            return {"ok": False, "error": "invalid_blocks"}
        metadata = None
        if p.get("metadata") is not None:
            metadata = maybe_json(p.get("metadata"))
            if not isinstance(metadata, dict):
                return {"ok": False, "error": "invalid_metadata_format"}
            if not isinstance(metadata.get("event_type"), str) or not metadata["event_type"] \
                    or not isinstance(metadata.get("event_payload"), dict):
                return {"ok": False, "error": "invalid_metadata_schema"}
        ts = self._new_ts()
        message = {"type": "message", "user": self.bot_user_id, "bot_id": self.bot_id,
                   "app_id": "A_SCRIBE", "text": text or "", "ts": ts, "team": self.team_id}
        if blocks:
            message["blocks"] = blocks
        if metadata is not None:
            message["metadata"] = metadata
        thread_ts = p.get("thread_ts")
        if thread_ts:
            message["thread_ts"] = thread_ts
            parent = self._messages[channel].get(thread_ts)
            if parent is not None:
                parent.setdefault("thread_ts", thread_ts)
        self._messages[channel][ts] = message
        shown = json.loads(json.dumps(message))
        shown.pop("metadata", None)
        return {"ok": True, "channel": channel, "ts": ts, "message": shown}

    def _m_chat_postEphemeral(self, p: dict) -> dict:
        channel, user = p.get("channel"), p.get("user")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not user:
            return {"ok": False, "error": "user_not_in_channel"}
        if not p.get("text") and not p.get("blocks"):
            return {"ok": False, "error": "no_text"}
        ts = self._new_ts()
        self._ephemeral.append({"channel": channel, "user": user, "text": p.get("text", ""),
                                "blocks": maybe_json(p.get("blocks")), "message_ts": ts,
                                "thread_ts": p.get("thread_ts")})
        return {"ok": True, "message_ts": ts}

    def _m_views_open(self, p: dict) -> dict:
        view = maybe_json(p.get("view"))
        if not p.get("trigger_id"):
            return {"ok": False, "error": "invalid_arguments",
                    "response_metadata": {"messages": ["[ERROR] missing required field: trigger_id"]}}
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments",
                    "response_metadata": {"messages": ["[ERROR] missing required field: view"]}}
        self._views += 1
        view_id = f"V{self._views}"
        answer = dict(view)
        answer.update({"id": view_id, "team_id": self.team_id, "root_view_id": view_id,
                       "hash": f"{int(time.time())}.{self._views:08x}", "bot_id": self.bot_id,
                       "state": {"values": {}}})
        self._opened_views.append({"trigger_id": p.get("trigger_id"), "id": view_id,
                                   "view": json.loads(json.dumps(view)), "time": time.time()})
        return {"ok": True, "view": answer}


# --------------------------------------------------------------------------------------------
# HTTP server
# --------------------------------------------------------------------------------------------

class _Server(FakeServer):
    def __init__(self, address, handler, fake: FakeSlack, context: ssl.SSLContext):
        self.ssl_context = context
        super().__init__(address, handler, fake)

    # The TLS handshake runs in the connection's own thread, so a client that connects and never
    # handshakes cannot stall the accept loop.
    def finish_request(self, request, client_address):
        request.settimeout(10)
        try:
            tls = self.ssl_context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError) as e:
            with self.fake._lock:
                self.fake.tls_failures.append(f"{client_address}: {e}")
            return
        try:
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass


class _Handler(FakeHandler):
    server_version = "fake-slack/1"
    log_name = "fake-slack"

    # ---- plumbing ---------------------------------------------------------------------------

    def _parse_params(self, body: bytes, query: str) -> tuple[dict, str | None]:
        """Merged query + body parameters, and an error code if the body cannot be read."""
        params: dict = {}
        for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True):
            params[k] = v
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if not body:
            return params, None
        if media == "application/json":
            try:
                value = json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                return params, "invalid_json"
            if not isinstance(value, dict):
                return params, "invalid_json"
            params.update(value)
            return params, None
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return params, "invalid_form_data"
        for k, v in urllib.parse.parse_qsl(text, keep_blank_values=True):
            params[k] = v
        return params, None

    # A hang (FakeHandler._hang) watches for the client closing. A TLS socket cannot peek: this
    # reads one byte (and drops it; the connection is closed after the hang anyway).
    def _client_gone(self, sock) -> bool:
        try:
            sock.settimeout(0.1)
            data = sock.recv(1)
        except (ssl.SSLWantReadError, socket.timeout):
            return False
        except (OSError, ssl.SSLError):
            return True
        return not data

    # ---- routes -----------------------------------------------------------------------------

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch()

    def _dispatch(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        body = self._read_body()
        path = url.path
        if path.startswith("/_fake/"):
            self._control(path[len("/_fake/"):], body)
        elif path.startswith("/api/"):
            self._api(urllib.parse.unquote(path[len("/api/"):]), body, url.query, path)
        elif path.startswith("/response/"):
            self._response_url(urllib.parse.unquote(path[len("/response/"):]), body, url.query, path)
        else:
            self._send(404, b"not found\n", "text/plain")

    def _api(self, method: str, body: bytes, query: str, path: str) -> None:
        fake = self.fake
        params, parse_error = self._parse_params(body, query)
        auth = self.headers.get("Authorization") or ""
        authorized = auth == "Bearer " + fake.bot_token
        entry = fake._record({
            "path": path, "method": method, "http_method": self.command, "params": params,
            "content_type": self.headers.get("Content-Type") or "", "authorized": authorized,
            "outcome": "pending",
        })
        if not authorized:
            error = "not_authed" if not auth.strip() else "invalid_auth"
            fake._finish(entry, "ok_false:" + error)
            self._send_json(200, {"ok": False, "error": error})
            return
        if parse_error:
            fake._finish(entry, "ok_false:" + parse_error)
            self._send_json(200, {"ok": False, "error": parse_error})
            return
        scripted = fake._next_script(method)
        kind = scripted.get("kind") if scripted else "ok"
        if kind == "ok_false":
            error = scripted.get("error", "internal_error")
            fake._finish(entry, "ok_false:" + error)
            self._send_json(200, {"ok": False, "error": error})
        elif kind == "429":
            retry_after = int(scripted.get("retry_after", 1))
            fake._finish(entry, "429")
            self._send_json(429, {"ok": False, "error": "ratelimited"},
                            headers={"Retry-After": retry_after})
        elif kind == "500":
            fake._finish(entry, "500")
            self._send(500, b"<html><body>Internal Server Error</body></html>",
                       "text/html; charset=utf-8")
        elif kind == "garbage":
            fake._finish(entry, "garbage")
            self._send(200, b"{\"ok\": tru<html>garbage", "application/json; charset=utf-8")
        elif kind == "hang":
            fake._finish(entry, "hang")
            self._hang(float(scripted.get("seconds", 30)))
        elif kind in ("stored_then_500", "stored_then_hang"):
            answer = fake.call_method(method, params)   # it happens...
            fake._finish(entry, kind if answer.get("ok") else kind + ":ok_false:" + str(answer.get("error")),
                         answer.get("ts"))
            if kind == "stored_then_500":                # ...but the caller never hears of it
                time.sleep(float(scripted.get("delay", 0)))
                self._send(500, b"<html><body>Internal Server Error</body></html>",
                           "text/html; charset=utf-8")
            else:
                self._hang(float(scripted.get("seconds", 30)))
        else:
            answer = fake.call_method(method, params)
            fake._finish(entry, "ok" if answer.get("ok") else "ok_false:" + str(answer.get("error")),
                         answer.get("ts"))
            self._send_json(200, answer)

    def _response_url(self, response_id: str, body: bytes, query: str, path: str) -> None:
        params, parse_error = self._parse_params(body, query)
        params["response_id"] = response_id
        entry = self.fake._record({
            "path": path, "method": "response_url", "http_method": self.command,
            "params": params, "content_type": self.headers.get("Content-Type") or "",
            "authorized": True, "outcome": "pending",
        })
        if self.command != "POST" or parse_error:
            self.fake._finish(entry, "ok_false:" + (parse_error or "method_not_allowed"))
            self._send(400, b"invalid_payload", "text/plain")
            return
        self.fake._finish(entry, "ok")
        self._send(200, b"ok", "text/plain")

    def _control(self, what: str, body: bytes) -> None:
        fake = self.fake
        try:
            data = json.loads(body.decode("utf-8")) if body else {}
        except ValueError:
            self._send_json(400, {"ok": False, "error": "invalid_json"})
            return
        try:
            if what == "calls" and self.command in ("GET", "HEAD"):
                self._send_json(200, {"ok": True, "calls": fake.calls(data.get("method"))})
                return
            if self.command != "POST":
                self._send_json(405, {"ok": False, "error": "use POST"})
                return
            if what == "messages":
                extra = {"metadata": data["metadata"]} if data.get("metadata") else {}
                msg = fake.add_message(data["channel"], data["ts"], data.get("user"),
                                       data.get("text", ""), data.get("thread_ts"),
                                       data.get("bot_id"), data.get("subtype"),
                                       data.get("reactions"), **extra)
                self._send_json(200, {"ok": True, "message": msg})
            elif what == "users":
                user = fake.add_user(data["id"], data.get("name", data["id"].lower()),
                                     data.get("display_name", ""), data.get("real_name", ""))
                self._send_json(200, {"ok": True, "user": user})
            elif what == "reactions":
                fake.add_reaction(data["channel"], data["ts"], data["name"], data["user"])
                self._send_json(200, {"ok": True})
            elif what == "script":
                fake.script(data["method"], data["responses"])
                self._send_json(200, {"ok": True, "pending": fake.pending_script(data["method"])})
            elif what == "reset":
                fake.reset()
                self._send_json(200, {"ok": True})
            else:
                self._send_json(404, {"ok": False, "error": "unknown control " + what})
        except (KeyError, TypeError, ValueError) as e:
            self._send_json(400, {"ok": False, "error": f"bad control request: {e!r}"})


# --------------------------------------------------------------------------------------------
# Self-test and manual serving
# --------------------------------------------------------------------------------------------

class _Client:
    """A keep-alive HTTPS client that verifies the fake's certificate with its ca.pem."""

    def __init__(self, fake: FakeSlack, token: str | None):
        context = ssl.create_default_context(cafile=fake.ca_file)
        self.conn = http.client.HTTPSConnection("127.0.0.1", fake.port, context=context, timeout=10)
        self.token = token

    def call(self, method: str, params: dict, as_json: bool = False, path: str | None = None):
        headers = {}
        if self.token is not None:
            headers["Authorization"] = "Bearer " + self.token
        if as_json:
            body = json.dumps(params).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        else:
            body = urllib.parse.urlencode(params).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request("POST", path or "/api/" + method, body=body, headers=headers)
        r = self.conn.getresponse()
        raw = r.read()
        return r.status, dict(r.getheaders()), raw

    def json(self, method: str, params: dict, as_json: bool = False) -> dict:
        status, _, raw = self.call(method, params, as_json)
        assert status == 200, (method, status, raw)
        return json.loads(raw)


def selftest() -> int:
    tally = SelfTestTally()
    check = tally.check

    token = "xoxb-selftest"
    with FakeSlack(bot_token=token) as fake:
        fake.add_user("U1", "alice", display_name="Alice A.", real_name="Alice Anders")
        fake.add_message("C1", "1700000000.000100", "U1", "parent", thread_ts="1700000000.000100")
        fake.add_message("C1", "1700000000.000200", "U1", "reply", thread_ts="1700000000.000100")
        fake.add_message("C1", "1700000000.000300", "U1", "alone")
        c = _Client(fake, token)

        # Real TLS, verified against ca.pem with the host name checked (IP SAN 127.0.0.1).
        r = c.json("auth.test", {})
        check("auth.test ok", r.get("ok") is True and r.get("user_id") == "BSCRIBE", r)
        check("keep-alive: the same socket serves several requests", c.conn.sock is not None)
        sock_before = c.conn.sock

        r = c.json("conversations.history", {"channel": "C1", "latest": "1700000000.000300",
                                             "inclusive": "true", "limit": "1"})
        check("history returns the message at latest", [m["ts"] for m in r["messages"]] == ["1700000000.000300"], r)
        r = c.json("conversations.history", {"channel": "C1", "latest": "1700000000.000200",
                                             "inclusive": True, "limit": 1}, as_json=True)
        check("history does not return a thread reply (JSON body)",
              [m["ts"] for m in r["messages"]] == ["1700000000.000100"], r)
        check("history shows the parent's reply_count", r["messages"][0].get("reply_count") == 1, r)
        r = c.json("conversations.history", {"channel": "C1", "latest": "1700000000.000300",
                                             "inclusive": "false", "limit": "1"})
        check("history exclusive of latest", [m["ts"] for m in r["messages"]] == ["1700000000.000100"], r)
        r = c.json("conversations.history", {"channel": "C404"})
        check("history of an unknown channel", r == {"ok": False, "error": "channel_not_found"}, r)

        r = c.json("conversations.replies", {"channel": "C1", "ts": "1700000000.000200"})
        check("replies from a reply: parent first", [m["ts"] for m in r["messages"]] ==
              ["1700000000.000100", "1700000000.000200"], r)
        r = c.json("conversations.replies", {"channel": "C1", "ts": "1700000000.000300"})
        check("replies of a message in no thread: itself", [m["ts"] for m in r["messages"]] ==
              ["1700000000.000300"], r)
        r = c.json("conversations.replies", {"channel": "C1", "ts": "1.000001"})
        check("replies of an unknown ts", r.get("error") == "thread_not_found", r)

        r = c.json("chat.getPermalink", {"channel": "C1", "message_ts": "1700000000.000200"})
        check("permalink", r.get("permalink") == "https://fake-slack.test/archives/C1/p1700000000000200", r)
        r = c.json("users.info", {"user": "U1"})
        check("users.info", r.get("ok") and r["user"]["profile"]["display_name"] == "Alice A."
              and r["user"]["name"] == "alice" and r["user"]["real_name"] == "Alice Anders", r)
        r = c.json("users.info", {"user": "U404"})
        check("users.info unknown", r == {"ok": False, "error": "user_not_found"}, r)

        r = c.json("reactions.add", {"channel": "C1", "name": "memo", "timestamp": "1700000000.000300"}, as_json=True)
        check("reactions.add", r == {"ok": True}, r)
        r = c.json("reactions.add", {"channel": "C1", "name": "memo", "timestamp": "1700000000.000300"}, as_json=True)
        check("reactions.add twice: already_reacted", r == {"ok": False, "error": "already_reacted"}, r)
        r = c.json("conversations.history", {"channel": "C1", "latest": "1700000000.000300",
                                             "inclusive": "true", "limit": "1"})
        check("history shows the reaction", r["messages"][0].get("reactions") ==
              [{"name": "memo", "users": ["BSCRIBE"], "count": 1}], r)
        r = c.json("reactions.remove", {"channel": "C1", "name": "memo", "timestamp": "1700000000.000300"}, as_json=True)
        check("reactions.remove", r == {"ok": True}, r)
        r = c.json("reactions.remove", {"channel": "C1", "name": "memo", "timestamp": "1700000000.000300"}, as_json=True)
        check("reactions.remove absent: no_reaction", r == {"ok": False, "error": "no_reaction"}, r)

        r = c.json("chat.postMessage", {"channel": "C1", "text": "hi", "blocks": [{"type": "section",
                   "text": {"type": "mrkdwn", "text": "hi"}}]}, as_json=True)
        check("chat.postMessage", r.get("ok") and r["message"]["bot_id"] == "B_SCRIBE" and r["channel"] == "C1", r)
        posted = r.get("ts")
        r2 = c.json("chat.postMessage", {"channel": "C1", "text": "again"}, as_json=True)
        check("chat.postMessage ts unique and increasing", ts_key(r2["ts"]) > ts_key(posted), (posted, r2))
        r = c.json("conversations.history", {"channel": "C1", "latest": posted, "inclusive": "1", "limit": "1"})
        check("history shows a posted message", r["messages"] and r["messages"][0]["ts"] == posted, r)
        r = c.json("chat.postMessage", {"channel": "C1"}, as_json=True)
        check("chat.postMessage without text", r.get("error") == "no_text", r)
        r = c.json("chat.postEphemeral", {"channel": "C1", "user": "U1", "text": "psst"}, as_json=True)
        check("chat.postEphemeral", r.get("ok") and "message_ts" in r, r)
        r = c.json("views.open", {"trigger_id": "1.2.3", "view": json.dumps({"type": "modal", "title": {
            "type": "plain_text", "text": "x"}, "blocks": []})})
        check("views.open (view as a form string)", r.get("ok") and r["view"]["id"] == "V1", r)
        r = c.json("no.such.method", {})
        check("unknown method", r == {"ok": False, "error": "unknown_method"}, r)
        check("keep-alive held over all calls", c.conn.sock is sock_before)

        # Message metadata: stored with the message, shown only to include_all_metadata.
        meta = {"event_type": "scribe_post", "event_payload": {"key": "ask 1#1"}}
        r = c.json("chat.postMessage", {"channel": "C3", "text": "with metadata", "metadata": meta},
                   as_json=True)
        check("chat.postMessage with metadata (JSON body)", r.get("ok") is True, r)
        check("the posted message in the answer carries no metadata", "metadata" not in r.get("message", {}), r)
        meta_ts = r.get("ts")
        r = c.json("chat.postMessage", {"channel": "C3", "text": "form metadata",
                                        "metadata": json.dumps({"event_type": "scribe_post",
                                                                "event_payload": {"key": "ask 1#2"}})})
        check("chat.postMessage with metadata (a form field's JSON string)", r.get("ok") is True, r)
        r = c.json("conversations.history", {"channel": "C3", "limit": "10"})
        check("history without include_all_metadata: no metadata",
              len(r["messages"]) == 2 and all("metadata" not in m for m in r["messages"]), r)
        r = c.json("conversations.history", {"channel": "C3", "limit": "10", "include_all_metadata": "true"})
        check("history with include_all_metadata: each message's metadata, newest first",
              [m.get("metadata", {}).get("event_payload", {}).get("key") for m in r["messages"]]
              == ["ask 1#2", "ask 1#1"] and r["messages"][1]["metadata"] == meta, r)
        r = c.json("conversations.replies", {"channel": "C3", "ts": meta_ts, "include_all_metadata": True},
                   as_json=True)
        check("replies with include_all_metadata", r["messages"][0].get("metadata") == meta, r)
        r = c.json("conversations.replies", {"channel": "C3", "ts": meta_ts})
        check("replies without include_all_metadata", "metadata" not in r["messages"][0], r)
        r = c.json("chat.postMessage", {"channel": "C3", "text": "x", "metadata": "{not json"})
        check("metadata that is not JSON: invalid_metadata_format", r.get("error") == "invalid_metadata_format", r)
        r = c.json("chat.postMessage", {"channel": "C3", "text": "x", "metadata": {"event_payload": {}}},
                   as_json=True)
        check("metadata without event_type: invalid_metadata_schema", r.get("error") == "invalid_metadata_schema", r)
        bots = fake.bot_messages("C3")
        check("bot_messages: the bot's posts in ts order, with metadata",
              [m["text"] for m in bots] == ["with metadata", "form metadata"] and bots[0]["metadata"] == meta, bots)

        # Paging: cursor and limit, a real next_cursor, "" on the last page.
        for i in range(5):
            fake.add_message("C4", f"1700000100.{i + 1:06d}", "U1", f"m{i + 1}")
        seen, cursor, pages = [], None, 0
        while True:
            params = {"channel": "C4", "limit": "2"}
            if cursor:
                params["cursor"] = cursor
            r = c.json("conversations.history", params)
            pages += 1
            seen += [m["text"] for m in r["messages"]]
            cursor = r["response_metadata"]["next_cursor"]
            check(f"page {pages}: has_more matches next_cursor", r["has_more"] == bool(cursor), r)
            if not cursor or pages > 5:
                break
        check("paging: 3 pages of 2, 2, 1, newest first, nothing twice",
              pages == 3 and seen == ["m5", "m4", "m3", "m2", "m1"], (pages, seen))
        r = c.json("conversations.history", {"channel": "C4", "limit": "2", "oldest": "1700000100.000002"})
        check("paging respects oldest", [m["text"] for m in r["messages"]] == ["m5", "m4"]
              and r["has_more"] is True, r)
        r = c.json("conversations.history", {"channel": "C4", "cursor": "bm90IGEgY3Vyc29y"})
        check("an unknown cursor: invalid_cursor", r == {"ok": False, "error": "invalid_cursor"}, r)
        check("seeding keeps the fake's own ts later", ts_key(fake.new_ts()) > ts_key("1700000100.000005"))

        # stored_then_500 / stored_then_hang: the message exists, the caller hears of a failure.
        fake.script("chat.postMessage", [{"kind": "stored_then_500"}, {"kind": "stored_then_hang", "seconds": 30}])
        status, _, _ = c.call("chat.postMessage", {"channel": "C5", "text": "lost ack", "metadata": meta},
                              as_json=True)
        check("stored_then_500: HTTP 500", status == 500, status)
        r = c.json("conversations.history", {"channel": "C5", "include_all_metadata": "1"})
        check("stored_then_500: the message is in history, with its metadata",
              [m["text"] for m in r["messages"]] == ["lost ack"] and r["messages"][0].get("metadata") == meta, r)
        hung = _Client(fake, token)
        hung.conn.timeout = 1.0
        timed_out = False
        try:
            hung.call("chat.postMessage", {"channel": "C5", "text": "lost in a hang"}, as_json=True)
        except (socket.timeout, TimeoutError):
            timed_out = True
        check("stored_then_hang: no answer", timed_out)
        hung.conn.close()
        check("stored_then_hang: the message is stored anyway",
              [m["text"] for m in fake.bot_messages("C5")] == ["lost ack", "lost in a hang"], fake.bot_messages("C5"))
        check("stored_then_hang: the fake lets go when the client does",
              fake.wait_for(lambda f: f.hanging == 0, 2.0) is not None, fake.hanging)
        posted = [x for x in fake.calls("chat.postMessage") if x["params"].get("channel") == "C5"]
        check("the record: stored_then_* outcomes and the ts each one created",
              [x["outcome"] for x in posted] == ["stored_then_500", "stored_then_hang"]
              and all(x.get("ts") for x in posted), posted)
        try:
            fake.script("chat.postMessage", [{"kind": "stored_then_nothing"}])
            check("an unknown scripted kind is refused", False)
        except ValueError:
            check("an unknown scripted kind is refused", True)

        # views.open records what it was given.
        opened = fake.views()
        check("views(): the view as sent, with its trigger_id and the id given",
              len(opened) == 1 and opened[0]["trigger_id"] == "1.2.3" and opened[0]["id"] == "V1"
              and opened[0]["view"]["title"]["text"] == "x" and "state" not in opened[0]["view"], opened)

        # Auth.
        r = _Client(fake, None).json("auth.test", {})
        check("no token: not_authed", r == {"ok": False, "error": "not_authed"}, r)
        r = _Client(fake, "xoxb-wrong").json("auth.test", {})
        check("wrong token: invalid_auth", r == {"ok": False, "error": "invalid_auth"}, r)

        # Scripted failures, in order, then normal answers.
        fake.script("reactions.add", [{"kind": "ok_false", "error": "internal_error"},
                                      {"kind": "429", "retry_after": 2}, {"kind": "500"},
                                      {"kind": "garbage"}, {"kind": "hang", "seconds": 30}])
        p = {"channel": "C1", "name": "eyes", "timestamp": "1700000000.000100"}
        r = c.json("reactions.add", p)
        check("scripted ok_false", r == {"ok": False, "error": "internal_error"}, r)
        status, headers, raw = c.call("reactions.add", p)
        check("scripted 429 with Retry-After", status == 429 and headers.get("Retry-After") == "2",
              (status, headers))
        status, _, raw = c.call("reactions.add", p)
        check("scripted 500", status == 500, status)
        status, _, raw = c.call("reactions.add", p)
        bad = False
        try:
            json.loads(raw)
        except ValueError:
            bad = True
        check("scripted garbage", status == 200 and bad, raw)
        # The hang: the client gives up after 1 s; the fake notices the close.
        hung = _Client(fake, token)
        hung.conn.timeout = 1.0
        started = time.monotonic()
        timed_out = False
        try:
            hung.call("reactions.add", p)
        except (socket.timeout, TimeoutError):
            timed_out = True
        check("scripted hang: no answer within the client's timeout", timed_out and
              time.monotonic() - started >= 0.9)
        check("the fake holds the hung connection", fake.hanging == 1, fake.hanging)
        hung.conn.close()
        check("the fake notices when the client gives up",
              fake.wait_for(lambda f: f.hanging == 0, 2.0) is not None, fake.hanging)
        r = c.json("reactions.add", p)
        check("after the script: normal answers", r == {"ok": True}, r)
        outcomes = [x["outcome"] for x in fake.calls("reactions.add") if x["params"].get("name") == "eyes"]
        check("the record holds the scripted outcomes", outcomes ==
              ["ok_false:internal_error", "429", "500", "garbage", "hang", "ok"], outcomes)

        # response_url.
        status, _, raw = c.call("", {"text": "hello", "response_type": "ephemeral"}, as_json=True,
                                path="/response/7")
        check("response_url answers 200 ok", status == 200 and raw == b"ok", (status, raw))
        rec = fake.calls("response_url")
        check("response_url is recorded", rec and rec[-1]["params"]["text"] == "hello"
              and rec[-1]["params"]["response_id"] == "7", rec)

        # The record's fields.
        calls = fake.calls()
        first = calls[0]
        check("record fields", set(first) >= {"seq", "path", "method", "params", "authorized", "outcome"}, first)
        check("seq increases", [x["seq"] for x in calls] == list(range(1, len(calls) + 1)))
        check("form params are parsed", any(x["method"] == "conversations.history" and
                                            x["params"].get("limit") == "1" for x in calls))

        # The HTTP control API.
        ctl = _Client(fake, None)
        status, _, raw = ctl.call("", {"channel": "C2", "ts": "1700000001.000001", "user": "U1",
                                       "text": "seeded"}, as_json=True, path="/_fake/messages")
        check("control: seed a message", status == 200, raw)
        status, _, raw = ctl.call("", {"id": "U2", "name": "bob", "display_name": ""}, as_json=True,
                                  path="/_fake/users")
        check("control: seed a user", status == 200, raw)
        status, _, raw = ctl.call("", {"method": "users.info", "responses": [{"kind": "500"}]},
                                  as_json=True, path="/_fake/script")
        check("control: script", status == 200, raw)
        status, _, _ = c.call("users.info", {"user": "U2"})
        check("control: the script applies", status == 500, status)
        r = c.json("users.info", {"user": "U2"})
        check("control: the seeded user", r.get("ok") and r["user"]["name"] == "bob", r)
        r = c.json("conversations.history", {"channel": "C2", "latest": "1700000001.000001",
                                             "inclusive": "true", "limit": "1"})
        check("control: the seeded message", r["messages"][0]["text"] == "seeded", r)
        ctl.conn.request("GET", "/_fake/calls")
        resp = ctl.conn.getresponse()
        body = json.loads(resp.read())
        check("control: GET calls", resp.status == 200 and len(body["calls"]) == len(fake.calls()), body.keys())
        status, _, raw = ctl.call("", {}, as_json=True, path="/_fake/reset")
        check("control: reset", status == 200 and fake.calls() == [], raw)

        # A client that does not trust the CA is refused by its own verification.
        untrusting = ssl.create_default_context()
        conn = http.client.HTTPSConnection("127.0.0.1", fake.port, context=untrusting, timeout=5)
        refused = False
        try:
            conn.request("POST", "/api/auth.test")
            conn.getresponse().read()
        except ssl.SSLCertVerificationError:
            refused = True
        check("a client without ca.pem does not trust the fake", refused)
        check("and the fake records the failed handshake",
              fake.wait_for(lambda f: f.tls_failures, 2.0) is not None)
        # localhost is in the certificate too.
        conn = http.client.HTTPSConnection("localhost", fake.port,
                                           context=ssl.create_default_context(cafile=fake.ca_file),
                                           timeout=5)
        try:
            conn.request("POST", "/api/auth.test", headers={"Authorization": "Bearer " + token})
            ok = json.loads(conn.getresponse().read()).get("ok") is True
        except OSError:
            ok = False   # localhost may resolve to ::1 first; the fake listens on 127.0.0.1 only
        check("DNS:localhost verifies", ok)

    print(f"fake_slack selftest: {tally.passes} passed, {len(tally.failures)} failed")
    return 0 if not tally.failures else 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--selftest", action="store_true", help="check the fake itself")
    parser.add_argument("--serve", action="store_true", help="serve until Ctrl-C")
    parser.add_argument("--token", default="xoxb-e2e-token", help="the bot token it accepts")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.selftest:
        return selftest()
    if args.serve:   # stopping on SIGTERM too removes the certificates' directory
        return serve_until_interrupted(
            lambda: FakeSlack(bot_token=args.token, verbose=args.verbose).start(),
            lambda fake: f"api_url={fake.api_url}\nca_file={fake.ca_file}\ncontrol={fake.base_url}/_fake/")
    parser.print_help()
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
