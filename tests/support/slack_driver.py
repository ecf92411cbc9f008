#!/usr/bin/env python3
"""Sends requests to Scribe exactly as Slack does: signed slash commands, events and interactions.

Follows /work/shared/PROTOCOLS.md:
  - section 1 "Request signing": X-Slack-Request-Timestamp (Unix seconds) and X-Slack-Signature =
    "v0=" + lowercase hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body)), the
    5-minute window, ssl_check=1 (Slack doc page "Verifying requests from Slack").
  - section 2 "Slash commands": a form body with token, team_id, team_domain, channel_id,
    channel_name, user_id, user_name, command, text, response_url, trigger_id, api_app_id (bolt-js
    `SlashCommand`; the order is that of the signing test vector).
  - section 3 "Events API": url_verification; event_callback envelopes {token, team_id,
    api_app_id, event{...}, type, event_id, event_time, authorizations[...], event_context,
    is_ext_shared_channel} (bolt-js `EnvelopedEvent`, /work/shared/spec/slack-events-wrapper-schema.json
    without the deprecated authed_users); X-Slack-Retry-Num / X-Slack-Retry-Reason on retries;
    event shapes of reaction_added/removed, app_mention, message (message_changed,
    message_deleted) from node-slack-sdk `packages/types/src/events/*.ts`.
  - section 4 "Interactivity": a form body with one `payload` field holding the JSON; the message
    shortcut `message_action` payload (bolt-js `MessageShortcut`); a button click `block_actions`
    (bolt-js `src/types/actions/block-action.ts` BlockAction + ButtonAction: type, team, user,
    api_app_id, token, container, trigger_id, channel, message, response_url, actions[{type
    "button", action_id, block_id, value, text, action_ts}], state?, is_enterprise_install); a
    modal's `view_submission` (bolt-js `src/types/view/index.ts` ViewSubmitAction: type, team,
    user, view{id, type, callback_id, private_metadata, blocks, title, state{values{block_id:
    {action_id: {type, value}}}}, hash, root_view_id, app_id, bot_id, ...}, api_app_id, token,
    trigger_id, response_urls, is_enterprise_install). An empty optional plain_text_input is
    {"type": "plain_text_input", "value": null}.
  - section 3 for thread replies: a `message` event with thread_ts = the parent's ts and
    parent_user_id, no subtype; or subtype `thread_broadcast` with a `root` (node-slack-sdk
    `message.ts` GenericMessageEvent / ThreadBroadcastMessageEvent).

Python 3 standard library only. The self-check `python3 slack_driver.py` verifies the signer
against the official test vector of PROTOCOLS.md ("Test vectors" 1).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field

# Slack's own test vector (PROTOCOLS.md, "Test vectors and fixtures" 1).
VECTOR_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
VECTOR_TIMESTAMP = "1531420618"
VECTOR_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGl"
    "gcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
VECTOR_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def slack_ts_to_micros(ts: str) -> int:
    """A Slack ts "1700000000.000123" as integer microseconds since the epoch."""
    seconds, _, fraction = ts.partition(".")
    return int(seconds) * 1_000_000 + int((fraction + "000000")[:6])


@dataclass
class Prepared:
    """A request as Slack would send it, before signing: path, raw body and content type."""
    path: str
    body: bytes
    content_type: str
    what: str = ""                                # for messages: "slash open", "event reaction_added"
    extra_headers: dict = field(default_factory=dict)
    event_id: str | None = None                   # events only
    response_url: str | None = None               # commands and interactions


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes
    seconds: float                                # how long Scribe took to answer

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def header(self, name: str) -> str:
        for k, v in self.headers.items():
            if k.lower() == name.lower():
                return v
        return ""

    def __repr__(self) -> str:
        shown = self.text if len(self.body) <= 300 else self.text[:300] + "..."
        return f"<HTTP {self.status} {shown!r}>"


class SlackDriver:
    """Builds, signs and sends Slack's requests to one Scribe.

    `scribe_url` is Scribe's base URL (http://127.0.0.1:<port>); `response_url_for(n)` gives the
    response_url each command or interaction carries (the fake's /response/<n>).
    Not thread-safe; one driver per test thread.
    """

    def __init__(self, scribe_url: str, signing_secret: str, response_url_for=None,
                 team_id: str = "T_E2E", team_domain: str = "scribe-e2e",
                 api_app_id: str = "A_SCRIBE", bot_user_id: str = "BSCRIBE",
                 command: str = "/incident", timeout: float = 15.0, bot_id: str = "B_SCRIBE"):
        self.scribe_url = scribe_url.rstrip("/")
        self.secret = signing_secret
        self.team_id = team_id
        self.team_domain = team_domain
        self.api_app_id = api_app_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id                 # the app's bot_id, as in views it opened
        self.command = command
        self.timeout = timeout
        self.verification_token = "legacyVerificationToken0"   # deprecated, sent anyway
        self._response_url_for = response_url_for or (
            lambda n: f"https://hooks.slack.test/commands/{team_id}/{n}/x")
        self._counter = itertools.count(1)
        self._event_counter = itertools.count(1)

    # ---- signing and sending ----------------------------------------------------------------

    def sign(self, body: bytes, timestamp: str | None = None, secret: str | None = None) -> dict:
        """The two signing headers for `body`; a given timestamp is used verbatim."""
        ts = timestamp if timestamp is not None else str(int(time.time()))
        return {"X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": signature(self.secret if secret is None else secret, ts, body)}

    def post(self, path: str, body: bytes, content_type: str, headers: dict | None = None) -> Reply:
        """One POST to Scribe on a fresh connection (Slack does not promise to reuse them)."""
        url = urllib.parse.urlsplit(self.scribe_url)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=self.timeout)
        all_headers = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
                       "Accept": "*/*", "Accept-Encoding": "gzip,deflate"}
        all_headers.update(headers or {})
        started = time.monotonic()
        try:
            conn.request("POST", path, body=body, headers=all_headers)
            r = conn.getresponse()
            raw = r.read()
            return Reply(r.status, dict(r.getheaders()), raw, time.monotonic() - started)
        finally:
            conn.close()

    def send(self, req: Prepared, timestamp: str | None = None) -> Reply:
        """Sends `req` signed correctly (with now as the timestamp unless one is given)."""
        headers = dict(req.extra_headers)
        headers.update(self.sign(req.body, timestamp))
        return self.post(req.path, req.body, req.content_type, headers)

    # The ways a request can fail verification (PROTOCOLS.md section 1).
    def send_forged(self, req: Prepared) -> Reply:
        """Signed with the wrong secret."""
        headers = dict(req.extra_headers)
        headers.update(self.sign(req.body, secret=self.secret + "-not-really"))
        return self.post(req.path, req.body, req.content_type, headers)

    def send_stale(self, req: Prepared, offset_seconds: int) -> Reply:
        """Correctly signed, but with a timestamp `offset_seconds` from now (e.g. -301, +301)."""
        return self.send(req, timestamp=str(int(time.time()) + offset_seconds))

    def send_unsigned(self, req: Prepared) -> Reply:
        """No signing headers at all."""
        return self.post(req.path, req.body, req.content_type, dict(req.extra_headers))

    def send_replayed(self, signed_for: Prepared, body: bytes) -> Reply:
        """`body` sent with the headers that sign `signed_for`'s body: a replay with a changed body."""
        headers = dict(signed_for.extra_headers)
        headers.update(self.sign(signed_for.body))
        return self.post(signed_for.path, body, signed_for.content_type, headers)

    def send_bad_version(self, req: Prepared) -> Reply:
        """A correct HMAC under an unknown version prefix ("v1=")."""
        headers = dict(req.extra_headers)
        signed = self.sign(req.body)
        signed["X-Slack-Signature"] = "v1=" + signed["X-Slack-Signature"][3:]
        headers.update(signed)
        return self.post(req.path, req.body, req.content_type, headers)

    def send_without_timestamp(self, req: Prepared) -> Reply:
        headers = dict(req.extra_headers)
        headers["X-Slack-Signature"] = self.sign(req.body)["X-Slack-Signature"]
        return self.post(req.path, req.body, req.content_type, headers)

    # ---- slash commands (PROTOCOLS.md section 2) ----------------------------------------------

    def slash_command(self, text: str, channel_id: str, channel_name: str, user_id: str,
                      user_name: str, command: str | None = None, response_id: str | None = None,
                      trigger_id: str | None = None) -> Prepared:
        n = next(self._counter)
        response_url = self._response_url_for(response_id or f"cmd-{n}")
        fields = [
            ("token", self.verification_token), ("team_id", self.team_id),
            ("team_domain", self.team_domain), ("channel_id", channel_id),
            ("channel_name", channel_name), ("user_id", user_id), ("user_name", user_name),
            ("command", command or self.command), ("text", text),
            ("api_app_id", self.api_app_id), ("is_enterprise_install", "false"),
            ("response_url", response_url),
            ("trigger_id", trigger_id or f"{1000 + n}.{4700 + n}.{n:032x}"),
        ]
        return Prepared("/slack/commands", urllib.parse.urlencode(fields).encode("utf-8"), FORM,
                        what=f"slash {text.split(' ')[0] if text else '(empty)'}",
                        response_url=response_url)

    def ssl_check(self) -> Prepared:
        """Slack's unsigned certificate check of a slash-command URL (PROTOCOLS.md section 1)."""
        body = urllib.parse.urlencode([("ssl_check", "1"), ("token", self.verification_token)])
        return Prepared("/slack/commands", body.encode("utf-8"), FORM, what="ssl_check")

    # ---- events (PROTOCOLS.md section 3) ------------------------------------------------------

    def url_verification(self, challenge: str) -> Prepared:
        body = json.dumps({"token": self.verification_token, "challenge": challenge,
                           "type": "url_verification"})
        return Prepared("/slack/events", body.encode("utf-8"), JSON, what="url_verification")

    def new_event_id(self) -> str:
        return f"Ev{int(time.time()):X}E2E{next(self._event_counter):04d}"

    def event_callback(self, event: dict, event_id: str | None = None,
                       retry_num: int | None = None, retry_reason: str = "http_timeout") -> Prepared:
        """An event_callback envelope; the same event_id with retry_num simulates Slack's retry."""
        eid = event_id or self.new_event_id()
        envelope = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": None,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": eid,
            "event_time": int(float(event.get("event_ts") or time.time())),
            "authorizations": [{"enterprise_id": None, "team_id": self.team_id,
                                "user_id": self.bot_user_id, "is_bot": True,
                                "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
            "event_context": f"4-eyJldCI6I{eid}",
        }
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return Prepared("/slack/events", json.dumps(envelope).encode("utf-8"), JSON,
                        what="event " + event.get("type", "?") +
                             (" " + event["subtype"] if event.get("subtype") else ""),
                        extra_headers=headers, event_id=eid)

    @staticmethod
    def now_ts() -> str:
        now = time.time()
        return f"{int(now)}.{int((now - int(now)) * 1_000_000):06d}"

    def reaction_event(self, kind: str, user: str, reaction: str, channel: str, ts: str,
                       item_user: str | None) -> dict:
        """reaction_added / reaction_removed on a message (node-slack-sdk `reaction.ts`)."""
        event = {"type": kind, "user": user, "reaction": reaction,
                 "item": {"type": "message", "channel": channel, "ts": ts},
                 "event_ts": self.now_ts()}
        if item_user:
            event["item_user"] = item_user
        return event

    def reaction_added(self, user, reaction, channel, ts, item_user=None) -> dict:
        return self.reaction_event("reaction_added", user, reaction, channel, ts, item_user)

    def reaction_removed(self, user, reaction, channel, ts, item_user=None) -> dict:
        return self.reaction_event("reaction_removed", user, reaction, channel, ts, item_user)

    def app_mention(self, user: str | None, text: str, channel: str, ts: str,
                    thread_ts: str | None = None, bot_id: str | None = None) -> dict:
        """app_mention (node-slack-sdk `app.ts`)."""
        event = {"type": "app_mention", "text": text, "ts": ts, "channel": channel,
                 "event_ts": ts, "client_msg_id": str(uuid.uuid4())}
        if user:
            event["user"] = user
        if thread_ts:
            event["thread_ts"] = thread_ts
        if bot_id:
            event["bot_id"] = bot_id
        event["team"] = self.team_id
        return event

    def message_changed(self, channel: str, ts: str, user: str, old_text: str, new_text: str,
                        thread_ts: str | None = None, bot_id: str | None = None) -> dict:
        """message subtype message_changed (node-slack-sdk `message.ts` MessageChangedEvent)."""
        event_ts = self.now_ts()
        new = {"type": "message", "user": user, "text": new_text, "ts": ts,
               "edited": {"user": user, "ts": event_ts}}
        old = {"type": "message", "user": user, "text": old_text, "ts": ts}
        for m in (new, old):
            if thread_ts:
                m["thread_ts"] = thread_ts
            if bot_id:
                m["bot_id"] = bot_id
        return {"type": "message", "subtype": "message_changed", "hidden": True,
                "channel": channel, "channel_type": "channel", "ts": event_ts,
                "event_ts": event_ts, "message": new, "previous_message": old}

    def message_deleted(self, channel: str, ts: str, user: str, old_text: str,
                        thread_ts: str | None = None) -> dict:
        """message subtype message_deleted (node-slack-sdk `message.ts` MessageDeletedEvent)."""
        event_ts = self.now_ts()
        old = {"type": "message", "user": user, "text": old_text, "ts": ts}
        if thread_ts:
            old["thread_ts"] = thread_ts
        return {"type": "message", "subtype": "message_deleted", "hidden": True,
                "channel": channel, "channel_type": "channel", "ts": event_ts,
                "event_ts": event_ts, "deleted_ts": ts, "previous_message": old}

    def plain_message(self, channel: str, ts: str, user: str | None, text: str,
                      thread_ts: str | None = None, bot_id: str | None = None) -> dict:
        event = {"type": "message", "channel": channel, "channel_type": "channel", "text": text,
                 "ts": ts, "event_ts": ts}
        if user:
            event["user"] = user
        if thread_ts:
            event["thread_ts"] = thread_ts
        if bot_id:
            event["bot_id"] = bot_id
            event["subtype"] = "bot_message"
        return event

    def thread_reply(self, channel: str, ts: str, thread_ts: str, user: str | None, text: str,
                     parent_user_id: str | None = None, broadcast: bool = False,
                     bot_id: str | None = None, subtype: str | None = None) -> dict:
        """A reply in the thread of `thread_ts`: a message event without subtype (node-slack-sdk
        GenericMessageEvent), or with subtype thread_broadcast ("also send to channel"), or a bot's
        reply (bot_id, and subtype bot_message if given)."""
        event = {"type": "message", "channel": channel, "channel_type": "channel", "text": text,
                 "ts": ts, "event_ts": ts, "thread_ts": thread_ts, "team": self.team_id,
                 "blocks": [{"type": "rich_text", "block_id": uuid.uuid4().hex[:5], "elements": [
                     {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}]}
        if user:
            event["user"] = user
            event["client_msg_id"] = str(uuid.uuid4())
        if parent_user_id:
            event["parent_user_id"] = parent_user_id
        if bot_id:
            event["bot_id"] = bot_id
            event.pop("client_msg_id", None)
        if broadcast:
            event["subtype"] = "thread_broadcast"
            event["root"] = {"type": "message", "ts": thread_ts, "thread_ts": thread_ts,
                             "user": parent_user_id or "", "text": "", "reply_count": 1}
        elif subtype:
            event["subtype"] = subtype
        return event

    # ---- interactivity (PROTOCOLS.md section 4) -----------------------------------------------

    def _interaction(self, payload: dict, what: str, response_url: str | None = None) -> Prepared:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode("utf-8")
        return Prepared("/slack/interactions", body, FORM, what=what, response_url=response_url)

    def block_actions(self, action_id: str, value: str, user_id: str, user_name: str,
                      channel_id: str, channel_name: str, message: dict,
                      block_id: str | None = None, button_text: str = "Button",
                      trigger_id: str | None = None, response_id: str | None = None,
                      team_id: str | None = None) -> Prepared:
        """A click on a button in `message` (a message as chat.postMessage stored it): form body
        `payload=<json>` of type block_actions, with a fresh trigger_id."""
        n = next(self._counter)
        response_url = self._response_url_for(response_id or f"blk-{n}")
        team = team_id or self.team_id
        action_ts = self.now_ts()
        shown = {k: v for k, v in message.items() if k != "metadata"}   # Slack never shows it here
        payload = {
            "type": "block_actions",
            "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team},
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel_id,
                          "is_ephemeral": False},
            "trigger_id": trigger_id or f"{3000 + n}.{4700 + n}.{n:032x}",
            "team": {"id": team, "domain": self.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel_id, "name": channel_name},
            "message": shown,
            "state": {"values": {}},
            "response_url": response_url,
            "actions": [{"action_id": action_id, "block_id": block_id or uuid.uuid4().hex[:5],
                         "text": {"type": "plain_text", "text": button_text, "emoji": True},
                         "value": value, "style": "primary", "type": "button",
                         "action_ts": action_ts}],
        }
        return self._interaction(payload, f"interaction block_actions {action_id}", response_url)

    @staticmethod
    def trigger_of(req: Prepared) -> str:
        """The trigger_id an interaction carries."""
        form = urllib.parse.parse_qs(req.body.decode("utf-8"))
        return json.loads(form["payload"][0])["trigger_id"]

    def view_submission(self, view_id: str, callback_id: str, private_metadata: str,
                        values: dict, user: tuple[str, str], team: str | None = None,
                        view: dict | None = None) -> Prepared:
        """A modal's submission. `values`: {block_id: {action_id: text or None}} (None: the field
        was left empty; a dict is sent as the element's state as is). `user`: (id, name).
        `view`: the view as opened (views.open's argument), whose blocks and title are echoed."""
        n = next(self._counter)
        team_id = team or self.team_id
        state: dict = {}
        for block_id, actions in values.items():
            state[block_id] = {}
            for action_id, v in actions.items():
                state[block_id][action_id] = v if isinstance(v, dict) else \
                    {"type": "plain_text_input", "value": v}
        opened = view or {}
        payload = {
            "type": "view_submission",
            "team": {"id": team_id, "domain": self.team_domain},
            "user": {"id": user[0], "username": user[1], "name": user[1], "team_id": team_id},
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "trigger_id": f"{4000 + n}.{4700 + n}.{n:032x}",
            "view": {
                "id": view_id, "team_id": team_id, "type": "modal",
                "blocks": opened.get("blocks", []),
                "private_metadata": private_metadata, "callback_id": callback_id,
                "state": {"values": state},
                "hash": f"{int(time.time())}.{n:08x}",
                "title": opened.get("title", {"type": "plain_text", "text": "Form"}),
                "clear_on_close": False, "notify_on_close": False,
                "close": opened.get("close"), "submit": opened.get("submit"),
                "previous_view_id": None, "root_view_id": view_id, "app_id": self.api_app_id,
                "external_id": "", "app_installed_team_id": team_id, "bot_id": self.bot_id,
            },
            "response_urls": [],
            "is_enterprise_install": False,
            "enterprise": None,
        }
        return self._interaction(payload, f"interaction view_submission {callback_id}")


    def message_action(self, callback_id: str, message: dict, channel_id: str, channel_name: str,
                       user_id: str, user_name: str, response_id: str | None = None,
                       trigger_id: str | None = None) -> Prepared:
        """A message shortcut: form body `payload=<json>` of type message_action."""
        n = next(self._counter)
        response_url = self._response_url_for(response_id or f"act-{n}")
        payload = {
            "type": "message_action",
            "token": self.verification_token,
            "action_ts": self.now_ts(),
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": {"id": user_id, "username": user_name, "name": user_name,
                     "team_id": self.team_id},
            "channel": {"id": channel_id, "name": channel_name},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": trigger_id or f"{2000 + n}.{4700 + n}.{n:032x}",
            "response_url": response_url,
            "message_ts": message["ts"],
            "message": message,
            "api_app_id": self.api_app_id,
        }
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode("utf-8")
        return Prepared("/slack/interactions", body, FORM, what="interaction message_action",
                        response_url=response_url)


def _selfcheck() -> int:
    got = signature(VECTOR_SECRET, VECTOR_TIMESTAMP, VECTOR_BODY.encode())
    ok = got == VECTOR_SIGNATURE and len(VECTOR_BODY) == 362
    print("slack_driver: signature test vector " + ("matches" if ok else f"MISMATCH {got}"))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(_selfcheck())
