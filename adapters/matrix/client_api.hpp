#pragma once
// Calls to the homeserver's Client-Server API as the application service (PROTOCOLS.md 8): the
// as_token as a Bearer token, acting as the sender_localpart user.
//
// Results are sorted as http::call_result says: 200 is ok; 429 M_LIMIT_EXCEEDED is a retry after
// Retry-After (seconds) or the deprecated retry_after_ms, whichever the server sent; 5xx,
// timeouts and connection failures are retries; other 4xx are failures carrying the errcode.
// Sending is retry-safe by construction: the caller picks the transaction id, and the homeserver
// answers a repeated PUT with the event it created the first time.
//
// Every call is counted in scribe_chat_api_calls_total{platform="matrix"} under the method's name
// below ("send", "redact", "join", "get_event", "relations", "joined_members"), and a failed one in
// scribe_chat_api_errors_total under its errcode (M_FORBIDDEN), else "http_<status>" or the
// transport's code (http::transport_error_code).
//
// Thread-safety: as http::client. Lifetime: the client must outlive this object.

#include "adapters/http/api_call.hpp"
#include "adapters/http/client.hpp"

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace scribe::matrix {

using http::call_result;

class client_api {
 public:
  // `homeserver_url` without a trailing slash: "https://matrix.example.org".
  client_api(http::client& client, std::string homeserver_url, std::string as_token);

  // PUT /_matrix/client/v3/rooms/{roomId}/send/{eventType}/{txnId}; the body has "event_id".
  boost::asio::awaitable<call_result> send(std::string room_id, std::string event_type,
                                           std::string txn_id, nlohmann::json content);
  // PUT /_matrix/client/v3/rooms/{roomId}/redact/{eventId}/{txnId}.
  boost::asio::awaitable<call_result> redact(std::string room_id, std::string event_id,
                                             std::string txn_id, std::string reason);
  // POST /_matrix/client/v3/join/{roomIdOrAlias}.
  boost::asio::awaitable<call_result> join(std::string room_id_or_alias);
  // GET /_matrix/client/v3/rooms/{roomId}/event/{eventId}.
  boost::asio::awaitable<call_result> get_event(std::string room_id, std::string event_id);
  // GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}/{relType}/{eventType}.
  boost::asio::awaitable<call_result> relations(std::string room_id, std::string event_id,
                                                std::string rel_type, std::string event_type);
  // GET /_matrix/client/v3/rooms/{roomId}/joined_members.
  boost::asio::awaitable<call_result> joined_members(std::string room_id);

 private:
  // Sends, sorts and counts the call in the chat API metrics under `method_label` ("send").
  boost::asio::awaitable<call_result> call(std::string_view method_label,
                                           boost::beast::http::verb method, std::string path,
                                           std::string body);
  // Sends and sorts; `code` receives the error code the call is counted under ("" when ok).
  boost::asio::awaitable<call_result> exchange(boost::beast::http::verb method, std::string path,
                                               std::string body, std::string& code);

  http::client& client_;
  const std::string base_url_;
  const std::string as_token_;
};

// The errcode of a Matrix error body ({"errcode", "error"}), or "" when there is none.
std::string error_code_of(std::string_view body);

}  // namespace scribe::matrix
