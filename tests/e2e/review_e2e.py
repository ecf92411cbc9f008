#!/usr/bin/env python3
"""End to end: the wording review of any text, with the real binary.

Usage: review_e2e.py <path to scribe>    (ctest: e2e.review; exit 0 when every check passes)

  1. `scribe review`: readable findings from standard input and from a file (exit 1), a blameless
     text (exit 0), --json and --people, no such file (66), a wrong command line (64); it reads
     no configuration (a broken one in the environment changes nothing) and creates no database.
  2. POST /api/review on `scribe serve` (127.0.0.1, port 0, server.body_limit 16KiB): findings
     with kind and rewrite, a blameless text, bad JSON, a missing "text", a wrong Content-Type,
     a body over the limit (413), and nothing of it stored.
  3. The same with web.token set: no token or a wrong one -> 401 in JSON, the Bearer token -> 200.

Every check prints on failure; the last line is "N passed, M failed". REVIEW_E2E_KEEP=1 keeps the
work directory.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from scribe_e2e import (Results, Scribe, finish_run, group, http_request,  # noqa: E402
                        run_scenario)

BLAMEFUL = ("The pool was too small.\n"
            "Kevin ignored the alerts for two hours.\n"
            "In hindsight, the TTL was too long.\n")
KEVIN_REWRITE = "The alerts went unanswered for two hours. What made them easy to miss?"
BLAMELESS = "The cache forgot its keys on restart. Dana paged the team at 14:07.\n"
BODY_LIMIT = 16 * 1024

R = Results()


def env_without_scribe() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("SCRIBE_")}


class Scenario:
    def __init__(self, binary: str):
        self.binary = binary
        self.work = tempfile.mkdtemp(prefix="scribe-review-e2e-")
        self.scribe: Scribe | None = None

    def cli(self, args: list[str], stdin: str = "", env: dict | None = None):
        return subprocess.run([self.binary, "review", *args], cwd=self.work,
                              env=env_without_scribe() if env is None else env,
                              input=stdin.encode(), capture_output=True, timeout=30)

    def run(self) -> None:
        try:
            self.command_line()
            self.api()
            self.api_with_token()
        except Exception:  # noqa: BLE001 - reported as a failed check
            R.fail("the scenario ran to the end", traceback.format_exc())
        finally:
            finish_run(R, self.scribe, None, self.work, "REVIEW_E2E_KEEP", {})

    # ---- 1. scribe review ------------------------------------------------------------------

    def command_line(self) -> None:
        group("scribe review")
        r = self.cli([], BLAMEFUL)
        out = r.stdout.decode()
        R.check("findings exit 1", r.returncode == 1, (r.returncode, r.stderr))
        R.check("each finding says where, what, why and the rewrite",
                '<stdin>:2:1: blame (judgement): "Kevin ignored"' in out
                and "  sentence: Kevin ignored the alerts for two hours." in out
                and "  why: " in out and f"  rewrite: {KEVIN_REWRITE}" in out, out)
        R.check("advice is reported as advice", '<stdin>:3:1: advice (hindsight): "In hindsight"'
                in out, out)
        R.check("a summary line ends the output", out.endswith("2 findings: 1 blame, 1 advice\n"),
                out)

        r = self.cli(["-"], BLAMELESS)
        R.check("blameless text exits 0", r.returncode == 0, (r.returncode, r.stdout))

        path = os.path.join(self.work, "postmortem.md")
        with open(path, "w", encoding="utf-8") as f:
            f.write("# What went wrong\n\nThe canary was skipped by vik.\n")
        r = self.cli(["--json", "--people", "Dana, vik", path])
        R.check("--json with a file exits 1", r.returncode == 1, (r.returncode, r.stderr))
        try:
            findings = json.loads(r.stdout)["findings"]
        except (ValueError, KeyError) as e:
            findings = []
            R.fail("--json prints {\"findings\": [...]}", f"{e}: {r.stdout!r}")
        R.check("--json: one finding, with every field",
                len(findings) == 1 and set(findings[0]) == {"sentence", "quote", "offset", "rule",
                                                            "kind", "suggestion", "rewrite"},
                findings)
        if findings:
            f = findings[0]
            R.check("--people makes a lower-case handle a person",
                    f["quote"] == "by vik" and f["rule"] == "passive_blame" and f["kind"] == "blame",
                    f)
            R.check("the offset points at the quote in the file",
                    open(path, encoding="utf-8").read()[f["offset"]:].startswith("by vik"), f)
            R.check("the rewrite leaves vik out", f["rewrite"] is not None and "vik" not in
                    f["rewrite"], f)

        r = self.cli([os.path.join(self.work, "missing.md")])
        R.check("no such file exits 66", r.returncode == 66, (r.returncode, r.stderr))
        R.check("and says which", b"no such file" in r.stderr, r.stderr)
        r = self.cli(["a.md", "b.md"])
        R.check("a wrong command line exits 64", r.returncode == 64, (r.returncode, r.stderr))

        # No configuration is read: a broken one in the environment does not matter.
        broken = env_without_scribe()
        broken["SCRIBE_SERVER_LISTEN"] = "not an address"
        broken["SCRIBE_STORAGE_URL"] = "sqlite:" + os.path.join(self.work, "never", "scribe.db")
        r = self.cli([], BLAMELESS, env=broken)
        R.check("review ignores the configuration", r.returncode == 0, (r.returncode, r.stderr))
        R.check("and creates no database", not os.path.exists(os.path.join(self.work, "data"))
                and not os.path.exists(os.path.join(self.work, "never")),
                os.listdir(self.work))

    # ---- 2. POST /api/review -----------------------------------------------------------------

    def start(self, extra: dict) -> bool:
        env = env_without_scribe()
        env.update({"SCRIBE_SERVER_LISTEN": "127.0.0.1:0",
                    "SCRIBE_STORAGE_URL": "sqlite:" + os.path.join(self.work, "scribe.db"),
                    "SCRIBE_SERVER_BODY_LIMIT": f"{BODY_LIMIT // 1024}KiB"})
        env.update(extra)
        if self.scribe is not None:
            self.scribe.terminate()
        self.scribe = Scribe(self.binary, self.work, env)
        ok, why = self.scribe.start()
        R.check("scribe serve starts", ok, why)
        return ok

    def post(self, body: bytes, content_type: str = "application/json", headers: dict | None = None):
        h = {"Content-Type": content_type, "Host": "127.0.0.1"}
        h.update(headers or {})
        status, got_headers, data = http_request(self.scribe.url(), "POST", "/api/review", body, h)
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = None
        return status, got_headers, parsed

    def api(self) -> None:
        group("POST /api/review")
        if not self.start({}):
            return
        status, headers, body = self.post(json.dumps({"text": BLAMEFUL, "people": ["Kevin"]})
                                          .encode())
        R.check("200 with JSON", status == 200 and headers.get("content-type") == "application/json",
                (status, headers))
        findings = (body or {}).get("findings", [])
        R.check("the blameful text's two findings", [f.get("rule") for f in findings] ==
                ["judgement", "hindsight"], findings)
        if findings:
            R.check("kind and rewrite", findings[0]["kind"] == "blame"
                    and findings[0]["rewrite"] == KEVIN_REWRITE
                    and findings[0]["quote"] == "Kevin ignored"
                    and BLAMEFUL[findings[0]["offset"]:].startswith("Kevin ignored"), findings[0])
        status, _, body = self.post(json.dumps({"text": BLAMELESS}).encode())
        R.check("a blameless text: no findings", status == 200 and body == {"findings": []}, body)

        status, _, body = self.post(b'{"text": "Kevin ignored')
        R.check("bad JSON: 400 with a reason", status == 400 and "not valid JSON" in
                (body or {}).get("error", ""), (status, body))
        status, _, body = self.post(b'{"people": ["Kevin"]}')
        R.check("no text: 400 saying so", status == 400 and (body or {}).get("error") ==
                '"text" is missing: the text to review', (status, body))
        status, _, body = self.post(b"text=hello", "application/x-www-form-urlencoded")
        R.check("another Content-Type: 415", status == 415, (status, body))
        big = json.dumps({"text": "The pool was too small. " * (BODY_LIMIT // 20)}).encode()
        status, _, _ = self.post(big)
        R.check("a body over server.body_limit: 413", status == 413, status)
        status, _, body = self.post(json.dumps({"text": "Still answering."}).encode())
        R.check("and the server answers the next request", status == 200, (status, body))

        rows = 0
        try:
            import sqlite3
            with sqlite3.connect(os.path.join(self.work, "scribe.db")) as db:
                rows = db.execute("SELECT COUNT(*) FROM incidents").fetchone()[0]
        except Exception as e:  # noqa: BLE001
            R.fail("the database can be read", e)
        R.check("nothing was stored", rows == 0, rows)

    def api_with_token(self) -> None:
        group("POST /api/review with web.token")
        token = secrets.token_hex(16)
        if not self.start({"SCRIBE_WEB_TOKEN": token}):
            return
        text = json.dumps({"text": BLAMEFUL}).encode()
        status, headers, body = self.post(text)
        R.check("no token: 401 in JSON with a challenge", status == 401 and "error" in (body or {})
                and headers.get("www-authenticate", "").startswith("Bearer"), (status, body))
        status, _, _ = self.post(text, headers={"Authorization": "Bearer " + "0" * 32})
        R.check("a wrong token: 401", status == 401, status)
        status, _, body = self.post(text, headers={"Authorization": f"Bearer {token}"})
        R.check("the token: 200 with the findings", status == 200 and len((body or {}).get(
            "findings", [])) == 2, (status, body))
        rc, _ = self.scribe.terminate()
        R.check("SIGTERM: exit 0", rc == 0, rc)


if __name__ == "__main__":
    sys.exit(run_scenario(sys.argv, R, Scenario))
