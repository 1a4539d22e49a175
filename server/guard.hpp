// Who may talk to the viewer's server, checked before any handler runs (http_server.cpp):
//   - DNS rebinding: a page on any site can point its own name at 127.0.0.1 and then read the
//     viewer as same-origin. Its requests still carry that name in Host, so only Host values
//     naming the address the server listens on pass: for a loopback bind 127.0.0.1, localhost
//     and [::1] with the port; for a specific address that address with the port. A wildcard
//     bind (0.0.0.0, ::) cannot know its names and relies on the token instead.
//   - the access token: when set (`fibertrace view` sets one for every non-loopback bind), a
//     request passes only with ?token=T in its URL or the cookie that the first such request
//     sets, as Jupyter does; compared in constant time.
//   - framing: every answer says X-Frame-Options: DENY and frame-ancestors 'none', so no page
//     can overlay the viewer in a frame (clickjacking).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ft::server {

bool is_loopback_address(std::string_view address);  // 127.0.0.0/8, ::1, localhost
bool is_wildcard_address(std::string_view address);  // 0.0.0.0, ::

// 128 random bits as 32 lower-case hex digits (getrandom); throws std::system_error if the
// kernel gives no randomness.
std::string random_token();

class Guard {
 public:
  Guard() = default;  // allows everything (only for servers whose address is not yet known)
  Guard(std::string_view address, uint16_t port, std::string token);

  struct Verdict {
    int status = 0;          // 0: allowed; else 421 (wrong Host) or 403 (no valid token)
    std::string text;        // the refusal's body
    std::string set_cookie;  // when allowed through ?token=: the cookie to set
  };
  // host: the Host header; token_param: the query's "token" value ("" when absent);
  // cookie: the Cookie header.
  Verdict check(std::string_view host, std::string_view token_param, std::string_view cookie) const;

  const std::vector<std::string>& hosts() const { return hosts_; }  // empty: any Host
  const std::string& token() const { return token_; }
  std::string cookie_name() const;

 private:
  std::vector<std::string> hosts_;  // lower case, "name:port"
  uint16_t port_ = 0;
  std::string token_;
};

}  // namespace ft::server
