#!/usr/bin/env python3
"""A local fake Matrix homeserver for end-to-end tests of Scribe's Application Service (plain HTTP
on 127.0.0.1), checking both directions against the spec's OpenAPI documents.

What each behaviour follows (spec files are in tests/fixtures/spec, a copy of the shared spec folder, or $SCRIBE_SPEC_DIR):

  Validation
  - matrix-application-service-api.json, `PUT /_matrix/app/v1/transactions/{txnId}`
    (sendTransaction): the body the fake pushes (requestBody schema: {events: [ClientEvent]}) and
    the appservice's answer (responses.200: an object). `POST /_matrix/app/v1/ping` (ping): the
    body the fake sends and the answer. Statuses the operation does not list: a 4xx must be the
    AS API's "Error" object (the schema of `GET /_matrix/app/v1/users/{userId}` responses.401);
    a 5xx is not checked.
  - matrix-client-server-api-subset.json, every path in it: path template + method, path and
    query parameters (as typed: pattern ^! / ^\\$ ids, integers, booleans, enums), the
    requestBody schema and `required`, and the fake's own answers against the schema for their
    status. C-S error answers always carry errcode and error (PROTOCOLS.md 8 "Errors").
  - matrix-event-examples/ + PROTOCOLS.md 8: the shape of contents sent with /send:
    m.room.message (msgtype + body; format <-> formatted_body; format is org.matrix.custom.html),
    m.reaction (m.relates_to {rel_type: m.annotation, event_id, key}), m.room.redaction
    (redacts), m.relates_to in general (event_id with a rel_type; m.in_reply_to.event_id;
    m.replace needs m.new_content, the same sender and type as the original), state event types
    refused on /send, the 65,536-byte event limit (413 M_TOO_LARGE).
  - Query parameters outside the operation: `user_id` and `device_id` (AS API "Identity
    assertion", v1.17) everywhere, `ts` only on /send (AS API "Timestamp massaging"),
    `access_token` accepted but recorded as a violation (deprecated in v1.11, PROTOCOLS.md 8).

  Homeserver -> appservice (PROTOCOLS.md 7; AS API "Authorization", "Legacy routes", "Pushing
  events", "Pinging")
  - Transactions: `PUT {url}/_matrix/app/v1/transactions/{txnId}`, Authorization: Bearer
    <hs_token>, {"events": [...]}; txnIds increasing integers; a failed attempt (non-2xx, a body
    that is not JSON, no connection) is retried with the SAME txnId and the same bytes, with
    exponential backoff (retry_initial * retry_factor^n, capped at retry_max).
    Options: the legacy `?access_token=` instead of or beside the header, a wrong or no token, the
    legacy path `/transactions/{txnId}`. An appservice that accepts a wrong or missing hs_token,
    or refuses a wrong one without M_FORBIDDEN, is a violation.
  - Events are ClientEvents (the transaction requestBody's items): event_id "$<43 url-safe
    chars>" (room v4+ style), origin_server_ts in ms, room_id, sender, type, content,
    unsigned.age, state_key only for state events.

  Client-Server API (PROTOCOLS.md 8; AS API "Identity assertion", "Pinging")
  - Auth: `Authorization: Bearer <as_token>` (or the deprecated query); none -> 401
    M_MISSING_TOKEN, unknown -> 401 M_UNKNOWN_TOKEN, both header and query -> 401 M_MISSING_TOKEN.
  - `?user_id=`: the registration's user namespace (local users only) or the sender_localpart
    user, otherwise 403 M_FORBIDDEN. Without it the request acts as the sender_localpart user.
  - sendMessage, redactEvent: idempotent per (access token, path incl. txnId): a retransmission
    gets the same answer and creates nothing (CS API "Transaction identifiers"); the event is
    stored in the room and pushed to the appservice, as a homeserver echoes an appservice's own
    events. Rooms the user is not joined to: 403 M_FORBIDDEN. M_DUPLICATE_ANNOTATION (400) for
    the same reaction twice. Redaction: room v11+ puts `redacts` in content, older versions at
    the top level (sendMessage's description); the original is redacted (content pruned to the
    v11 redaction algorithm's keys, unsigned.redacted_because set).
  - getOneRoomEvent (404 M_NOT_FOUND), getJoinedMembersByRoom (display names; 403 for a room
    with none of the appservice's users), joinRoom / joinRoomById (a room ID or an alias;
    invite-only rooms need an invite: 403 M_FORBIDDEN; unknown rooms 404 M_NOT_FOUND),
    getRelatingEvents[WithRelType[AndEventType]] (dir b by default, limit 5 by default,
    next_batch, recurse to depth 3), pingAppservice (calls POST /_matrix/app/v1/ping with the
    hs_token; {duration_ms}; 400 M_URL_NOT_SET, 403 M_FORBIDDEN for another appservice's id,
    502 M_BAD_STATUS {status, body} / M_CONNECTION_FAILED, 504 M_CONNECTION_TIMEOUT).
  - Unknown endpoint: 404 M_UNRECOGNIZED; a known path with another method: 405 M_UNRECOGNIZED
    (both recorded as violations: the bot left the subset the fake can check).
  - Scripted failures per endpoint: 429 M_LIMIT_EXCEEDED with Retry-After and/or retry_after_ms
    (PROTOCOLS.md 8: the header SHOULD be sent, the body field is deprecated since v1.10), 500,
    any error, a garbage body, a hang, stored_then_500 / stored_then_hang (it happened; the
    answer is lost).

  Not modelled: endpoints outside the subset (/versions, /register, /state, /sync, /profile
  answer 404 M_UNRECOGNIZED and are recorded as violations), power levels, federation, EDUs
  (`ephemeral`), unsigned.transaction_id on the bot's own echoed events.

Python 3 standard library plus jsonschema (only Draft202012Validator and what jsonschema 4.10
has). Never raises inside its server threads: every problem becomes a violation. The plumbing it
shares with fake_slack.py (body reading, answers, hangs, wait_for, the threading server, --serve,
the selftest's count) is in fake_http.py, next to this file.

In-process use:

    fake = FakeHomeserver(as_token="...", hs_token="...").start()   # fake.url: homeserver_url
    fake.registration()                        # the registration as a dict; registration_yaml()
    room = fake.create_room("!ops:localhost", members={"@alice:localhost": "Alice"},
                            aliases=["#ops:localhost"])
    fake.set_appservice_url("http://127.0.0.1:8080")  # Scribe's AS listener; delivery starts
    ev = fake.send_event(room, "@alice:localhost", "m.room.message",
                         {"msgtype": "m.text", "body": "!incident start db down"})
    fake.deliver()                             # waits until everything queued is acknowledged
    fake.script("send", [{"kind": "stored_then_500"}])
    fake.wait_for(lambda f: f.sent_by_bot(room), timeout=10)
    fake.set_delivery(auth="query", token="wrong", legacy_path=True); fake.redeliver("1")
    assert fake.violations() == []
    fake.stop()

Manual use: `python3 fake_homeserver.py --serve [--as-url URL] [--port N]` prints the URL and the
registration and serves until Ctrl-C; `python3 fake_homeserver.py --selftest` checks the fake.

HTTP control API (JSON, on the same port, outside /_matrix):
    POST /_fake/rooms       {room_id?, members?: {user: display name}, aliases?, join_rule?,
                             room_version?}
    POST /_fake/events      {room_id, sender, type, content, state_key?}
    POST /_fake/invite      {room_id, user_id, sender}
    POST /_fake/script      {"endpoint": "send", "responses": [{"kind": ...}, ...]}
    POST /_fake/appservice  {"url": "http://127.0.0.1:PORT"}
    POST /_fake/delivery    {auth?, token?, query_token?, legacy_path?, auto?}
    POST /_fake/deliver     {timeout?}     POST /_fake/redeliver {txn_id}
    GET  /_fake/calls | /_fake/violations | /_fake/transactions | /_fake/timeline?room_id=...
    POST /_fake/reset       forgets rooms, events, calls, violations, scripts (not transactions)
"""

from __future__ import annotations

import argparse
import collections
import copy
import http.client
import http.server
import json
import os
import re
import secrets
import socket
import sys
import threading
import time
import traceback
import urllib.parse

try:
    from jsonschema import Draft202012Validator
except ImportError:  # pragma: no cover - the install script installs python3-jsonschema
    sys.stderr.write("fake_homeserver.py needs jsonschema (apt-get install python3-jsonschema)\n")
    raise

from fake_http import FakeHandler, FakeServer, FakeState, SelfTestTally, serve_until_interrupted

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

AS_SPEC = "matrix-application-service-api.json"
CS_SPEC = "matrix-client-server-api-subset.json"
EXAMPLES_DIR = "matrix-event-examples"

# Short names for the C-S operations, usable in script() and calls().
ENDPOINT_ALIASES = {
    "sendMessage": "send",
    "redactEvent": "redact",
    "getOneRoomEvent": "event",
    "getJoinedMembersByRoom": "joined_members",
    "joinRoom": "join",
    "joinRoomById": "join",
    "getRelatingEvents": "relations",
    "getRelatingEventsWithRelType": "relations",
    "getRelatingEventsWithRelTypeAndEventType": "relations",
    "pingAppservice": "ping",
}

SCRIPT_KINDS = ("ok", "429", "500", "error", "garbage", "hang", "stored_then_500",
                "stored_then_hang")

# Query parameters every appservice request may carry (AS API "Identity assertion"; device_id
# since v1.17; access_token is the deprecated query form of the token).
AS_QUERY_PARAMS = {"user_id", "device_id", "access_token"}

# Event types that are state: they belong on PUT /state, never on /send.
STATE_EVENT_TYPES = {
    "m.room.create", "m.room.member", "m.room.power_levels", "m.room.join_rules",
    "m.room.history_visibility", "m.room.name", "m.room.topic", "m.room.avatar",
    "m.room.canonical_alias", "m.room.encryption", "m.room.guest_access", "m.room.server_acl",
    "m.room.pinned_events", "m.room.tombstone", "m.room.third_party_invite", "m.space.child",
    "m.space.parent",
}

# The complete event MUST NOT be larger than 65,536 bytes (CS API "Size limits").
MAX_EVENT_BYTES = 65536

# Content keys the v11 redaction algorithm keeps, by event type (None: all of them).
REDACTION_KEEPS = {
    "m.room.member": {"membership", "join_authorised_via_users_server", "third_party_invite"},
    "m.room.create": None,
    "m.room.join_rules": {"join_rule", "allow"},
    "m.room.power_levels": {"ban", "events", "events_default", "invite", "kick", "redact",
                            "state_default", "users", "users_default"},
    "m.room.history_visibility": {"history_visibility"},
    "m.room.redaction": {"redacts"},
}

EVENT_ID = {"type": "string", "pattern": "^\\$"}

RELATES_TO_SCHEMA = {
    "type": "object",
    "properties": {
        "rel_type": {"type": "string", "minLength": 1},
        "event_id": EVENT_ID,
        "key": {"type": "string"},
        "is_falling_back": {"type": "boolean"},
        "m.in_reply_to": {"type": "object", "required": ["event_id"],
                          "properties": {"event_id": EVENT_ID}},
    },
    # A relation names its target (CS API "Forming relationships between events").
    "dependentRequired": {"rel_type": ["event_id"]},
}

MESSAGE_CONTENT_SCHEMA = {
    "type": "object",
    "required": ["msgtype", "body"],
    "properties": {
        "msgtype": {"type": "string", "minLength": 1},
        "body": {"type": "string"},
        "format": {"enum": ["org.matrix.custom.html"]},
        "formatted_body": {"type": "string"},
    },
    # m.room.message$m.text/m.notice: formatted_body is required if format is given, and format
    # names the format of formatted_body.
    "dependentRequired": {"format": ["formatted_body"], "formatted_body": ["format"]},
}

# The event content shapes checked on /send (PROTOCOLS.md 8, matrix-event-examples).
EVENT_CONTENT_SCHEMAS = {
    "m.room.message": {
        **MESSAGE_CONTENT_SCHEMA,
        "properties": {**MESSAGE_CONTENT_SCHEMA["properties"],
                       "m.relates_to": RELATES_TO_SCHEMA,
                       "m.new_content": MESSAGE_CONTENT_SCHEMA},
        # An edit carries the replacement content (modules/event_replacements.md).
        "if": {"required": ["m.relates_to"],
               "properties": {"m.relates_to": {"required": ["rel_type"],
                                               "properties": {"rel_type": {"const": "m.replace"}}}}},
        "then": {"required": ["m.new_content"]},
    },
    "m.reaction": {
        "type": "object",
        "required": ["m.relates_to"],
        "properties": {"m.relates_to": {
            "type": "object",
            "required": ["rel_type", "event_id", "key"],
            "properties": {"rel_type": {"const": "m.annotation"}, "event_id": EVENT_ID,
                           "key": {"type": "string", "minLength": 1}},
        }},
    },
    "m.room.redaction": {
        "type": "object",
        "required": ["redacts"],
        "properties": {"redacts": EVENT_ID, "reason": {"type": "string"}},
    },
}
GENERIC_CONTENT_SCHEMA = {"type": "object", "properties": {"m.relates_to": RELATES_TO_SCHEMA}}

# What the C-S API's own error answers must look like (client-server-api/_index.md: both MUST be
# present).
CS_ERROR_SCHEMA = {"type": "object", "required": ["errcode", "error"],
                   "properties": {"errcode": {"type": "string"}, "error": {"type": "string"},
                                  "retry_after_ms": {"type": "integer"}}}


