// A blocking HTTP client for the server tests, on Beast's parser (responses are parsed, never
// picked apart by hand), plus the ability to send raw bytes that no well-behaved client would.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ft::test {

struct Reply {
  int status = 0;                              // 0: the connection closed without a response
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// One request on a fresh connection.
Reply http_get(uint16_t port, const std::string& target,
               const std::vector<std::pair<std::string, std::string>>& headers = {},
               const std::string& method = "GET");

// Sends `bytes` as they are on a fresh connection and parses one response (HEAD-style when
// head_response is set: headers only).
Reply raw_exchange(uint16_t port, const std::string& bytes, bool head_response = false);

// gunzips a body (throws on damage).
std::string gunzip(const std::string& gz);

}  // namespace ft::test
