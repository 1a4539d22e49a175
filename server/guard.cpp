#include "guard.hpp"

#include <sys/random.h>

#include <cerrno>
#include <system_error>

namespace ft::server {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

std::string_view strip_brackets(std::string_view a) {
  if (a.size() >= 2 && a.front() == '[' && a.back() == ']') return a.substr(1, a.size() - 2);
  return a;
}

bool same_secret(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;  // no early exit: the time does not tell how much of it was right
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// The value of cookie `name` in a Cookie header ("a=1; b=2"), or "".
std::string_view cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
        pair[name.size()] == '=')
      return pair.substr(name.size() + 1);
  }
  return {};
}

}  // namespace

bool is_loopback_address(std::string_view address) {
  address = strip_brackets(address);
  return address == "localhost" || address == "::1" || address.starts_with("127.");
}

bool is_wildcard_address(std::string_view address) {
  address = strip_brackets(address);
  return address == "0.0.0.0" || address == "::" || address.empty();
}

std::string random_token() {
  unsigned char bytes[16];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "getrandom");
    got += size_t(n);
  }
  static const char hex[] = "0123456789abcdef";
  std::string t;
  for (unsigned char b : bytes) {
    t += hex[b >> 4];
    t += hex[b & 15];
  }
  return t;
}

Guard::Guard(std::string_view address, uint16_t port, std::string token)
    : port_(port), token_(std::move(token)) {
  std::string p = ":" + std::to_string(port);
  std::string a(strip_brackets(address));
  if (is_loopback_address(a)) {
    // localhost may resolve to either family, so every loopback name is the same server.
    for (const char* h : {"127.0.0.1", "localhost", "[::1]"}) hosts_.push_back(h + p);
    if (a != "127.0.0.1" && a != "localhost" && a != "::1") hosts_.push_back(a + p);
  } else if (!is_wildcard_address(a)) {
    hosts_.push_back(lower(a.find(':') != std::string::npos ? "[" + a + "]" : a) + p);
  }
  // A client may leave out the default port.
  if (port == 80) {
    size_t n = hosts_.size();
    for (size_t i = 0; i < n; ++i) hosts_.push_back(hosts_[i].substr(0, hosts_[i].size() - 3));
  }
}

std::string Guard::cookie_name() const {
  // Cookies ignore ports: one name per port keeps two viewers on one host apart.
  return "fibertrace_token_" + std::to_string(port_);
}

Guard::Verdict Guard::check(std::string_view host, std::string_view token_param,
                            std::string_view cookie) const {
  Verdict v;
  if (!hosts_.empty()) {
    std::string h = lower(host);
    bool ok = false;
    for (const auto& a : hosts_) ok = ok || h == a;
    if (!ok) {
      v.status = 421;
      v.text = "Misdirected Request: this server answers only to " + hosts_.front() +
               " (the Host header named '" + std::string(host.substr(0, 200)) + "')\n";
      return v;
    }
  }
  if (token_.empty()) return v;
  if (same_secret(token_param, token_)) {
    v.set_cookie = cookie_name() + "=" + token_ + "; Path=/; HttpOnly; SameSite=Strict";
    return v;
  }
  if (same_secret(cookie_value(cookie, cookie_name()), token_)) return v;
  v.status = 403;
  v.text =
      "Forbidden: this viewer needs its access token; open the URL that `fibertrace view` "
      "printed (it ends in ?token=...)\n";
  return v;
}

}  // namespace ft::server
