#include "json_out.hpp"

#include "json_escape.hpp"

namespace ft::exporter {

void JsonOut::str(std::string_view s) {
  ch('"');
  json_escape(s, [this](std::string_view piece) { raw(piece); });
  ch('"');
}

}  // namespace ft::exporter
