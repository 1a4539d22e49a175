// The one string rule of every JSON writer in fibertrace (the exporter's JsonOut, the server's
// JsonWriter, and `stats --json` through valid_utf8): RFC 8259 escaping, control characters
// (C0, DEL and C1) as \u00XX, and each byte that starts no valid UTF-8 sequence (a stray
// continuation byte, a cut sequence, an overlong form, a surrogate, beyond U+10FFFF) replaced by
// U+FFFD. Trace strings come from symbol names and user labels, so they may hold any bytes; the
// output is valid JSON, and every writer shows the same name the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ft::exporter {

// Length of the valid UTF-8 sequence at p (2..4), or 0 if the bytes there are not one (p[0]
// >= 0x80).
inline size_t utf8_len(const unsigned char* p, size_t avail) {
  unsigned c = p[0];
  size_t n;
  uint32_t cp;
  if (c >= 0xc2 && c <= 0xdf)
    n = 2, cp = c & 0x1f;
  else if (c >= 0xe0 && c <= 0xef)
    n = 3, cp = c & 0x0f;
  else if (c >= 0xf0 && c <= 0xf4)
    n = 4, cp = c & 0x07;
  else
    return 0;
  if (avail < n) return 0;
  for (size_t i = 1; i < n; i++) {
    if ((p[i] & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (p[i] & 0x3f);
  }
  // Reject overlong forms, surrogates and code points beyond U+10FFFF.
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
      (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

inline constexpr std::string_view kReplacement = "\xef\xbf\xbd";  // U+FFFD

// Calls emit(piece) with the escaped text of s (without the quotes), in order; long runs that
// need no escaping go out as one piece.
template <class Emit>
void json_escape(std::string_view s, Emit&& emit) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), run = 0;  // [i - run, i) is a stretch that needs no escaping
  for (size_t i = 0; i < n;) {
    unsigned c = p[i];
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      i++, run++;
      continue;
    }
    size_t u = c >= 0x80 ? utf8_len(p + i, n - i) : 0;
    if (u && !(u == 2 && c == 0xc2 && p[i + 1] < 0xa0)) {  // C1 controls are escaped too
      i += u, run += u;
      continue;
    }
    if (run) emit(s.substr(i - run, run));
    run = 0;
    switch (c) {
      case '"':
        emit("\\\"");
        break;
      case '\\':
        emit("\\\\");
        break;
      case '\n':
        emit("\\n");
        break;
      case '\t':
        emit("\\t");
        break;
      case '\r':
        emit("\\r");
        break;
      default:
        if (u || c < 0x20 || c == 0x7f) {  // C0, DEL, or C1 (U+0080..U+009F, two bytes):
          // Perfetto's tokenizer rejects a whole file on any raw one.
          static constexpr char hex[] = "0123456789abcdef";
          unsigned v = u ? p[++i] : c;  // 0xc2 0x80..0x9f encodes U+0080..U+009F
          const char e[6] = {'\\', 'u', '0', '0', char(hex[v >> 4]), char(hex[v & 15])};
          emit(std::string_view(e, 6));
        } else {
          emit(kReplacement);
        }
    }
    i++;
  }
  if (run) emit(s.substr(n - run, run));
}

// s with the same replacements as json_escape, and nothing escaped: for JSON libraries that
// refuse invalid UTF-8 (nlohmann::json throws on dump).
inline std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0; i < s.size();) {
    size_t u = p[i] < 0x80 ? 1 : utf8_len(p + i, s.size() - i);
    if (u) {
      out.append(s.substr(i, u));
      i += u;
    } else {
      out.append(kReplacement);
      i++;
    }
  }
  return out;
}

}  // namespace ft::exporter
