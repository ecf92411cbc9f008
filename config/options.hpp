#pragma once
// Scribe's options, one struct per section of the configuration file. Every member has the default
// that applies when neither the file nor the environment sets it. config/loader.hpp fills them in;
// the rest of Scribe only reads them.

#include "config/log.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace scribe::config {

struct server_options {
  // server.listen: "host:port"; an IPv6 host is written in brackets, "[::1]:8080", and held here
  // without them ("::1").
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  // server.public_url: where chat platforms reach this server (https://scribe.example.com); empty
  // or an http(s) URL held without a trailing slash.
  std::string public_url;
  // server.body_limit: requests with a larger body get 413.
  std::size_t body_limit = 64 * 1024;
  // server.read_timeout: deadline for reading one whole request, headers and body.
  std::chrono::milliseconds read_timeout{std::chrono::seconds(10)};
  // server.idle_timeout: a keep-alive connection with no new request is closed after this.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  // server.shutdown_timeout: how long SIGTERM waits for in-flight requests before exiting.
  std::chrono::milliseconds shutdown_timeout{std::chrono::seconds(10)};
  // server.threads: threads running the network event loop. One is enough for tens of thousands
  // of requests a second, and leaves the second CPU of a small machine to the store thread.
  unsigned threads = 1;
};

struct storage_options {
  // storage.url: "sqlite:<path>" (relative paths are relative to the working directory), or
  // "postgresql://user:password@host:port/database" for several replicas sharing one database.
  std::string url = "sqlite:data/scribe.db";
  // storage.connections: PostgreSQL connections per replica, which is also how many store calls
  // run at once. SQLite has one writer and ignores it.
  unsigned connections = 4;
};

struct jobs_options {
  // jobs.max_pending: how many pending jobs an inbox queue may hold; a chat platform's webhook
  // that finds its inbox this full gets 503 and delivers again later, so that an outage of the
  // platform's API (which keeps the inbox from draining) cannot fill the disk.
  unsigned max_pending = 10000;
  // jobs.lease: how long a job is handed to one worker. A worker that dies (kill -9, a crash, a
  // lost replica) keeps its jobs this long before another run takes them over, so it must be
  // longer than any one job takes: a few chat API calls, each up to its api_timeout.
  std::chrono::milliseconds lease{std::chrono::minutes(2)};
};

struct slack_options {
  // slack.signing_secret: verifies every request from Slack. Slack is enabled when it is set.
  std::string signing_secret;
  // slack.bot_token: the bot user's OAuth token (xoxb-...), sent as a Bearer token to the Web API.
  std::string bot_token;
  // slack.api_base_url: where the Web API is; tests and proxies point it elsewhere.
  std::string api_base_url = "https://slack.com/api";
  // slack.command: the slash command's name as created in the Slack app.
  std::string command = "/incident";
  // slack.flag_reaction: the emoji name (no colons) that flags a message into the timeline.
  std::string flag_reaction = "pushpin";
  // slack.api_timeout: how long one Web API call may take before it is retried.
  std::chrono::milliseconds api_timeout{std::chrono::seconds(10)};

  bool enabled() const { return !signing_secret.empty(); }
};

// Matrix, as an Application Service (PROTOCOLS.md section 7): the homeserver pushes events to
// server.public_url with hs_token; Scribe calls the Client-Server API with as_token.
struct matrix_options {
  // matrix.homeserver_url: the Client-Server API base (https://matrix.example.org), held without a
  // trailing slash. Matrix is enabled when it is set.
  std::string homeserver_url;
  // matrix.server_name: the homeserver's name, the part after ':' in user IDs (example.org, or
  // with a port, matrix.example.org:8448).
  std::string server_name;
  // matrix.as_token: sent by Scribe to the homeserver. A secret.
  std::string as_token;
  // matrix.hs_token: sent by the homeserver to Scribe; it must differ from as_token. A secret.
  std::string hs_token;
  // matrix.sender_localpart: the bot's user is @<sender_localpart>:<server_name>.
  std::string sender_localpart = "scribe";
  // matrix.command_prefix: the word that starts a command message ("!incident open <title>").
  std::string command_prefix = "!incident";
  // matrix.flag_reaction: the reaction key (the emoji itself, UTF-8) that flags a message into the
  // timeline. U+1F4CC PUSHPIN, which has emoji presentation without U+FE0F.
  std::string flag_reaction = "\U0001F4CC";
  // matrix.allowed_servers: server names whose users may invite the bot into a room; empty: any.
  std::vector<std::string> allowed_servers;
  // matrix.api_timeout: how long one Client-Server API call may take.
  std::chrono::milliseconds api_timeout{std::chrono::seconds(10)};

  bool enabled() const { return !homeserver_url.empty(); }
};

// One question Scribe asks when an incident closes. `id` is short and stable (it names the question
// in drafts, forms and the JSON API); `text` is what people read.
struct postmortem_question {
  std::string id;
  std::string text;
  friend bool operator==(const postmortem_question&, const postmortem_question&) = default;
};

// The blameless-review questions asked by default, in order.
std::vector<postmortem_question> default_postmortem_questions();

struct postmortem_options {
  // postmortem.questions: asked in this order, one message (and thread) each.
  std::vector<postmortem_question> questions = default_postmortem_questions();
  // postmortem.remind_after: after closing, one reminder if some question has no answer yet.
  std::chrono::milliseconds remind_after{std::chrono::hours(4)};
  // postmortem.draft_after: after closing, a draft with whatever is there, if none was posted.
  std::chrono::milliseconds draft_after{std::chrono::hours(24)};
  // postmortem.gap_marker: quiet stretches of the timeline longer than this are marked.
  std::chrono::milliseconds gap_marker{std::chrono::minutes(30)};
  // postmortem.timezone: an IANA zone ("Europe/Berlin") whose local times drafts show beside UTC;
  // empty: UTC only.
  std::string timezone;
  // postmortem.review_replies: "private" (true) or "off". When an answer to a question blames
  // someone, Scribe replies once to that answer, where only its author sees it (as far as the
  // platform allows), with a blameless rewrite.
  bool review_replies = true;
};

struct web_options {
  // web.token: required (as a Bearer token or through /signin) for the incident pages, exports,
  // the JSON API, /metrics and the playground; when empty they are served only while the server
  // listens on loopback.
  std::string token;
  // web.playground: a chat channel on a web page that talks to the bot core like Slack and
  // Matrix do (to try Scribe out). nullopt ("auto"): on only when neither is configured.
  std::optional<bool> playground;
};

struct tls_options {
  // tls.ca_file: a PEM bundle of extra trusted certificate authorities; empty: the system's only.
  std::string ca_file;
};

struct log_options {
  // log.level: debug, info, warn or error.
  log::level level = log::level::info;
};

struct options {
  server_options server;
  storage_options storage;
  jobs_options jobs;
  slack_options slack;
  matrix_options matrix;
  postmortem_options postmortem;
  web_options web;
  tls_options tls;
  log_options log;

  bool playground_enabled() const {
    return web.playground.value_or(!slack.enabled() && !matrix.enabled());
  }
};

}  // namespace scribe::config