def default_spec_dir() -> str:
    env = os.environ.get("SCRIBE_SPEC_DIR")
    if env:
        return env
    # The repository's copy (tests/fixtures/spec), so that a plain clone can run the tests.
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "fixtures", "spec"))


def _json_schema_of(part: dict | None) -> dict | None:
    if not part:
        return None
    return ((part.get("content") or {}).get("application/json") or {}).get("schema")


def _schema_errors(validator, instance, where: str) -> list[str]:
    out = []
    for e in validator.iter_errors(instance):
        loc = "/".join(str(p) for p in e.absolute_path)
        message = e.message if len(e.message) <= 300 else e.message[:300] + "..."
        out.append(f"{where}{'/' + loc if loc else ''}: {message}")
    return sorted(out)


_VALIDATORS: dict[int, tuple[dict, Draft202012Validator]] = {}
_VALIDATORS_LOCK = threading.Lock()


def validator_for(schema: dict) -> Draft202012Validator:
    with _VALIDATORS_LOCK:
        found = _VALIDATORS.get(id(schema))
        if found is None or found[0] is not schema:
            found = (schema, Draft202012Validator(schema))
            _VALIDATORS[id(schema)] = found
        return found[1]


def content_problems(event_type: str, content) -> list[str]:
    """What is wrong with an event content the bot sends with /send (empty: nothing)."""
    schema = EVENT_CONTENT_SCHEMAS.get(event_type, GENERIC_CONTENT_SCHEMA)
    return _schema_errors(validator_for(schema), content, f"{event_type} content")


def _coerce(schema: dict, raw: str):
    """A query or path string as the type its schema names, when it is one."""
    kind = schema.get("type")
    if kind == "integer" and re.fullmatch(r"-?[0-9]+", raw):
        return int(raw)
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            return raw
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


def _strict_json(data: bytes):
    """JSON as Matrix wants it: UTF-8, no NaN/Infinity. Raises ValueError."""
    def refuse(name):
        raise ValueError(f"{name} is not JSON")
    return json.loads(data.decode("utf-8"), parse_constant=refuse)


class Operation:
    """One operation of an OpenAPI document: its route, parameters and body/answer schemas."""

    def __init__(self, doc: str, template: str, method: str, op: dict, common: list):
        self.doc = doc
        self.template = template
        self.method = method
        self.operation_id = op.get("operationId") or f"{method} {template}"
        merged = {(p["name"], p["in"]): p for p in common}
        merged.update({(p["name"], p["in"]): p for p in op.get("parameters", [])})
        self.path_params = {p["name"]: p for p in merged.values() if p["in"] == "path"}
        self.query_params = {p["name"]: p for p in merged.values() if p["in"] == "query"}
        body = op.get("requestBody")
        self.takes_body = body is not None
        self.body_required = bool(body and body.get("required"))
        self.body_schema = _json_schema_of(body)
        self.responses = {str(code): _json_schema_of(r) for code, r in op.get("responses", {}).items()}
        self.names: list[str] = []
        pattern = "^"
        for part in re.split(r"(\{[^}/]+\})", template):
            if part.startswith("{") and part.endswith("}"):
                self.names.append(part[1:-1])
                pattern += "([^/]+)"
            else:
                pattern += re.escape(part)
        self.regex = re.compile(pattern + "$")

    def documents(self, status: int) -> bool:
        return str(status) in self.responses or f"{status // 100}XX" in self.responses

    def response_schema(self, status: int) -> dict | None:
        for key in (str(status), f"{status // 100}XX", "default"):
            if key in self.responses:
                return self.responses[key]
        return None

    @property
    def where(self) -> str:
        return f"{self.doc} {self.method} {self.template} ({self.operation_id})"


class SpecDocument:
    def __init__(self, path: str):
        with open(path, encoding="utf-8") as f:
            self.doc = json.load(f)
        self.name = os.path.basename(path)
        self.operations: list[Operation] = []
        for template, item in self.doc["paths"].items():
            common = item.get("parameters", [])
            for method, op in item.items():
                if method in HTTP_METHODS:
                    self.operations.append(Operation(self.name, template, method.upper(), op, common))

    def operation(self, operation_id: str) -> Operation:
        for op in self.operations:
            if op.operation_id == operation_id:
                return op
        raise KeyError(operation_id)

    def match(self, method: str, raw_path: str):
        """(operation, {name: raw segment}, methods allowed on the path)."""
        allowed = []
        for op in self.operations:
            m = op.regex.match(raw_path)
            if not m:
                continue
            if op.method == method:
                return op, dict(zip(op.names, m.groups())), [op.method]
            allowed.append(op.method)
        return None, {}, allowed


class _Reply:
    def __init__(self, status: int, payload=None, headers: dict | None = None, raw: bytes | None = None,
                 content_type: str = "application/json", hang: float | None = None):
        self.status = status
        self.payload = payload
        self.headers = headers or {}
        self.raw = raw
        self.content_type = content_type
        self.hang = hang

    def body(self) -> bytes:
        if self.raw is not None:
            return self.raw
        return json.dumps(self.payload, ensure_ascii=False).encode("utf-8")


def _error(http_status: int, errcode: str, error: str, **extra) -> _Reply:
    payload = {"errcode": errcode, "error": error}
    payload.update(extra)
    return _Reply(http_status, payload)


