#include "url.hpp"

namespace ft::server {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return std::nullopt;
    int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::string_view target_path(std::string_view target) {
  size_t q = target.find_first_of("?#");
  return q == std::string_view::npos ? target : target.substr(0, q);
}

std::string_view target_query(std::string_view target) {
  size_t q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view rest = target.substr(q + 1);
  size_t h = rest.find('#');
  return h == std::string_view::npos ? rest : rest.substr(0, h);
}

std::optional<std::string> safe_path(std::string_view raw_path) {
  if (raw_path.empty() || raw_path.front() != '/') return std::nullopt;
  auto decoded = percent_decode(raw_path.substr(1));
  if (!decoded) return std::nullopt;
  const std::string& p = *decoded;
  if (p.empty()) return p;
  // Check every segment of the decoded path; an empty segment ("a//b") is refused too, so
  // there is exactly one spelling of each file.
  size_t start = 0;
  while (true) {
    size_t slash = p.find('/', start);
    std::string_view seg(p.data() + start, (slash == std::string::npos ? p.size() : slash) - start);
    if (seg.empty() || seg == "." || seg == "..") return std::nullopt;
    for (char c : seg) {
      if (c == '\\' || c == '\0' || c == '%' || static_cast<unsigned char>(c) < 0x20)
        return std::nullopt;
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return p;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key(pair.substr(0, eq));
    std::string value(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    for (auto* s : {&key, &value})
      for (char& c : *s)
        if (c == '+') c = ' ';
    auto k = percent_decode(key);
    auto v = percent_decode(value);
    if (!k || !v) continue;
    out[*k] = *v;
  }
  return out;
}

}  // namespace ft::server
