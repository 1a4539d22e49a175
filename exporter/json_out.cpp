#include "json_out.hpp"

namespace ft::exporter {

namespace {

// Length of the valid UTF-8 sequence at p (1..4), or 0 if the bytes there are not one.
size_t utf8_len(const unsigned char* p, size_t avail) {
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

}  // namespace

void JsonOut::str(std::string_view s) {
  ch('"');
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), run = 0;  // [i - run, i) is a stretch that needs no escaping
  for (size_t i = 0; i < n;) {
    unsigned c = p[i];
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      i++, run++;
      continue;
    }
    size_t u = c >= 0x80 ? utf8_len(p + i, n - i) : 0;
    if (u) {
      i += u, run += u;
      continue;
    }
    raw({s.data() + i - run, run});
    run = 0;
    switch (c) {
      case '"':
        raw("\\\"");
        break;
      case '\\':
        raw("\\\\");
        break;
      case '\n':
        raw("\\n");
        break;
      case '\t':
        raw("\\t");
        break;
      case '\r':
        raw("\\r");
        break;
      default:
        if (c < 0x20) {
          static const char hex[] = "0123456789abcdef";
          char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
          raw({e, 6});
        } else {
          raw("\xef\xbf\xbd");  // U+FFFD for a byte that starts no valid sequence
        }
    }
    i++;
  }
  raw({s.data() + n - run, run});
  ch('"');
}

}  // namespace ft::exporter