class FakeHomeserver(FakeState):
    """State, the C-S server and the transaction pusher. Thread-safe: state changes hold _lock."""

    def __init__(self, *, as_url: str | None = None, as_token: str = "as-e2e-token",
                 hs_token: str = "hs-e2e-token", appservice_id: str = "scribe",
                 sender_localpart: str = "scribe", server_name: str = "localhost",
                 user_regex: str | None = None, alias_regex: str | None = None,
                 bot_display_name: str = "Scribe", retry_initial: float = 0.05,
                 retry_max: float = 2.0, retry_factor: float = 2.0, request_timeout: float = 10.0,
                 ping_timeout: float = 5.0, batch_size: int = 50, first_txn_id: int = 1,
                 auto_deliver: bool = True, port: int = 0, spec_dir: str | None = None,
                 verbose: bool = False):
        self.as_token = as_token
        self.hs_token = hs_token
        self.appservice_id = appservice_id
        self.sender_localpart = sender_localpart
        self.server_name = server_name
        self.user_regex = user_regex or f"@_{re.escape(sender_localpart)}_.*:{re.escape(server_name)}"
        self.alias_regex = alias_regex or f"#_{re.escape(sender_localpart)}_.*:{re.escape(server_name)}"
        self.bot_display_name = bot_display_name
        self.retry_initial = retry_initial
        self.retry_max = retry_max
        self.retry_factor = retry_factor
        self.request_timeout = request_timeout
        self.ping_timeout = ping_timeout
        self.batch_size = batch_size
        self.verbose = verbose
        self._port_wanted = port
        directory = spec_dir or default_spec_dir()
        self.spec_dir = directory
        self.as_spec = SpecDocument(os.path.join(directory, AS_SPEC))
        self.cs_spec = SpecDocument(os.path.join(directory, CS_SPEC))
        self._txn_op = self.as_spec.operation("sendTransaction")
        self._ping_op = self.as_spec.operation("ping")
        self._as_error_schema = self.as_spec.operation("queryUserById").responses["401"]

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._send_lock = threading.Lock()   # one HS->AS request at a time, like a homeserver
        self._as_conn: http.client.HTTPConnection | None = None
        self._as_conn_key = None
        self._server: FakeServer | None = None
        self._thread: threading.Thread | None = None
        self._worker: threading.Thread | None = None
        self._stopping = False
        self.port = 0

        self._as_url = as_url.rstrip("/") if as_url else None
        self._auto_deliver = auto_deliver
        self._delivery = {"auth": "header", "token": None, "query_token": None, "legacy_path": False}
        self._transactions: list[dict] = []
        self._txn_bodies: dict[str, bytes] = {}
        self._current: dict | None = None
        self._next_txn = first_txn_id
        self._pending: collections.deque = collections.deque()   # (seq, event_id)
        self._event_seq = 0
        self._released_upto = 0
        self._delivered_upto = 0
        self._pings: list[dict] = []
        self.hanging = 0
        self._events: dict[str, dict] = {}
        self.reset()

    # ---- lifecycle --------------------------------------------------------------------------

    def start(self) -> "FakeHomeserver":
        self._stopping = False
        self._server = FakeServer(("127.0.0.1", self._port_wanted), _Handler, self)
        self.port = self._server.server_address[1]
        self._thread = self._server.serve_in_thread("fake-homeserver")
        self._worker = threading.Thread(target=self._delivery_loop, daemon=True,
                                        name="fake-homeserver-delivery")
        self._worker.start()
        return self

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if self._worker is not None:
            self._worker.join(timeout=self.request_timeout + 2)
            self._worker = None
        if self._server is not None:
            self._server.stop()
            self._server = None
        self._close_as_conn()

    @property
    def url(self) -> str:
        """What Scribe's matrix.homeserver_url should be."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def bot_user_id(self) -> str:
        return f"@{self.sender_localpart}:{self.server_name}"

    def registration(self) -> dict:
        """The appservice registration (PROTOCOLS.md 7) this homeserver was configured with."""
        return {
            "id": self.appservice_id, "url": self._as_url, "as_token": self.as_token,
            "hs_token": self.hs_token, "sender_localpart": self.sender_localpart,
            "namespaces": {"users": [{"exclusive": True, "regex": self.user_regex}],
                           "aliases": [{"exclusive": True, "regex": self.alias_regex}],
                           "rooms": []},
            "rate_limited": False,
        }

    def registration_yaml(self) -> str:
        r = self.registration()
        q = json.dumps   # a JSON string is a valid YAML double-quoted scalar
        return "\n".join([
            f"id: {q(r['id'])}",
            f"url: {q(r['url']) if r['url'] else 'null'}",
            f"as_token: {q(r['as_token'])}",
            f"hs_token: {q(r['hs_token'])}",
            f"sender_localpart: {q(r['sender_localpart'])}",
            "namespaces:",
            "  users:",
            f"    - exclusive: true\n      regex: {q(self.user_regex)}",
            "  aliases:",
            f"    - exclusive: true\n      regex: {q(self.alias_regex)}",
            "  rooms: []",
            "rate_limited: false",
            "",
        ])

    def set_appservice_url(self, url: str | None) -> None:
        """Where the appservice listens (the registration's `url`); None: unreachable/unset."""
        if url and not url.startswith("http://"):
            raise ValueError("the fake reaches appservices over plain http:// only")
        with self._changed:
            self._as_url = url.rstrip("/") if url else None
            self._changed.notify_all()
        self._close_as_conn()

    @property
    def appservice_url(self) -> str | None:
        return self._as_url

    # ---- state: rooms and events ------------------------------------------------------------

    def reset(self) -> None:
        with self._changed:
            self._rooms: dict[str, dict] = {}
            self._aliases: dict[str, str] = {}
            self._events: dict[str, dict] = {}
            self._received: dict[str, int] = {}
            self._via_cs: set[str] = set()
            self._txn_cache: dict = {}
            self._scripts: dict[str, collections.deque] = {}
            self._calls: list[dict] = []
            self._violations: list[dict] = []
            self._display_names: dict[str, str] = {self.bot_user_id: self.bot_display_name}
            # Events queued and not yet in a transaction are forgotten with the rooms.
            self._pending.clear()
            self._delivered_upto = self._event_seq if self._current is None else self._delivered_upto
            self._released_upto = self._event_seq
            self._changed.notify_all()

    def create_room(self, room_id: str | None = None, members: dict | None = None,
                    aliases=(), join_rule: str | None = None, room_version: str | None = None) -> str:
        """A room with these joined members ({user_id: display name or None}), silently (no
        events are pushed). join_rule "public" (default) or "invite"; room_version "11" by
        default. On an existing room: adds the members and aliases, changes what is given.
        Returns the room ID."""
        room_id = room_id or f"!{secrets.token_urlsafe(12)}:{self.server_name}"
        if not room_id.startswith("!"):
            raise ValueError("a room ID starts with '!'")
        if join_rule not in (None, "public", "invite"):
            raise ValueError("join_rule is public or invite")
        with self._changed:
            room = self._rooms.setdefault(room_id, {
                "room_id": room_id, "version": "11", "join_rule": "public",
                "members": {}, "timeline": [], "aliases": set()})
            if join_rule is not None:
                room["join_rule"] = join_rule
            if room_version is not None:
                room["version"] = str(room_version)
            for user, name in (members or {}).items():
                room["members"][user] = {"membership": "join", "displayname": name}
                if name:
                    self._display_names.setdefault(user, name)
            for alias in aliases:
                room["aliases"].add(alias)
                self._aliases[alias] = room_id
            self._changed.notify_all()
        return room_id

    def set_display_name(self, user_id: str, name: str) -> None:
        with self._lock:
            self._display_names[user_id] = name

    def members(self, room_id: str, membership: str = "join") -> dict:
        with self._lock:
            room = self._rooms.get(room_id) or {"members": {}}
            return {u: m.get("displayname") for u, m in room["members"].items()
                    if m["membership"] == membership}

    def send_event(self, room_id: str, sender: str, type: str, content: dict,  # noqa: A002
                   state_key: str | None = None, ts: int | None = None,
                   deliver: bool = True) -> dict:
        """Someone sent an event: it is stored in the room (created if unknown) and queued for
        the appservice. No permission checks. Returns the full ClientEvent."""
        with self._changed:
            if room_id not in self._rooms:
                self.create_room(room_id, members={sender: None})
            event = self._new_event(room_id, sender, type, copy.deepcopy(content), state_key, ts)
            self._store(event, deliver=deliver)
            return self._client_event(event["event_id"])

    def invite(self, room_id: str, user_id: str, sender: str) -> dict:
        """`sender` invites `user_id`: an m.room.member invite, pushed to the appservice."""
        return self.send_event(room_id, sender, "m.room.member", {"membership": "invite"},
                               state_key=user_id)

    def event(self, event_id: str) -> dict | None:
        with self._lock:
            return self._client_event(event_id) if event_id in self._events else None

    def timeline(self, room_id: str) -> list[dict]:
        """The room's events, oldest first, as ClientEvents (redacted ones pruned)."""
        with self._lock:
            room = self._rooms.get(room_id)
            return [self._client_event(e) for e in room["timeline"]] if room else []

    def sent_by_bot(self, room_id: str, type: str | None = None) -> list[dict]:  # noqa: A002
        """The events created through the C-S API (as_token), oldest first."""
        with self._lock:
            return [e for e in self.timeline(room_id)
                    if e["event_id"] in self._via_cs and (type is None or e["type"] == type)]

    # ---- scripting and records --------------------------------------------------------------

    def script(self, endpoint: str, responses: list[dict]) -> None:
        """The next calls to `endpoint` (an alias: send, redact, event, joined_members, join,
        relations, ping; or an operationId) get these answers in order, then normal ones.

        {"kind": "ok"} | {"kind": "429", "retry_after": 1, "variant": "header"|"body"|"both",
        "retry_after_ms": 1000} | {"kind": "500", "html": False} | {"kind": "error", "status":
        403, "errcode": "M_FORBIDDEN", "error": "..."} | {"kind": "garbage"} | {"kind": "hang",
        "seconds": 30} | {"kind": "stored_then_500", "delay": 0} | {"kind": "stored_then_hang",
        "seconds": 30}
        """
        known = set(ENDPOINT_ALIASES) | set(ENDPOINT_ALIASES.values())
        if endpoint not in known:
            raise ValueError(f"unknown endpoint {endpoint!r}; use one of {sorted(known)}")
        for r in responses:
            if r.get("kind") not in SCRIPT_KINDS:
                raise ValueError(f"unknown scripted kind {r.get('kind')!r}; use one of "
                                 + ", ".join(SCRIPT_KINDS))
            if r.get("kind") == "429" and r.get("variant", "both") not in ("header", "body", "both"):
                raise ValueError("429 variant is header, body or both")
        with self._lock:
            self._scripts.setdefault(endpoint, collections.deque()).extend(dict(r) for r in responses)

    def pending_script(self, endpoint: str) -> int:
        with self._lock:
            return len(self._scripts.get(endpoint, ()))

    def calls(self, endpoint: str | None = None) -> list[dict]:
        """Every C-S request, oldest first; only one endpoint's (alias or operationId) if given."""
        with self._lock:
            chosen = [c for c in self._calls if endpoint is None
                      or endpoint in (c.get("endpoint"), c.get("operation"))]
            return copy.deepcopy(chosen)

    def violations(self, by: str | None = None) -> list[dict]:
        """Every spec violation seen: {seq, by ("appservice" or "fake"), method, path,
        operation, what}. by="appservice": what the bot did wrong; "fake": a bug in the fake."""
        with self._lock:
            return copy.deepcopy([v for v in self._violations if by is None or v["by"] == by])

    def clear_violations(self) -> list[dict]:
        with self._lock:
            gone, self._violations = self._violations, []
            return gone

    def transactions(self) -> list[dict]:
        """Every transaction pushed: {txn_id, events, acked, attempts: [{n, time, path, auth,
        token_ok, status, body, raw, error, duration_ms, redelivery, ok, retry_in}]}; retry_in:
        the backoff after a failed attempt."""
        with self._lock:
            return copy.deepcopy(self._transactions)

    def pings(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self._pings)

    # ---- delivery control -------------------------------------------------------------------

    @property
    def auto_deliver(self) -> bool:
        return self._auto_deliver

    @auto_deliver.setter
    def auto_deliver(self, value: bool) -> None:
        with self._changed:
            self._auto_deliver = bool(value)
            self._changed.notify_all()

    def set_delivery(self, **options) -> dict:
        """How the next attempts authenticate and where they go: auth ("header", "query", "both",
        "none"), token (None: the hs_token), query_token (None: same as token), legacy_path."""
        with self._changed:
            for key, value in options.items():
                if key not in self._delivery:
                    raise ValueError(f"unknown delivery option {key!r}")
                if key == "auth" and value not in ("header", "query", "both", "none"):
                    raise ValueError("auth is header, query, both or none")
                self._delivery[key] = value
            self._changed.notify_all()
            return dict(self._delivery)

    def deliver(self, timeout: float = 10.0) -> bool:
        """Releases every event queued so far (when auto_deliver is off) and waits until the
        appservice acknowledged them all. False on timeout."""
        with self._changed:
            target = self._event_seq
            self._released_upto = max(self._released_upto, target)
            self._changed.notify_all()
        return self.wait_for(lambda f: f._delivered_upto >= target, timeout) is not None

    def pending_events(self) -> int:
        """Events queued and not yet acknowledged by the appservice."""
        with self._lock:
            in_flight = len(self._current["events"]) if self._current else 0
            return len(self._pending) + in_flight

    def redeliver(self, txn_id: str, **options) -> dict:
        """Sends transaction `txn_id` again, same body (options as in set_delivery, for this
        attempt only). Returns the attempt's record."""
        with self._lock:
            txn = next((t for t in self._transactions if t["txn_id"] == str(txn_id)), None)
            if txn is None:
                raise KeyError(f"no transaction {txn_id!r}")
            opts = dict(self._delivery)
        for key in options:
            if key not in opts:
                raise ValueError(f"unknown delivery option {key!r}")
        opts.update(options)
        return self._attempt(txn, opts, redelivery=True)

    # ---- internals: events ------------------------------------------------------------------

    def _new_event(self, room_id, sender, etype, content, state_key=None, ts=None, extra=None) -> dict:
        now_ms = int(time.time() * 1000)
        event = {"content": content, "event_id": "$" + secrets.token_urlsafe(32),
                 "origin_server_ts": int(ts) if ts is not None else now_ms, "room_id": room_id,
                 "sender": sender, "type": etype, "unsigned": {}}
        if state_key is not None:
            event["state_key"] = state_key
        if extra:
            event.update(extra)
        self._received[event["event_id"]] = now_ms
        return event

    def _store(self, event: dict, deliver: bool = True, via_cs: bool = False) -> None:
        """Appends the event to its room, applies it (membership, redaction), queues it."""
        room = self._rooms[event["room_id"]]
        self._events[event["event_id"]] = event
        room["timeline"].append(event["event_id"])
        if via_cs:
            self._via_cs.add(event["event_id"])
        if event["type"] == "m.room.member" and "state_key" in event:
            content = event["content"] if isinstance(event["content"], dict) else {}
            room["members"][event["state_key"]] = {
                "membership": content.get("membership", "leave"),
                "displayname": content.get("displayname")}
        if event["type"] == "m.room.redaction":
            target = event.get("redacts")
            if target is None and isinstance(event["content"], dict):
                target = event["content"].get("redacts")
            if isinstance(target, str):
                self._redact(target, event)
        if deliver:
            self._event_seq += 1
            self._pending.append((self._event_seq, event["event_id"]))
        self._changed.notify_all()

    def _redact(self, target_id: str, redaction: dict) -> None:
        target = self._events.get(target_id)
        if target is None or target["room_id"] != redaction["room_id"]:
            return   # a redaction of an unknown event is kept, and applies to nothing here
        keep = REDACTION_KEEPS.get(target["type"], set())
        content = target["content"] if isinstance(target["content"], dict) else {}
        target["content"] = dict(content) if keep is None else {k: v for k, v in content.items() if k in keep}
        because = copy.deepcopy(redaction)
        because.get("unsigned", {}).pop("age", None)
        target["unsigned"] = {"redacted_because": because}

    def _client_event(self, event_id: str) -> dict:
        event = copy.deepcopy(self._events[event_id])
        now_ms = int(time.time() * 1000)
        event.setdefault("unsigned", {})["age"] = max(0, now_ms - self._received.get(event_id, now_ms))
        return event

    def _joined(self, room: dict, user: str) -> bool:
        return room["members"].get(user, {}).get("membership") == "join"

    def _in_namespace(self, user_id: str) -> bool:
        if not user_id.endswith(":" + self.server_name):
            return False   # user namespaces cover local users only (AS API "Registration")
        return re.fullmatch(self.user_regex, user_id) is not None

    def _is_appservice_user(self, user_id: str) -> bool:
        return user_id == self.bot_user_id or self._in_namespace(user_id)

    # ---- internals: records -----------------------------------------------------------------

    def _violation(self, by: str, method: str, path: str, operation: str | None, what: str) -> None:
        with self._changed:
            self._violations.append({"seq": len(self._violations) + 1, "time": time.time(), "by": by,
                                     "method": method, "path": path, "operation": operation,
                                     "what": what})
            self._changed.notify_all()
        if self.verbose:
            sys.stderr.write(f"fake-homeserver: violation by {by}: {method} {path}: {what}\n")

    def _next_script(self, op: Operation) -> dict | None:
        with self._lock:
            for key in (op.operation_id, ENDPOINT_ALIASES.get(op.operation_id)):
                queue = self._scripts.get(key) if key else None
                if queue:
                    return queue.popleft()
            return None

    # ---- the C-S API ------------------------------------------------------------------------

    def _serve_cs(self, method: str, target: str, body: bytes, headers) -> tuple[dict, _Reply]:
        split = urllib.parse.urlsplit(target)
        raw_path = split.path
        path = urllib.parse.unquote(raw_path)
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        entry = self._record({
            "http_method": method, "path": path, "raw_path": raw_path,
            "query": {k: (v[0] if len(v) == 1 else v) for k, v in query.items()},
            "operation": None, "endpoint": None, "params": {}, "body": None, "user_id": None,
            "status": None, "response": None, "outcome": "pending",
        })

        def violation(what: str, op: Operation | None = None) -> None:
            self._violation("appservice", method, path, op.operation_id if op else None, what)

        if method == "OPTIONS":   # CORS pre-flight (CS API "Web Browser Clients")
            return entry, _Reply(200, {})
        if split.fragment:
            violation("an unencoded '#' in the request target (a room alias must be %23-encoded)")
        op, raw_values, allowed = self.cs_spec.match(method, raw_path)
        if op is None:
            if allowed:
                violation(f"method {method} not defined for this path (spec allows {allowed})")
                return entry, _error(405, "M_UNRECOGNIZED", "Unrecognized request")
            violation("no operation in " + CS_SPEC + " matches this path")
            return entry, _error(404, "M_UNRECOGNIZED", "Unrecognized request")
        entry["operation"] = op.operation_id
        entry["endpoint"] = ENDPOINT_ALIASES.get(op.operation_id, op.operation_id)

        # Parameters: path ones as typed by the spec; query ones declared by the operation plus
        # the appservice extensions.
        bad_params: list[str] = []
        params = {}
        for name, raw in raw_values.items():
            value = urllib.parse.unquote(raw)
            params[name] = value
            schema = op.path_params.get(name, {}).get("schema") or {}
            bad_params += _schema_errors(validator_for(schema), _coerce(schema, value), f"path {name}")
        entry["params"] = params
        qvalues = {}
        for name, values in query.items():
            declared = op.query_params.get(name)
            if declared is None:
                if name == "ts" and op.operation_id == "sendMessage":
                    if len(values) != 1 or not re.fullmatch(r"[0-9]+", values[0]):
                        bad_params.append(f"query ts: {values!r} is not a timestamp in ms")
                    else:
                        qvalues["ts"] = int(values[0])
                    continue
                if name == "ts":
                    violation("`ts` is only valid on /send and /state (AS API \"Timestamp massaging\")", op)
                elif name not in AS_QUERY_PARAMS:
                    violation(f"query parameter {name!r} is not in the operation", op)
                if len(values) > 1:
                    violation(f"query parameter {name!r} given {len(values)} times", op)
                qvalues[name] = values[0]
                continue
            schema = declared.get("schema") or {}
            if schema.get("type") == "array":
                value = [_coerce(schema.get("items") or {}, v) for v in values]
            else:
                if len(values) > 1:
                    bad_params.append(f"query {name}: given {len(values)} times")
                value = _coerce(schema, values[-1])
            qvalues[name] = value
            bad_params += _schema_errors(validator_for(schema), value, f"query {name}")
        for name, declared in op.query_params.items():
            if declared.get("required") and name not in query:
                bad_params.append(f"query {name}: required")
        for problem in bad_params:
            violation(problem, op)

        # The body.
        parsed = None
        body_reply = None
        media = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if body:
            if not op.takes_body:
                violation("a request body on an operation that takes none", op)
            if media != "application/json":
                violation(f"Content-Type {media or '(none)'!r}, not application/json", op)
            try:
                parsed = _strict_json(body)
            except (ValueError, UnicodeDecodeError) as e:
                violation(f"the body is not JSON: {e}", op)
                body_reply = _error(400, "M_NOT_JSON", "Content not JSON.")
            entry["body"] = parsed if body_reply is None else body.decode("utf-8", "replace")[:2000]
        elif op.body_required:
            violation("the request body is required (requestBody.required) but empty; send {} at least", op)
            if op.operation_id in ("joinRoom", "joinRoomById", "pingAppservice"):
                parsed = {}   # Synapse takes an empty body here; the violation is recorded
            else:
                body_reply = _error(400, "M_NOT_JSON", "Content not JSON.")
        if body_reply is None and op.body_schema is not None and parsed is not None:
            errors = _schema_errors(validator_for(op.body_schema), parsed, "body")
            for problem in errors:
                violation(problem, op)
            if errors:
                body_reply = _error(400, "M_BAD_JSON", errors[0])

        # Authentication (CS API "Client authentication") and identity assertion.
        header = headers.get("Authorization")
        header_token = None
        if header is not None:
            scheme, _, credential = header.partition(" ")
            if scheme.lower() != "bearer" or not credential.strip():
                violation("Authorization header is not 'Bearer <token>'", op)
            else:
                header_token = credential.strip()
        query_token = query.get("access_token", [None])[0]
        if query_token is not None:
            violation("access_token in the query: deprecated since v1.11, use the Authorization "
                      "header (PROTOCOLS.md 8)", op)
        entry["auth"] = ("both" if header_token and query_token else "header" if header_token
                         else "query" if query_token else None)
        if header_token is not None and query_token is not None:
            violation("both an Authorization header and an access_token query parameter", op)
            return entry, _error(401, "M_MISSING_TOKEN",
                                 "Mixing Authorization headers and access_token query parameters.")
        token = header_token if header_token is not None else query_token
        if token is None:
            return entry, _error(401, "M_MISSING_TOKEN", "Missing access token.")
        if token != self.as_token:
            return entry, _error(401, "M_UNKNOWN_TOKEN", "Unknown access token.", soft_logout=False)
        asserted = qvalues.get("user_id")
        if asserted is not None and op.operation_id != "pingAppservice":
            if not self._is_appservice_user(asserted):
                return entry, _error(403, "M_FORBIDDEN",
                                     f"Application service cannot masquerade as this user ({asserted}).")
        user = asserted or self.bot_user_id
        entry["user_id"] = user

        if body_reply is not None:
            return entry, body_reply
        if bad_params:
            return entry, _error(400, "M_INVALID_PARAM", bad_params[0])

        ctx = {"op": op, "params": params, "query": qvalues, "body": parsed, "user": user,
               "token": token, "method": method, "path": path, "entry": entry}
        scripted = self._next_script(op)
        kind = scripted.get("kind") if scripted else "ok"
        if kind == "429":
            seconds = int(scripted.get("retry_after", 1))
            variant = scripted.get("variant", "both")
            extra = {}
            if variant in ("body", "both"):
                extra["retry_after_ms"] = int(scripted.get("retry_after_ms", seconds * 1000))
            reply = _error(429, "M_LIMIT_EXCEEDED", "Too many requests", **extra)
            if variant in ("header", "both"):
                reply.headers["Retry-After"] = str(seconds)
            entry["outcome"] = "429"
            return entry, reply
        if kind == "500":
            entry["outcome"] = "500"
            if scripted.get("html"):
                return entry, _Reply(500, raw=b"<html><body>500 Internal Server Error</body></html>",
                                     content_type="text/html")
            return entry, _error(500, "M_UNKNOWN", "Internal server error")
        if kind == "error":
            status = int(scripted.get("status", 500))
            entry["outcome"] = f"error:{status}"
            extra = {k: v for k, v in scripted.items() if k not in ("kind", "status", "errcode", "error")}
            return entry, _error(status, scripted.get("errcode", "M_UNKNOWN"),
                                 scripted.get("error", "Scripted error"), **extra)
        if kind == "garbage":
            entry["outcome"] = "garbage"
            return entry, _Reply(200, raw=b'{"event_id": "$trunc<html>garbage')
        if kind == "hang":
            entry["outcome"] = "hang"
            return entry, _Reply(0, hang=float(scripted.get("seconds", 30)))
        reply = self._execute(ctx)
        if kind in ("stored_then_500", "stored_then_hang"):
            entry["outcome"] = kind
            entry["lost_answer"] = {"status": reply.status, "body": reply.payload}
            self._check_own_reply(op, method, path, reply)
            if kind == "stored_then_500":
                time.sleep(float(scripted.get("delay", 0)))
                return entry, _error(500, "M_UNKNOWN", "Internal server error")
            return entry, _Reply(0, hang=float(scripted.get("seconds", 30)))
        entry["outcome"] = "ok" if reply.status == 200 else f"error:{reply.status}"
        return entry, reply

    def _execute(self, ctx: dict) -> _Reply:
        op: Operation = ctx["op"]
        handler = getattr(self, "_op_" + op.operation_id)
        if op.operation_id == "pingAppservice":
            return handler(ctx)   # calls the appservice: no lock held
        with self._changed:
            if "txnId" not in op.path_params:
                return handler(ctx)
            # Transaction identifiers: same access token, same path -> same answer, no new event.
            key = (ctx["token"], op.operation_id, tuple(sorted(ctx["params"].items())))
            cached = self._txn_cache.get(key)
            if cached is not None:
                ctx["entry"]["retransmission"] = True
                if cached["request"] != ctx["body"]:
                    self._violation("appservice", ctx["method"], ctx["path"], op.operation_id,
                                    "txnId reused with a different body: the homeserver answers "
                                    "the first request's result and drops this content")
                ctx["entry"]["event_id"] = cached["reply"].payload.get("event_id")
                return _Reply(cached["reply"].status, copy.deepcopy(cached["reply"].payload))
            reply = handler(ctx)
            if reply.status == 200:
                self._txn_cache[key] = {"request": copy.deepcopy(ctx["body"]), "reply": reply}
            return reply

    def _room_for_write(self, ctx: dict) -> tuple[dict | None, _Reply | None]:
        room = self._rooms.get(ctx["params"]["roomId"])
        if room is None or not self._joined(room, ctx["user"]):
            return None, _error(403, "M_FORBIDDEN",
                                f"User {ctx['user']} not in room {ctx['params']['roomId']}")
        return room, None

    def _finish_event(self, ctx: dict, event: dict) -> _Reply:
        size = len(json.dumps(event, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode())
        if size > MAX_EVENT_BYTES:
            self._violation("appservice", ctx["method"], ctx["path"], ctx["op"].operation_id,
                            f"event of {size} bytes: over the {MAX_EVENT_BYTES}-byte limit")
            self._received.pop(event["event_id"], None)
            return _error(413, "M_TOO_LARGE", "Event too large")
        self._store(event, via_cs=True)
        ctx["entry"]["event_id"] = event["event_id"]
        return _Reply(200, {"event_id": event["event_id"]})

    def _op_sendMessage(self, ctx: dict) -> _Reply:
        room, refusal = self._room_for_write(ctx)
        if refusal:
            return refusal
        etype, content = ctx["params"]["eventType"], ctx["body"]
        method, path, opid = ctx["method"], ctx["path"], "sendMessage"
        if etype in STATE_EVENT_TYPES:
            self._violation("appservice", method, path, opid,
                            f"{etype} is a state event type: send it with PUT /state, not /send")
        for problem in content_problems(etype, content):
            self._violation("appservice", method, path, opid, problem)
        relates = content.get("m.relates_to") if isinstance(content, dict) else None
        if isinstance(relates, dict) and isinstance(relates.get("event_id"), str) and relates.get("rel_type"):
            target = self._events.get(relates["event_id"])
            if target is None or target["room_id"] != room["room_id"]:
                self._violation("appservice", method, path, opid,
                                f"{relates['rel_type']} relation to {relates['event_id']}, "
                                "not an event of this room")
            elif relates["rel_type"] == "m.replace" and (target["sender"] != ctx["user"]
                                                         or target["type"] != etype):
                self._violation("appservice", method, path, opid,
                                "m.replace of an event with another sender or type "
                                "(modules/event_replacements.md: clients ignore it)")
            if etype == "m.reaction" and relates.get("rel_type") == "m.annotation":
                for other in room["timeline"]:
                    e = self._events[other]
                    r = e["content"].get("m.relates_to") if isinstance(e["content"], dict) else None
                    if (e["type"] == "m.reaction" and e["sender"] == ctx["user"] and isinstance(r, dict)
                            and r.get("rel_type") == "m.annotation"
                            and r.get("event_id") == relates["event_id"] and r.get("key") == relates.get("key")):
                        return _error(400, "M_DUPLICATE_ANNOTATION", "Can't send same reaction twice")
        extra = None
        if etype == "m.room.redaction" and room["version"] not in ("11", "12") and isinstance(content, dict):
            content = dict(content)   # older rooms: redacts moves to the top level
            extra = {"redacts": content.pop("redacts", None)}
        event = self._new_event(room["room_id"], ctx["user"], etype, copy.deepcopy(content),
                                ts=ctx["query"].get("ts"), extra=extra)
        return self._finish_event(ctx, event)

    def _op_redactEvent(self, ctx: dict) -> _Reply:
        room, refusal = self._room_for_write(ctx)
        if refusal:
            return refusal
        body = ctx["body"] or {}
        content = {}
        if "reason" in body:
            content["reason"] = body["reason"]
        extra = None
        if room["version"] in ("11", "12"):
            content["redacts"] = ctx["params"]["eventId"]
        else:
            extra = {"redacts": ctx["params"]["eventId"]}
        event = self._new_event(room["room_id"], ctx["user"], "m.room.redaction", content, extra=extra)
        return self._finish_event(ctx, event)

    def _op_getOneRoomEvent(self, ctx: dict) -> _Reply:
        room = self._rooms.get(ctx["params"]["roomId"])
        event = self._events.get(ctx["params"]["eventId"])
        if (room is None or event is None or event["room_id"] != room["room_id"]
                or not self._joined(room, ctx["user"])):
            return _error(404, "M_NOT_FOUND", "Event not found.")
        return _Reply(200, self._client_event(event["event_id"]))

    def _op_getJoinedMembersByRoom(self, ctx: dict) -> _Reply:
        room = self._rooms.get(ctx["params"]["roomId"])
        # The user must be in the room, or, for an appservice, any of its users (operation text).
        if room is None or not any(self._is_appservice_user(u) and m["membership"] == "join"
                                   for u, m in room["members"].items()):
            return _error(403, "M_FORBIDDEN", "You aren't a member of the room.")
        joined = {}
        for user, m in room["members"].items():
            if m["membership"] == "join":
                joined[user] = {"display_name": m["displayname"]} if m.get("displayname") else {}
        return _Reply(200, {"joined": joined})

    def _join(self, ctx: dict, room_id_or_alias: str) -> _Reply:
        room_id = self._aliases.get(room_id_or_alias, room_id_or_alias)
        room = self._rooms.get(room_id)
        if room is None:
            return _error(404, "M_NOT_FOUND", "No known servers" if room_id.startswith("!")
                          else "Room alias not found")
        user = ctx["user"]
        current = room["members"].get(user, {}).get("membership")
        if current == "join":
            return _Reply(200, {"room_id": room_id})
        if current == "ban":
            return _error(403, "M_FORBIDDEN", "You are banned from this room.")
        if room["join_rule"] != "public" and current != "invite":
            return _error(403, "M_FORBIDDEN", "You are not invited to this room.")
        content = {"membership": "join"}
        name = self._display_names.get(user) or user[1:].split(":")[0]
        content["displayname"] = name
        if isinstance(ctx["body"], dict) and isinstance(ctx["body"].get("reason"), str):
            content["reason"] = ctx["body"]["reason"]
        event = self._new_event(room_id, user, "m.room.member", content, state_key=user)
        self._store(event, via_cs=True)
        return _Reply(200, {"room_id": room_id})

    def _op_joinRoom(self, ctx: dict) -> _Reply:
        return self._join(ctx, ctx["params"]["roomIdOrAlias"])

    def _op_joinRoomById(self, ctx: dict) -> _Reply:
        return self._join(ctx, ctx["params"]["roomId"])

    def _relations(self, ctx: dict, rel_type=None, event_type=None) -> _Reply:
        room = self._rooms.get(ctx["params"]["roomId"])
        parent = ctx["params"]["eventId"]
        if (room is None or parent not in self._events or self._events[parent]["room_id"] != room["room_id"]
                or not self._joined(room, ctx["user"])):
            return _error(404, "M_NOT_FOUND", "Event not found.")
        q = ctx["query"]
        recurse = q.get("recurse") is True
        targets, found, depth = {parent}, [], 0
        while targets and depth < (3 if recurse else 1):
            depth += 1
            level = []
            for eid in room["timeline"]:
                e = self._events[eid]
                r = e["content"].get("m.relates_to") if isinstance(e["content"], dict) else None
                if isinstance(r, dict) and r.get("rel_type") and r.get("event_id") in targets:
                    level.append(eid)
            targets = set(level) - set(found)
            found += [eid for eid in level if eid not in found]
        order = [eid for eid in room["timeline"] if eid in found]
        chosen = []
        for eid in order:
            e = self._events[eid]
            r = e["content"]["m.relates_to"]
            if rel_type is not None and r.get("rel_type") != rel_type:
                continue
            if event_type is not None and e["type"] != event_type:
                continue
            chosen.append(eid)
        direction = q.get("dir", "b")
        if direction == "b":
            chosen.reverse()

        def position(token):
            m = re.fullmatch(r"[bf]([0-9]+)", token or "")
            return int(m.group(1)) if m else None
        start = 0
        if "from" in q:
            start = position(q["from"])
            if start is None:
                return _error(400, "M_INVALID_PARAM", "Unknown pagination token")
        end = len(chosen)
        if "to" in q:
            end = position(q["to"])
            if end is None:
                return _error(400, "M_INVALID_PARAM", "Unknown pagination token")
        limit = q.get("limit", 5)
        limit = max(0, min(int(limit), 100)) if isinstance(limit, int) else 5
        page = chosen[start:min(end, start + limit)]
        answer = {"chunk": [self._client_event(eid) for eid in page]}
        if start + limit < min(end, len(chosen)):
            answer["next_batch"] = f"{direction}{start + limit}"
        if start > 0:
            answer["prev_batch"] = f"{direction}{max(0, start - limit)}"
        if "recurse" in q:
            answer["recursion_depth"] = 3 if recurse else 1
        return _Reply(200, answer)

    def _op_getRelatingEvents(self, ctx: dict) -> _Reply:
        return self._relations(ctx)

    def _op_getRelatingEventsWithRelType(self, ctx: dict) -> _Reply:
        return self._relations(ctx, ctx["params"]["relType"])

    def _op_getRelatingEventsWithRelTypeAndEventType(self, ctx: dict) -> _Reply:
        return self._relations(ctx, ctx["params"]["relType"], ctx["params"]["eventType"])

    def _op_pingAppservice(self, ctx: dict) -> _Reply:
        if ctx["params"]["appserviceId"] != self.appservice_id:
            return _error(403, "M_FORBIDDEN", "Provided access token is not the appservice's as_token")
        with self._lock:
            base = self._as_url
            opts = dict(self._delivery)
        if not base:
            return _error(400, "M_URL_NOT_SET", "Application service doesn't have a URL configured")
        body = {}
        if isinstance(ctx["body"], dict) and "transaction_id" in ctx["body"]:
            body["transaction_id"] = ctx["body"]["transaction_id"]
        raw = json.dumps(body).encode()
        self._check_own_request(self._ping_op, "POST", "/_matrix/app/v1/ping", body)
        result = self._as_request(base, "POST", "/_matrix/app/v1/ping", raw, opts,
                                  timeout=self.ping_timeout, shared=False)
        self._check_as_answer(self._ping_op, "POST", "/_matrix/app/v1/ping", result)
        record = {"time": time.time(), "transaction_id": body.get("transaction_id"),
                  **{k: result[k] for k in ("status", "body", "error", "duration_ms", "token_ok")}}
        with self._changed:
            self._pings.append(record)
            self._changed.notify_all()
        if result["error"] == "timeout":
            return _error(504, "M_CONNECTION_TIMEOUT", "Connection to application service timed out")
        if result["error"]:
            return _error(502, "M_CONNECTION_FAILED", f"Connection to application service failed: {result['error']}")
        if result["status"] != 200:
            return _error(502, "M_BAD_STATUS", f"Ping returned status {result['status']}",
                          status=result["status"], body=result["raw"])
        return _Reply(200, {"duration_ms": result["duration_ms"]})

    def _check_own_reply(self, op: Operation | None, method: str, path: str, reply: _Reply) -> None:
        """The fake checks its own answers: a failure here is a bug in the fake."""
        if reply.hang is not None or reply.raw is not None:
            return
        where = f"answer {reply.status}"
        problems = []
        schema = op.response_schema(reply.status) if op is not None else None
        if schema is not None:
            problems += _schema_errors(validator_for(schema), reply.payload, where)
        if reply.status >= 400:   # listed or not, a C-S error is {errcode, error}
            problems += _schema_errors(validator_for(CS_ERROR_SCHEMA), reply.payload, where)
        for p in problems:
            self._violation("fake", method, path, op.operation_id if op else None, p)

    def _check_own_request(self, op: Operation, method: str, path: str, body) -> None:
        if op.body_schema is not None:
            for p in _schema_errors(validator_for(op.body_schema), body, "request body"):
                self._violation("fake", method, path, op.operation_id, p)

    # ---- homeserver -> appservice -----------------------------------------------------------

    def _close_as_conn(self) -> None:
        conn, self._as_conn = self._as_conn, None
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass

    def _as_request(self, base: str, method: str, path: str, body: bytes, opts: dict,
                    timeout: float, shared: bool) -> dict:
        """One request to the appservice. `shared`: on the keep-alive connection (hold
        _send_lock). Never raises: failures are in `error`."""
        url = urllib.parse.urlsplit(base)
        host, port = url.hostname or "127.0.0.1", url.port or 80
        prefix = url.path.rstrip("/")
        token = opts["token"] if opts["token"] is not None else self.hs_token
        query_token = opts["query_token"] if opts["query_token"] is not None else token
        auth = opts["auth"]
        target = prefix + path
        sent = []
        if auth in ("query", "both"):
            target += "?access_token=" + urllib.parse.quote(query_token, safe="")
            sent.append(query_token)
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body)),
                   "User-Agent": "fake-homeserver/1", "Accept": "application/json"}
        if auth in ("header", "both"):
            headers["Authorization"] = "Bearer " + token
            sent.append(token)
        result = {"path": target, "auth": auth, "token_ok": bool(sent) and all(t == self.hs_token for t in sent),
                  "status": None, "headers": {}, "body": None, "raw": "", "error": None,
                  "duration_ms": 0}
        started = time.monotonic()
        for attempt in (1, 2):
            conn = None
            reused = False
            try:
                if shared and self._as_conn is not None and self._as_conn_key == (host, port):
                    conn, reused = self._as_conn, True
                    conn.timeout = timeout
                    if conn.sock is not None:
                        conn.sock.settimeout(timeout)
                else:
                    conn = http.client.HTTPConnection(host, port, timeout=timeout)
                    if shared:
                        self._close_as_conn()
                        self._as_conn, self._as_conn_key = conn, (host, port)
                conn.request(method, target, body=body, headers=headers)
                response = conn.getresponse()
                raw = response.read()
                result["status"] = response.status
                result["headers"] = {k.lower(): v for k, v in response.getheaders()}
                result["raw"] = raw.decode("utf-8", "replace")[:4000]
                result["raw_bytes"] = raw
                if not shared or response.will_close:
                    if shared:
                        self._as_conn = None
                    conn.close()
                break
            except (socket.timeout, TimeoutError):
                result["error"] = "timeout"
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as e:
                result["error"] = f"connection lost: {e.__class__.__name__}"
                if reused and attempt == 1:   # a stale keep-alive connection: retry at once
                    self._close_as_conn()
                    result["error"] = None
                    continue
            except (OSError, http.client.HTTPException) as e:
                result["error"] = f"{e.__class__.__name__}: {e}"
            if shared:
                self._close_as_conn()
            elif conn is not None:
                conn.close()
            break
        result["duration_ms"] = int((time.monotonic() - started) * 1000)
        raw_bytes = result.pop("raw_bytes", None)
        if raw_bytes is not None and raw_bytes:
            try:
                result["body"] = _strict_json(raw_bytes)
                result["json"] = True
            except (ValueError, UnicodeDecodeError):
                result["json"] = False
        else:
            result["json"] = False
        return result

    def _check_as_answer(self, op: Operation, method: str, path: str, result: dict) -> None:
        """Validates what the appservice answered (and that it refused a wrong hs_token)."""
        if result["error"]:
            return
        status = result["status"]

        def violation(what):
            self._violation("appservice", method, path, op.operation_id, f"answer {status}: {what}")
        if not result["token_ok"]:
            if 200 <= status < 300:
                violation("accepted a request with a wrong or missing hs_token (AS API "
                          "\"Authorization\": fail it with M_FORBIDDEN)")
            elif result["auth"] != "none" and (status != 403 or not isinstance(result["body"], dict)
                                               or result["body"].get("errcode") != "M_FORBIDDEN"):
                violation("a wrong hs_token must be refused with 403 M_FORBIDDEN (AS API "
                          "\"Authorization\", PROTOCOLS.md 7)")
        schema = op.response_schema(status)
        if schema is None and 400 <= status < 500:
            schema = self._as_error_schema   # the AS API's "Error" object
        if schema is None:
            if not op.documents(status) and status < 500:
                violation(f"status {status} is not among the operation's responses {sorted(op.responses)}")
            return
        if not op.documents(status) and status < 400:
            violation(f"status {status} is not among the operation's responses {sorted(op.responses)}")
        media = result["headers"].get("content-type", "").split(";")[0].strip().lower()
        if media != "application/json":
            violation(f"Content-Type {media or '(none)'!r}, not application/json")
        if not result["json"]:
            violation(f"the body is not JSON: {result['raw'][:200]!r}")
            return
        for p in _schema_errors(validator_for(schema), result["body"], "body"):
            violation(p)

    def _releasable(self) -> bool:
        if not self._pending:
            return False
        return self._auto_deliver or self._pending[0][0] <= self._released_upto

    def _new_transaction(self) -> dict:
        chosen = []
        while self._pending and len(chosen) < self.batch_size and (
                self._auto_deliver or self._pending[0][0] <= self._released_upto):
            chosen.append(self._pending.popleft())
        events = [self._client_event(eid) for _, eid in chosen]
        body = {"events": events}
        txn = {"txn_id": str(self._next_txn), "events": events, "event_seqs": [s for s, _ in chosen],
               "created": time.time(), "acked": False, "attempts": []}
        self._next_txn += 1
        self._txn_bodies[txn["txn_id"]] = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self._transactions.append(txn)
        self._check_own_request(self._txn_op, "PUT", "/_matrix/app/v1/transactions/" + txn["txn_id"], body)
        return txn

    def _attempt(self, txn: dict, opts: dict, redelivery: bool = False) -> dict:
        with self._lock:
            base = self._as_url
            body = self._txn_bodies[txn["txn_id"]]
        prefix = "/transactions/" if opts.get("legacy_path") else "/_matrix/app/v1/transactions/"
        path = prefix + urllib.parse.quote(txn["txn_id"], safe="")
        if not base:
            result = {"path": path, "auth": opts["auth"], "token_ok": False, "status": None,
                      "headers": {}, "body": None, "raw": "", "error": "no appservice URL",
                      "duration_ms": 0, "json": False}
        else:
            with self._send_lock:
                result = self._as_request(base, "PUT", path, body, opts, self.request_timeout, shared=True)
            self._check_as_answer(self._txn_op, "PUT", path, result)
        record = {k: result[k] for k in ("path", "auth", "token_ok", "status", "body", "raw", "error",
                                         "duration_ms")}
        record["time"] = time.time()
        record["redelivery"] = redelivery
        record["ok"] = (result["error"] is None and result["status"] is not None
                        and 200 <= result["status"] < 300 and result["json"])
        with self._changed:
            txn["attempts"].append(record)
            record["n"] = len(txn["attempts"])
            self._changed.notify_all()
        return copy.deepcopy(record)

    def _delivery_loop(self) -> None:
        backoff = self.retry_initial
        while not self._stopping:
            try:
                backoff = self._delivery_step(backoff)
            except Exception as e:  # never let the pusher die
                self._violation("fake", "PUT", "/_matrix/app/v1/transactions/", "sendTransaction",
                                f"internal error in the pusher: {e!r}\n{traceback.format_exc()}")
                time.sleep(self.retry_initial)

    def _delivery_step(self, backoff: float) -> float:
        """One attempt (after waiting for work); returns the next backoff."""
        with self._changed:
            while not self._stopping and not (
                    self._as_url and (self._current is not None or self._releasable())):
                self._changed.wait(0.5)
            if self._stopping:
                return backoff
            if self._current is None:
                self._current = self._new_transaction()
            txn = self._current
            opts = dict(self._delivery)
        record = self._attempt(txn, opts)
        with self._changed:
            if record["ok"]:
                txn["acked"] = True
                txn["acked_at"] = time.time()
                if txn["event_seqs"]:
                    self._delivered_upto = max(self._delivered_upto, max(txn["event_seqs"]))
                if not self._pending:
                    self._delivered_upto = max(self._delivered_upto, self._event_seq)
                self._current = None
                self._changed.notify_all()
                return self.retry_initial
            if txn["attempts"]:
                txn["attempts"][-1]["retry_in"] = backoff   # seconds until the next attempt
            deadline = time.monotonic() + backoff
            while not self._stopping and time.monotonic() < deadline:
                self._changed.wait(max(0.0, deadline - time.monotonic()))
            return min(backoff * self.retry_factor, self.retry_max)

    # ---- control API ------------------------------------------------------------------------

    def _control(self, method: str, what: str, query: dict, data: dict) -> tuple[int, dict]:
        if method == "GET":
            if what == "calls":
                return 200, {"calls": self.calls(query.get("endpoint"))}
            if what == "violations":
                return 200, {"violations": self.violations(query.get("by"))}
            if what == "transactions":
                return 200, {"transactions": self.transactions()}
            if what == "timeline":
                return 200, {"events": self.timeline(query.get("room_id", ""))}
            if what == "registration":
                return 200, self.registration()
            return 404, {"error": "unknown control " + what}
        if what == "rooms":
            room_id = self.create_room(data.get("room_id"), data.get("members"), data.get("aliases", ()),
                                       data.get("join_rule"), data.get("room_version"))
            return 200, {"room_id": room_id}
        if what == "events":
            return 200, self.send_event(data["room_id"], data["sender"], data["type"], data["content"],
                                        data.get("state_key"))
        if what == "invite":
            return 200, self.invite(data["room_id"], data["user_id"], data["sender"])
        if what == "script":
            self.script(data["endpoint"], data["responses"])
            return 200, {"pending": self.pending_script(data["endpoint"])}
        if what == "appservice":
            self.set_appservice_url(data.get("url"))
            return 200, {"url": self.appservice_url}
        if what == "delivery":
            if "auto" in data:
                self.auto_deliver = data.pop("auto")
            return 200, self.set_delivery(**data)
        if what == "deliver":
            return 200, {"delivered": self.deliver(float(data.get("timeout", 10)))}
        if what == "redeliver":
            return 200, self.redeliver(data["txn_id"])
        if what == "reset":
            self.reset()
            return 200, {}
        return 404, {"error": "unknown control " + what}


