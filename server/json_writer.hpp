// A small streaming JSON writer for the API's responses: appends to one std::string with no
// intermediate tree, because window responses are built on every pan and zoom and the full
// documents can be large.
//
// Invariant: the caller pairs begin_*/end_* calls; the writer inserts the commas. Strings are
// escaped by the exporter's one rule (exporter/json_escape.hpp: invalid UTF-8 becomes U+FFFD),
// so the API and the exported JSON show a name the same way.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/json_escape.hpp"

namespace ft::server {

class JsonWriter {
 public:
  std::string& out() { return out_; }
  std::string take() { return std::move(out_); }

  JsonWriter& begin_object() { return open('{'); }
  JsonWriter& end_object() { return close('}'); }
  JsonWriter& begin_array() { return open('['); }
  JsonWriter& end_array() { return close(']'); }

  // Object member name; the next value call writes its value.
  JsonWriter& key(std::string_view k) {
    comma();
    quote(k);
    out_.push_back(':');
    after_key_ = true;
    return *this;
  }

  JsonWriter& value(std::string_view s) {
    comma();
    quote(s);
    return *this;
  }
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(bool b) {
    comma();
    out_ += b ? "true" : "false";
    return *this;
  }
  JsonWriter& value(double d) {
    comma();
    if (!std::isfinite(d)) {
      out_ += "null";
      return *this;
    }
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    out_.append(buf, r.ptr);
    return *this;
  }
  template <typename I>
  requires std::is_integral_v<I> &&(!std::is_same_v<I, bool>)JsonWriter& value(I i) {
    comma();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, i);
    out_.append(buf, r.ptr);
    return *this;
  }
  JsonWriter& null() {
    comma();
    out_ += "null";
    return *this;
  }

  template <typename V>
  JsonWriter& kv(std::string_view k, const V& v) {
    key(k);
    return value(v);
  }

 private:
  JsonWriter& open(char c) {
    comma();
    out_.push_back(c);
    first_.push_back(true);
    return *this;
  }
  JsonWriter& close(char c) {
    out_.push_back(c);
    first_.pop_back();
    return *this;
  }
  void comma() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (first_.empty()) return;
    if (first_.back())
      first_.back() = false;
    else
      out_.push_back(',');
  }
  void quote(std::string_view s) {
    out_.push_back('"');
    exporter::json_escape(s, [this](std::string_view piece) { out_.append(piece); });
    out_.push_back('"');
  }

  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace ft::server
