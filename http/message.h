// What an HTTP handler sees of a request and what it answers. Handlers run on the
// request's connection thread and may block there (waiting for the serving core).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hfd/status.h"
#include "http/exchange.h"
#include "serve/rights.h"

namespace hfd::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  serve::Caller caller;  // who asks, with the level of its socket or API key
  int client_fd = -1;    // the connection's socket, for Exchange's hang-up watch
  // A header's value, "" when absent (`name` in lower case).
  std::string Header(const std::string& name) const;
};

struct Reply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set for a streamed body: read from it until it ends (chunked transfer encoding).
  std::shared_ptr<Exchange> stream;
  // The client went away while the handler waited: nothing is sent.
  bool hung_up = false;
};

// A request body that must be a JSON object; InvalidArgument saying what is wrong.
Result<nlohmann::json> ParseJsonObject(const std::string& body);

// A JSON body.
Reply JsonReply(int status, std::string body);
// A streamed body of `content_type` read from `stream`.
Reply StreamReply(std::shared_ptr<Exchange> stream, std::string content_type);
Reply HungUp();

}  // namespace hfd::http