# --------------------------------------------------------------------------------------------
# HTTP server
# --------------------------------------------------------------------------------------------

class _Handler(FakeHandler):
    server_version = "fake-homeserver/1"
    log_name = "fake-homeserver"
    fixed_headers = (
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS"),
        ("Access-Control-Allow-Headers", "X-Requested-With, Content-Type, Authorization"),
    )

    def _dispatch(self) -> None:
        fake = self.fake
        try:
            body = self._read_body()
            split = urllib.parse.urlsplit(self.path)
            if split.path.startswith("/_fake/"):
                self._control(split, body)
                return
            entry, reply = fake._serve_cs(self.command, self.path, body, self.headers)
            if reply.hang is None:
                fake._check_own_reply(fake.cs_spec.match(self.command, split.path)[0], self.command,
                                      entry["path"], reply)
            with fake._changed:
                entry["status"] = reply.status if reply.hang is None else None
                entry["response"] = (reply.payload if reply.raw is None
                                     else reply.raw.decode("utf-8", "replace")) if reply.hang is None else None
                if entry.get("outcome") == "pending":
                    entry["outcome"] = "ok" if reply.status == 200 else f"error:{reply.status}"
                fake._changed.notify_all()
            if reply.hang is not None:
                self._hang(reply.hang)
                return
            self._send(reply.status, reply.body(), reply.content_type, reply.headers)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # never raise in the server thread
            fake._violation("fake", self.command, self.path, None,
                            f"internal error in the fake: {e!r}\n{traceback.format_exc()}")
            try:
                self._send(500, json.dumps({"errcode": "M_UNKNOWN", "error": "fake internal error"}).encode(),
                           "application/json")
            except OSError:
                self.close_connection = True

    def _control(self, split, body: bytes) -> None:
        query = dict(urllib.parse.parse_qsl(split.query))
        try:
            data = json.loads(body.decode("utf-8")) if body else {}
            status, answer = self.fake._control(self.command, split.path[len("/_fake/"):], query, data)
        except (KeyError, TypeError, ValueError) as e:
            status, answer = 400, {"error": f"bad control request: {e!r}"}
        self._send(status, json.dumps(answer, ensure_ascii=False).encode("utf-8"), "application/json")

    do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch


# --------------------------------------------------------------------------------------------
# Self-test: the fake against a tiny stand-in appservice in the same process
# --------------------------------------------------------------------------------------------

class StandInAppservice:
    """A minimal appservice: checks the hs_token (header and/or query; both must match), answers
    transactions 200 {} once per txnId (a retry is a no-op) and pings 200 {}. `script` holds the
    next answers to transactions: "500", "array" (200 with a JSON array), "text" (200 text/plain),
    "accept_any" (200 whatever the token), "hang"."""

    def __init__(self, hs_token: str):
        self.hs_token = hs_token
        self.lock = threading.Condition()
        self.received: list[dict] = []     # every request, in order
        self.processed: list[dict] = []    # events handled, once each
        self.done: set[str] = set()
        self.script: collections.deque = collections.deque()
        self.ping_script: collections.deque = collections.deque()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *args):
                pass

            def answer(self, status, value, content_type="application/json"):
                raw = value if isinstance(value, bytes) else json.dumps(value).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def handle_any(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                split = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(split.query)
                header = self.headers.get("Authorization")
                tokens = []
                if header is not None:
                    tokens.append(header[len("Bearer "):] if header.startswith("Bearer ") else "")
                if "access_token" in query:
                    tokens.append(query["access_token"][0])
                record = {"method": self.command, "path": split.path, "query": query,
                          "authorization": header, "body": body}
                with outer.lock:
                    outer.received.append(record)
                    outer.lock.notify_all()
                    is_txn = re.fullmatch(r"(/_matrix/app/v1)?/transactions/([^/]+)", split.path)
                    step = outer.script.popleft() if (is_txn and outer.script) else None
                    if split.path == "/_matrix/app/v1/ping" and outer.ping_script:
                        step = outer.ping_script.popleft()
                if step == "hang":
                    time.sleep(3)
                    self.close_connection = True
                    return
                if step != "accept_any":
                    if not tokens:
                        return self.answer(401, {"errcode": "M_UNAUTHORIZED", "error": "no token"})
                    if any(t != outer.hs_token for t in tokens):
                        return self.answer(403, {"errcode": "M_FORBIDDEN", "error": "bad token"})
                if step == "500":
                    return self.answer(500, {"errcode": "M_UNKNOWN", "error": "scripted"})
                if step == "array":
                    return self.answer(200, [])
                if step == "text":
                    return self.answer(200, b"OK", "text/plain")
                if is_txn and self.command == "PUT":
                    txn_id = urllib.parse.unquote(is_txn.group(2))
                    events = json.loads(body)["events"]
                    with outer.lock:
                        if txn_id not in outer.done:
                            outer.done.add(txn_id)
                            outer.processed += events
                        outer.lock.notify_all()
                    return self.answer(200, {})
                if split.path == "/_matrix/app/v1/ping" and self.command == "POST":
                    return self.answer(200, {})
                return self.answer(404, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"})

            do_GET = do_PUT = do_POST = handle_any

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.1},
                         daemon=True).start()

    def wait(self, predicate, timeout=5.0):
        deadline = time.monotonic() + timeout
        with self.lock:
            while not predicate(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.lock.wait(min(left, 0.1))
            return True

    def transactions_received(self) -> list[dict]:
        with self.lock:
            return [r for r in self.received if "/transactions/" in r["path"]]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class _Client:
    """The appservice's side of the C-S API, for the selftest."""

    def __init__(self, fake: FakeHomeserver, token: str | None, timeout: float = 10):
        self.conn = http.client.HTTPConnection("127.0.0.1", fake.port, timeout=timeout)
        self.token = token

    def call(self, method: str, path: str, body=None, query: dict | None = None,
             raw: bytes | None = None, headers: dict | None = None):
        h = {}
        if self.token is not None:
            h["Authorization"] = "Bearer " + self.token
        data = raw
        if data is None and body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        target = path + ("?" + urllib.parse.urlencode(query) if query else "")
        self.conn.request(method, target, body=data, headers=h)
        r = self.conn.getresponse()
        payload = r.read()
        try:
            parsed = json.loads(payload)
        except ValueError:
            parsed = payload
        return r.status, {k.lower(): v for k, v in r.getheaders()}, parsed


def q(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def selftest() -> int:
    started = time.monotonic()
    tally = SelfTestTally(detail_limit=1500)
    check = tally.check

    # The content checks accept the spec's own examples.
    examples = os.path.join(default_spec_dir(), EXAMPLES_DIR)
    for name in sorted(os.listdir(examples)):
        with open(os.path.join(examples, name), encoding="utf-8") as f:
            example = json.load(f)
        if "type" in example:
            check(f"the spec example {name} passes the content checks",
                  content_problems(example["type"], example["content"]) == [],
                  content_problems(example["type"], example["content"]))

    hs_token, as_token = "hs-selftest", "as-selftest"
    appservice = StandInAppservice(hs_token)
    fake = FakeHomeserver(as_token=as_token, hs_token=hs_token, retry_initial=0.02, retry_max=0.2,
                          request_timeout=2.0, ping_timeout=1.0)
    fake.start()
    try:
        check("the spec documents load: 9 AS operations, 10 C-S operations",
              len(fake.as_spec.operations) == 9 and len(fake.cs_spec.operations) == 10,
              (len(fake.as_spec.operations), len(fake.cs_spec.operations)))
        bot = fake.bot_user_id
        alice, ns_user = "@alice:localhost", "@_scribe_ghost:localhost"
        room = fake.create_room("!ops:localhost", members={alice: "Alice", bot: "Scribe"},
                                aliases=["#ops:localhost"])
        other = fake.create_room("!other:localhost", members={alice: "Alice"}, aliases=["#other:localhost"])
        private = fake.create_room("!private:localhost", members={alice: "Alice"}, join_rule="invite")
        check("registration: the namespace and the tokens",
              fake.registration()["namespaces"]["users"][0]["regex"] == "@_scribe_.*:localhost"
              and "hs_token: \"hs-selftest\"" in fake.registration_yaml())

        # ---- transactions: push, ids, shape -------------------------------------------------
        e1 = fake.send_event(room, alice, "m.room.message", {"msgtype": "m.text", "body": "hello"})
        check("no appservice URL yet: nothing delivered", fake.deliver(timeout=0.3) is False)
        fake.set_appservice_url(appservice.url)
        check("delivered once the URL is known", fake.deliver(timeout=5))
        txns = appservice.transactions_received()
        check("PUT /_matrix/app/v1/transactions/1 with the hs_token in the header",
              len(txns) == 1 and txns[0]["method"] == "PUT"
              and txns[0]["path"] == "/_matrix/app/v1/transactions/1"
              and txns[0]["authorization"] == "Bearer " + hs_token and not txns[0]["query"], txns)
        pushed = json.loads(txns[0]["body"])["events"][0]
        check("a full ClientEvent", set(pushed) == {"content", "event_id", "origin_server_ts", "room_id",
                                                    "sender", "type", "unsigned"}
              and pushed["event_id"] == e1["event_id"] and pushed["event_id"].startswith("$")
              and isinstance(pushed["origin_server_ts"], int) and pushed["origin_server_ts"] > 1.6e12
              and isinstance(pushed["unsigned"].get("age"), int), pushed)
        state = fake.send_event(room, alice, "m.room.topic", {"topic": "db"}, state_key="")
        fake.deliver()
        pushed = json.loads(appservice.transactions_received()[-1]["body"])["events"][0]
        check("a state event carries state_key, and txnIds increase",
              pushed.get("state_key") == "" and pushed["event_id"] == state["event_id"]
              and appservice.transactions_received()[-1]["path"].endswith("/transactions/2"), pushed)

        # ---- retry with the same txnId after a 500 and after a refused connection ------------
        appservice.script.extend(["500", "500"])
        fake.send_event(room, alice, "m.room.message", {"msgtype": "m.text", "body": "retry me"})
        check("retried until acknowledged", fake.deliver(timeout=5))
        t3 = fake.transactions()[-1]
        same = [r for r in appservice.transactions_received() if r["path"].endswith("/transactions/3")]
        check("three attempts of txn 3: 500, 500, 200", [a["status"] for a in t3["attempts"]] == [500, 500, 200], t3)
        check("the same txnId and the same bytes each time",
              len(same) == 3 and len({r["body"] for r in same}) == 1, len(same))
        check("the appservice handled the events once", [e["content"].get("body") for e in appservice.processed].count("retry me") == 1)
        waits = [a.get("retry_in") for a in t3["attempts"]]
        gaps = [t3["attempts"][i + 1]["time"] - t3["attempts"][i]["time"] for i in range(2)]
        check("exponential backoff between attempts: 0.02 s, then 0.04 s",
              waits == [0.02, 0.04, None] and gaps[0] >= 0.02 and gaps[1] >= 0.04, (waits, gaps))

        dead = socket.socket()
        dead.bind(("127.0.0.1", 0))
        dead_port = dead.getsockname()[1]
        dead.close()
        fake.set_appservice_url(f"http://127.0.0.1:{dead_port}")
        known = len(fake.transactions())
        fake.send_event(room, alice, "m.room.message", {"msgtype": "m.text", "body": "while down"})
        check("connection failures are retried",
              fake.wait_for(lambda f: len(f.transactions()) > known
                            and len(f.transactions()[-1]["attempts"]) >= 3, 5), fake.transactions()[-1])
        fake.set_appservice_url(appservice.url)
        check("delivered after the appservice came back", fake.deliver(timeout=5))
        t4 = fake.transactions()[-1]
        check("the same txnId throughout the outage",
              t4["txn_id"] == "4" and t4["acked"] and all(a["error"] for a in t4["attempts"][:-1])
              and all(a["path"].endswith("/4") for a in t4["attempts"]), t4)

        # ---- token variants and the legacy path ---------------------------------------------
        fake.set_delivery(auth="query")
        fake.send_event(room, alice, "m.room.message", {"msgtype": "m.text", "body": "query token"})
        fake.deliver()
        last = appservice.transactions_received()[-1]
        check("legacy ?access_token= instead of the header",
              last["authorization"] is None and last["query"].get("access_token") == [hs_token], last)
        fake.set_delivery(auth="both")
        fake.send_event(room, alice, "m.room.message", {"msgtype": "m.text", "body": "both"})
        fake.deliver()
        last = appservice.transactions_received()[-1]
        check("header and query together",
              last["authorization"] == "Bearer " + hs_token and last["query"].get("access_token") == [hs_token], last)
        fake.set_delivery(auth="header", legacy_path=True)
        fake.send_event(room, alice, "m.room.message", {"msgtype": "m.text", "body": "legacy path"})
        fake.deliver()
        last = appservice.transactions_received()[-1]
        check("the legacy unprefixed path", re.fullmatch(r"/transactions/[0-9]+", last["path"]), last["path"])
        fake.set_delivery(legacy_path=False, token="wrong-token")
        known = len(fake.transactions())
        fake.send_event(room, alice, "m.room.message", {"msgtype": "m.text", "body": "wrong token"})
        check("a wrong token is refused with 403 and retried",
              fake.wait_for(lambda f: len(f.transactions()) > known
                            and len(f.transactions()[-1]["attempts"]) >= 2, 5)
              and all(a["status"] == 403 for a in fake.transactions()[-1]["attempts"]), fake.transactions()[-1])
        fake.set_delivery(token=None)
        check("then delivered with the right token, same txnId", fake.deliver(timeout=5)
              and fake.transactions()[-1]["attempts"][-1]["status"] == 200)
        check("an appservice that refuses wrong tokens correctly: no violations", fake.violations() == [],
              fake.violations())
        fake.set_delivery(auth="none")
        known = len(fake.transactions())
        fake.send_event(room, alice, "m.room.message", {"msgtype": "m.text", "body": "no token"})
        check("no token: 401", fake.wait_for(lambda f: len(f.transactions()) > known
                                             and f.transactions()[-1]["attempts"], 5)
              and fake.transactions()[-1]["attempts"][0]["status"] == 401, fake.transactions()[-1])
        fake.set_delivery(auth="both", query_token="mismatch")
        check("header and query disagree: 403", fake.wait_for(
            lambda f: any(a["status"] == 403 for a in f.transactions()[-1]["attempts"]), 5))
        fake.set_delivery(auth="header", query_token=None)
        check("no token, then mismatched, then delivered", fake.deliver(timeout=5))
        check("still no violations", fake.violations() == [], fake.violations())

        # ---- redelivery of an acknowledged transaction ---------------------------------------
        before = len(appservice.processed)
        again = fake.redeliver("1")
        check("redeliver: 200 for an already acknowledged txn", again["status"] == 200 and again["redelivery"], again)
        check("the appservice did not handle it twice", len(appservice.processed) == before)
        check("the redelivery sent the same bytes",
              appservice.transactions_received()[-1]["body"] == appservice.transactions_received()[0]["body"])
        again = fake.redeliver("1", token="wrong-token")
        check("redeliver with a wrong token: 403", again["status"] == 403, again)

        # ---- invalid appservice answers are violations ---------------------------------------
        fake.clear_violations()
        appservice.script.extend(["text", "array"])
        fake.send_event(room, alice, "m.room.message", {"msgtype": "m.text", "body": "bad answers"})
        fake.deliver(timeout=5)
        found = [v["what"] for v in fake.violations(by="appservice")]
        check("a 200 with a JSON array is a violation", any("is not of type 'object'" in w for w in found), found)
        check("a 200 with text/plain is a violation", any("not application/json" in w for w in found), found)
        attempts = fake.transactions()[-1]["attempts"]
        check("a non-JSON 200 is retried; a JSON array is taken (as Synapse would)",
              [(a["status"], a["ok"]) for a in attempts] == [(200, False), (200, True)], attempts)
        fake.clear_violations()
        appservice.script.append("accept_any")
        fake.redeliver("1", token="wrong-token")
        found = [v["what"] for v in fake.violations(by="appservice")]
        check("accepting a wrong hs_token is a violation", any("wrong or missing hs_token" in w for w in found), found)
        fake.clear_violations()

        # ---- C-S API: auth ------------------------------------------------------------------
        c = _Client(fake, as_token)
        send = f"/_matrix/client/v3/rooms/{q(room)}/send/m.room.message/"
        notice = {"msgtype": "m.notice", "body": "hi", "format": "org.matrix.custom.html",
                  "formatted_body": "<b>hi</b>"}
        status, _, r = _Client(fake, None).call("PUT", send + "a1", notice)
        check("no token: 401 M_MISSING_TOKEN", status == 401 and r["errcode"] == "M_MISSING_TOKEN", r)
        status, _, r = _Client(fake, "nope").call("PUT", send + "a1", notice)
        check("a wrong token: 401 M_UNKNOWN_TOKEN", status == 401 and r["errcode"] == "M_UNKNOWN_TOKEN"
              and "error" in r, r)
        status, _, r = _Client(fake, None).call("PUT", send + "a0", notice, query={"access_token": as_token})
        check("the deprecated query token works", status == 200, r)
        check("...and is recorded as a violation", any("deprecated" in v["what"] for v in fake.violations()))
        fake.clear_violations()

        # ---- send: idempotency, echo --------------------------------------------------------
        status, _, r = c.call("PUT", send + "a1", notice)
        check("send: 200 {event_id}", status == 200 and r["event_id"].startswith("$"), r)
        first_id = r["event_id"]
        status, _, r = c.call("PUT", send + "a1", notice)
        check("the same txnId: the same event_id", status == 200 and r["event_id"] == first_id, r)
        bot_events = fake.sent_by_bot(room)
        check("one event stored, as the bot", [e["event_id"] for e in bot_events].count(first_id) == 1
              and fake.event(first_id)["sender"] == bot and fake.event(first_id)["content"] == notice)
        check("the bot's own event is echoed to the appservice once",
              fake.deliver(timeout=5) and [e["event_id"] for e in appservice.processed].count(first_id) == 1)
        status, _, r = c.call("PUT", send + "a2", notice)
        check("another txnId: another event", status == 200 and r["event_id"] != first_id, r)
        status, _, r = c.call("PUT", send + "a1", {"msgtype": "m.notice", "body": "changed"})
        check("a reused txnId with another body: the first answer, and a violation",
              r.get("event_id") == first_id and any("txnId reused" in v["what"] for v in fake.violations()), r)
        fake.clear_violations()
        status, _, r = c.call("PUT", f"/_matrix/client/v3/rooms/{q(other)}/send/m.room.message/b1", notice)
        check("a room the bot is not in: 403 M_FORBIDDEN", status == 403 and r["errcode"] == "M_FORBIDDEN", r)
        status, _, r = c.call("PUT", send + "ts1", notice, query={"ts": "1700000000000"})
        check("?ts= sets origin_server_ts on /send",
              status == 200 and fake.event(r["event_id"])["origin_server_ts"] == 1700000000000, r)

        # ---- identity assertion ---------------------------------------------------------------
        fake.create_room(room, members={ns_user: "Ghost"})
        status, _, r = c.call("PUT", send + "u1", notice, query={"user_id": ns_user})
        check("user_id in the namespace: sent as that user",
              status == 200 and fake.event(r["event_id"])["sender"] == ns_user, r)
        status, _, r = c.call("PUT", send + "u2", notice, query={"user_id": bot})
        check("user_id = the sender_localpart user", status == 200 and fake.event(r["event_id"])["sender"] == bot, r)
        status, _, r = c.call("PUT", send + "u3", notice, query={"user_id": alice})
        check("user_id outside the namespace: 403 M_FORBIDDEN", status == 403 and r["errcode"] == "M_FORBIDDEN", r)
        status, _, r = c.call("PUT", send + "u4", notice, query={"user_id": "@_scribe_x:elsewhere.org"})
        check("a remote user matching no local namespace: 403", status == 403, r)

        # ---- stored_then_500, 429 variants, 500, garbage, hang --------------------------------
        fake.script("send", [{"kind": "stored_then_500"}])
        status, _, r = c.call("PUT", send + "s1", notice)
        check("stored_then_500: a 500", status == 500 and r["errcode"] == "M_UNKNOWN", r)
        stored = fake.sent_by_bot(room)[-1]["event_id"]
        status, _, r = c.call("PUT", send + "s1", notice)
        check("stored_then_500: the retry gets the stored event's id",
              status == 200 and r["event_id"] == stored, (r, stored))
        check("stored_then_500: one event", [e["event_id"] for e in fake.sent_by_bot(room)].count(stored) == 1)
        fake.script("send", [{"kind": "429", "retry_after": 2, "variant": "header"},
                             {"kind": "429", "retry_after_ms": 1500, "variant": "body"},
                             {"kind": "429"}])
        count = len(fake.sent_by_bot(room))
        status, h, r = c.call("PUT", send + "r1", notice)
        check("429 with Retry-After only", status == 429 and h.get("retry-after") == "2"
              and r == {"errcode": "M_LIMIT_EXCEEDED", "error": "Too many requests"}, (h, r))
        status, h, r = c.call("PUT", send + "r1", notice)
        check("429 with retry_after_ms only", status == 429 and "retry-after" not in h
              and r.get("retry_after_ms") == 1500, (h, r))
        status, h, r = c.call("PUT", send + "r1", notice)
        check("429 with both", status == 429 and h.get("retry-after") == "1" and r.get("retry_after_ms") == 1000, (h, r))
        status, _, r = c.call("PUT", send + "r1", notice)
        check("after the script, the send goes through, once", status == 200
              and len(fake.sent_by_bot(room)) == count + 1, r)
        fake.script("join", [{"kind": "429"}])
        status, _, r = c.call("POST", f"/_matrix/client/v3/join/{q('#ops:localhost')}", {})
        check("join's documented 429 (RateLimitError)", status == 429 and fake.violations(by="fake") == [],
              fake.violations())
        fake.script("event", [{"kind": "500"}, {"kind": "garbage"},
                              {"kind": "error", "status": 502, "errcode": "M_UNKNOWN", "error": "proxy"}])
        get_first = f"/_matrix/client/v3/rooms/{q(room)}/event/{q(first_id)}"
        status, _, r = c.call("GET", get_first)
        check("scripted 500", status == 500 and r["errcode"] == "M_UNKNOWN", r)
        status, _, r = c.call("GET", get_first)
        check("scripted garbage", status == 200 and isinstance(r, bytes), r)
        status, _, r = c.call("GET", get_first)
        check("scripted error", status == 502 and r == {"errcode": "M_UNKNOWN", "error": "proxy"}, r)
        fake.script("send", [{"kind": "hang", "seconds": 20}, {"kind": "stored_then_hang", "seconds": 20}])
        for n, label in ((1, "hang"), (2, "stored_then_hang")):
            hung = _Client(fake, as_token, timeout=0.5)
            timed_out = False
            try:
                hung.call("PUT", send + f"h{n}", notice)
            except (socket.timeout, TimeoutError):
                timed_out = True
            check(f"{label}: no answer", timed_out)
            hung.conn.close()
            check(f"{label}: the fake lets go when the client does",
                  fake.wait_for(lambda f: f.hanging == 0, 3) is not None, fake.hanging)
        status, _, r = c.call("PUT", send + "h2", notice)
        check("stored_then_hang: the retry finds the stored event",
              status == 200 and r["event_id"] == fake.sent_by_bot(room)[-1]["event_id"]
              and fake.event(r["event_id"])["content"] == notice, r)
        outcomes = [x["outcome"] for x in fake.calls("send")]
        check("the record keeps the outcomes", {"stored_then_500", "429", "hang", "stored_then_hang"} <= set(outcomes), outcomes)
        check("scripted kinds are checked", _raises(lambda: fake.script("send", [{"kind": "nope"}])))
        check("endpoints are checked", _raises(lambda: fake.script("sned", [{"kind": "ok"}])))

        # ---- reactions, threads, redaction, get event, relations -----------------------------
        react = f"/_matrix/client/v3/rooms/{q(room)}/send/m.reaction/"
        rc = {"m.relates_to": {"rel_type": "m.annotation", "event_id": e1["event_id"], "key": "👀"}}
        status, _, r = c.call("PUT", react + "x1", rc)
        check("m.reaction", status == 200, r)
        reaction_id = r.get("event_id")
        status, _, r = c.call("PUT", react + "x2", rc)
        check("the same reaction again: 400 M_DUPLICATE_ANNOTATION",
              status == 400 and r["errcode"] == "M_DUPLICATE_ANNOTATION", r)
        thread = {"msgtype": "m.notice", "body": "in thread",
                  "m.relates_to": {"rel_type": "m.thread", "event_id": e1["event_id"], "is_falling_back": True,
                                   "m.in_reply_to": {"event_id": e1["event_id"]}}}
        status, _, r = c.call("PUT", send + "t1", thread)
        thread_id = r.get("event_id")
        check("a thread reply", status == 200, r)
        rel = f"/_matrix/client/v1/rooms/{q(room)}/relations/{q(e1['event_id'])}"
        status, _, r = c.call("GET", rel)
        check("relations: both, newest first",
              status == 200 and [e["event_id"] for e in r["chunk"]] == [thread_id, reaction_id], r)
        status, _, r = c.call("GET", rel + "/m.annotation/m.reaction", query={"dir": "f"})
        check("relations by rel_type and event type", [e["event_id"] for e in r["chunk"]] == [reaction_id], r)
        status, _, r = c.call("GET", rel + "/m.thread", query={"limit": "1"})
        check("relations by rel_type", [e["event_id"] for e in r["chunk"]] == [thread_id], r)
        status, _, r = c.call("GET", rel, query={"limit": "1", "dir": "f"})
        status2, _, r2 = c.call("GET", rel, query={"limit": "1", "dir": "f", "from": r.get("next_batch", "")})
        check("relations paginate with next_batch",
              [e["event_id"] for e in r["chunk"] + r2["chunk"]] == [reaction_id, thread_id]
              and "next_batch" not in r2, (r, r2))
        status, _, r = c.call("GET", rel, query={"limit": "many"})
        check("a query parameter of the wrong type: 400 M_INVALID_PARAM and a violation",
              status == 400 and r["errcode"] == "M_INVALID_PARAM"
              and any("query limit" in v["what"] for v in fake.violations()), r)
        fake.clear_violations()
        status, _, r = c.call("GET", f"/_matrix/client/v3/rooms/{q(room)}/event/{q(reaction_id)}")
        check("get event", status == 200 and r["event_id"] == reaction_id and r["room_id"] == room
              and r["content"] == rc and "age" in r["unsigned"], r)
        status, _, r = c.call("GET", f"/_matrix/client/v3/rooms/{q(room)}/event/{q('$nope')}")
        check("get an unknown event: 404 M_NOT_FOUND", status == 404 and r["errcode"] == "M_NOT_FOUND", r)
        redact = f"/_matrix/client/v3/rooms/{q(room)}/redact/{q(reaction_id)}/"
        status, _, r = c.call("PUT", redact + "d1", {"reason": "undo"})
        redaction_id = r.get("event_id")
        status2, _, r2 = c.call("PUT", redact + "d1", {"reason": "undo"})
        check("redact, idempotent", status == 200 and status2 == 200 and r2["event_id"] == redaction_id, (r, r2))
        red = fake.event(redaction_id)
        check("an m.room.redaction with redacts in content (room v11)",
              red["type"] == "m.room.redaction" and red["content"] == {"reason": "undo", "redacts": reaction_id}
              and "redacts" not in red, red)
        gone = fake.event(reaction_id)
        check("the reaction is pruned, with redacted_because",
              gone["content"] == {} and gone["unsigned"]["redacted_because"]["event_id"] == redaction_id, gone)
        status, _, r = c.call("GET", rel)
        check("a redacted reaction leaves the relations", [e["event_id"] for e in r["chunk"]] == [thread_id], r)
        status, _, r = c.call("PUT", react + "x3", rc)
        check("the reaction can be sent again once redacted", status == 200, r)
        check("the redaction reaches the appservice",
              fake.deliver(timeout=5) and any(e["event_id"] == redaction_id for e in appservice.processed))
        status, _, r = c.call("PUT", f"/_matrix/client/v3/rooms/{q(room)}/send/m.room.redaction/d2",
                              {"redacts": thread_id})
        check("m.room.redaction through /send", status == 200 and fake.event(thread_id)["content"] == {}, r)

        # ---- join, joined_members --------------------------------------------------------------
        status, _, r = c.call("POST", f"/_matrix/client/v3/join/{q('#other:localhost')}", {})
        check("join by alias", status == 200 and r == {"room_id": other}, r)
        member = fake.timeline(other)[-1]
        check("the join is an m.room.member event with the display name",
              member["type"] == "m.room.member" and member["state_key"] == bot
              and member["content"] == {"membership": "join", "displayname": "Scribe"}, member)
        status, _, r = c.call("GET", f"/_matrix/client/v3/rooms/{q(other)}/joined_members")
        check("joined_members with display names", status == 200
              and r == {"joined": {alice: {"display_name": "Alice"}, bot: {"display_name": "Scribe"}}}, r)
        status, _, r = c.call("POST", f"/_matrix/client/v3/rooms/{q(private)}/join", {})
        check("an invite-only room: 403 M_FORBIDDEN", status == 403 and r["errcode"] == "M_FORBIDDEN", r)
        fake.invite(private, bot, alice)
        status, _, r = c.call("POST", f"/_matrix/client/v3/rooms/{q(private)}/join", {})
        check("after an invite: joined", status == 200 and r == {"room_id": private}, r)
        status, _, r = c.call("GET", f"/_matrix/client/v3/rooms/{q('!unknown:localhost')}/joined_members")
        check("joined_members of a room without the bot: 403", status == 403, r)
        status, _, r = c.call("POST", f"/_matrix/client/v3/join/{q('#nowhere:localhost')}", {})
        check("an unknown alias: 404 M_NOT_FOUND", status == 404 and r["errcode"] == "M_NOT_FOUND", r)
        check("the invite and the joins reach the appservice",
              fake.deliver(timeout=5) and {"invite", "join"} <= {
                  e["content"].get("membership") for e in appservice.processed if e["type"] == "m.room.member"})
        check("so far, nothing invalid", fake.violations() == [], fake.violations())

        # ---- validation catches invalid requests ------------------------------------------------
        def caught(what, pattern, call):
            fake.clear_violations()
            status, _, r = call()
            found = [v["what"] for v in fake.violations(by="appservice")]
            check(what, any(re.search(pattern, w) for w in found), (status, r, found))
            return status, r
        status, r = caught("an m.room.message without body", r"'body' is a required property",
                           lambda: c.call("PUT", send + "v1", {"msgtype": "m.notice"}))
        check("...is accepted, as servers do (the violation is the signal)", status == 200, r)
        caught("format without formatted_body", r"'formatted_body' is a dependency of 'format'",
               lambda: c.call("PUT", send + "v2", {"msgtype": "m.notice", "body": "x",
                                                     "format": "org.matrix.custom.html"}))
        caught("an m.reaction with another rel_type", r"'m.annotation' was expected",
               lambda: c.call("PUT", react + "v3", {"m.relates_to": {"rel_type": "m.reference",
                                                                     "event_id": e1["event_id"], "key": "x"}}))
        caught("a thread without event_id", r"'event_id' is a dependency of 'rel_type'",
               lambda: c.call("PUT", send + "v4", {"msgtype": "m.notice", "body": "x",
                                                   "m.relates_to": {"rel_type": "m.thread"}}))
        caught("a relation to an event of another room", r"not an event of this room",
               lambda: c.call("PUT", send + "v5", {"msgtype": "m.notice", "body": "x",
                                                   "m.relates_to": {"rel_type": "m.thread", "event_id": "$elsewhere"}}))
        status, r = caught("content that is not an object", r"is not of type 'object'",
                           lambda: c.call("PUT", send + "v6", ["not", "an", "object"]))
        check("...400 M_BAD_JSON", status == 400 and r["errcode"] == "M_BAD_JSON", r)
        status, r = caught("a body that is not JSON", r"not JSON",
                           lambda: c.call("PUT", send + "v7", raw=b"{nope"))
        check("...400 M_NOT_JSON", status == 400 and r["errcode"] == "M_NOT_JSON", r)
        caught("a join without a body", r"request body is required",
               lambda: c.call("POST", f"/_matrix/client/v3/rooms/{q(room)}/join"))
        status, r = caught("a room ID without '!'", r"path roomId: .* does not match",
                           lambda: c.call("GET", f"/_matrix/client/v3/rooms/{q('ops:localhost')}/joined_members"))
        check("...400 M_INVALID_PARAM", status == 400 and r["errcode"] == "M_INVALID_PARAM", r)
        caught("a state event type on /send", r"state event type",
               lambda: c.call("PUT", f"/_matrix/client/v3/rooms/{q(room)}/send/m.room.topic/v8", {"topic": "x"}))
        caught("a query parameter the operation does not have", r"'since' is not in the operation",
               lambda: c.call("GET", f"/_matrix/client/v3/rooms/{q(room)}/joined_members", query={"since": "x"}))
        status, r = caught("an event over 65536 bytes", r"over the 65536-byte limit",
                           lambda: c.call("PUT", send + "v9", {"msgtype": "m.notice", "body": "x" * 70000}))
        check("...413 M_TOO_LARGE", status == 413 and r["errcode"] == "M_TOO_LARGE", r)
        status, r = caught("an unknown endpoint", r"no operation",
                           lambda: c.call("GET", "/_matrix/client/v3/account/whoami"))
        check("...404 M_UNRECOGNIZED", status == 404 and r["errcode"] == "M_UNRECOGNIZED", r)
        status, r = caught("a known path with another method", r"method GET not defined",
                           lambda: c.call("GET", send + "v10"))
        check("...405 M_UNRECOGNIZED", status == 405 and r["errcode"] == "M_UNRECOGNIZED", r)
        fake.clear_violations()

        # ---- ping -----------------------------------------------------------------------------
        ping = f"/_matrix/client/v1/appservice/{q(fake.appservice_id)}/ping"
        status, _, r = c.call("POST", ping, {"transaction_id": "ping-1"})
        hs_ping = [x for x in appservice.received if x["path"] == "/_matrix/app/v1/ping"]
        check("ping: 200 {duration_ms}", status == 200 and isinstance(r.get("duration_ms"), int), r)
        check("ping: the appservice got POST /_matrix/app/v1/ping with the transaction_id and hs_token",
              hs_ping and json.loads(hs_ping[-1]["body"]) == {"transaction_id": "ping-1"}
              and hs_ping[-1]["authorization"] == "Bearer " + hs_token, hs_ping)
        status, _, r = c.call("POST", "/_matrix/client/v1/appservice/someone-else/ping", {})
        check("ping another appservice: 403 M_FORBIDDEN", status == 403 and r["errcode"] == "M_FORBIDDEN", r)
        fake.set_delivery(token="wrong-token")
        status, _, r = c.call("POST", ping, {})
        check("ping with a wrong hs_token: 502 M_BAD_STATUS {status: 403, body}",
              status == 502 and r["errcode"] == "M_BAD_STATUS" and r["status"] == 403
              and "M_FORBIDDEN" in r["body"], r)
        fake.set_delivery(token=None)
        appservice.ping_script.append("hang")
        status, _, r = c.call("POST", ping, {})
        check("ping timing out: 504 M_CONNECTION_TIMEOUT", status == 504 and r["errcode"] == "M_CONNECTION_TIMEOUT", r)
        fake.set_appservice_url(f"http://127.0.0.1:{dead_port}")
        status, _, r = c.call("POST", ping, {})
        check("ping an appservice that is down: 502 M_CONNECTION_FAILED",
              status == 502 and r["errcode"] == "M_CONNECTION_FAILED", r)
        fake.set_appservice_url(None)
        status, _, r = c.call("POST", ping, {})
        check("ping without a URL: 400 M_URL_NOT_SET", status == 400 and r["errcode"] == "M_URL_NOT_SET", r)
        fake.set_appservice_url(appservice.url)
        check("ping: no violations", fake.violations() == [], fake.violations())

        # ---- manual delivery ---------------------------------------------------------------------
        fake.auto_deliver = False
        n = len(fake.transactions())
        fake.send_event(room, alice, "m.room.message", {"msgtype": "m.text", "body": "held 1"})
        fake.send_event(room, alice, "m.room.message", {"msgtype": "m.text", "body": "held 2"})
        time.sleep(0.2)
        check("auto_deliver off: held", len(fake.transactions()) == n and fake.pending_events() == 2)
        check("deliver(): both in one transaction", fake.deliver(timeout=5)
              and [e["content"]["body"] for e in fake.transactions()[-1]["events"]] == ["held 1", "held 2"])
        fake.auto_deliver = True

        # ---- the record and the control API ------------------------------------------------------
        calls = fake.calls()
        check("record fields", set(calls[0]) >= {"seq", "http_method", "path", "operation", "endpoint",
                                                 "params", "body", "user_id", "status", "outcome"}, calls[0])
        check("seq increases", [x["seq"] for x in calls] == list(range(1, len(calls) + 1)))
        ctl = _Client(fake, None)
        status, _, r = ctl.call("POST", "/_fake/rooms", {"room_id": "!ctl:localhost", "members": {alice: "Alice"}})
        check("control: create a room", status == 200 and r == {"room_id": "!ctl:localhost"}, r)
        status, _, r = ctl.call("POST", "/_fake/events", {"room_id": "!ctl:localhost", "sender": alice,
                                                          "type": "m.room.message",
                                                          "content": {"msgtype": "m.text", "body": "via control"}})
        check("control: send an event", status == 200 and r["event_id"].startswith("$"), r)
        status, _, r = ctl.call("GET", "/_fake/timeline?room_id=" + q("!ctl:localhost"))
        check("control: timeline", status == 200 and r["events"][-1]["content"]["body"] == "via control", r)
        status, _, r = ctl.call("GET", "/_fake/violations")
        check("control: violations", status == 200 and r == {"violations": []}, r)
        check("the fake's own requests and answers were valid throughout",
              fake.violations(by="fake") == [], fake.violations(by="fake"))
        check("every transaction acknowledged", fake.deliver(timeout=5)
              and all(t["acked"] for t in fake.transactions()), [t for t in fake.transactions() if not t["acked"]])
    finally:
        fake.stop()
        appservice.stop()
    elapsed = time.monotonic() - started
    print(f"fake_homeserver selftest: {tally.passes} passed, {len(tally.failures)} failed in {elapsed:.1f}s")
    return 0 if not tally.failures else 1


def _raises(fn) -> bool:
    try:
        fn()
    except (ValueError, KeyError):
        return True
    return False


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--selftest", action="store_true", help="check the fake itself")
    parser.add_argument("--serve", action="store_true", help="serve until Ctrl-C")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--as-url", default=None, help="the appservice's URL")
    parser.add_argument("--as-token", default="as-e2e-token")
    parser.add_argument("--hs-token", default="hs-e2e-token")
    parser.add_argument("--id", default="scribe", help="the appservice's id")
    parser.add_argument("--sender-localpart", default="scribe")
    parser.add_argument("--server-name", default="localhost")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.selftest:
        return selftest()
    if args.serve:
        return serve_until_interrupted(
            lambda: FakeHomeserver(as_url=args.as_url, as_token=args.as_token, hs_token=args.hs_token,
                                   appservice_id=args.id, sender_localpart=args.sender_localpart,
                                   server_name=args.server_name, port=args.port,
                                   verbose=args.verbose).start(),
            lambda fake: f"homeserver_url={fake.url}\ncontrol={fake.url}/_fake/\n--- registration ---\n"
                         f"{fake.registration_yaml()}")
    parser.print_help()
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
