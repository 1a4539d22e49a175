// Our own encoder of the protobuf wire format (developers.google.com/protocol-buffers/docs/
// encoding): varint keys and values, fixed64, and length-delimited fields that nest.
//
// Protocol: a nested message is opened with open(field), which writes its key and one byte
// for the length and returns a mark; fields of the message follow; close(mark) then writes the
// body's length there (a body of 128 bytes or more is moved up to make room for a longer
// varint: one memmove, rare for our messages). Marks must be
// closed innermost first. Nothing is flushed while a message is open, so the caller hands
// out() complete messages only (between top-level packets).
//
// Signed int64 fields are written as two's complement varints (10 bytes when negative), as
// protobuf's int64 requires; we only write non-negative values.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace ft::exporter::perfetto {

enum class Wire : uint8_t { Varint = 0, Fixed64 = 1, Len = 2, Fixed32 = 5 };

class Proto {
 public:
  void varint(uint64_t v) {
    uint8_t* p = room(10);
    while (v >= 0x80) {
      *p++ = uint8_t(v) | 0x80;
      v >>= 7;
    }
    *p++ = uint8_t(v);
    n_ = size_t(p - buf_.data());
  }
  void key(uint32_t field, Wire w) { varint(uint64_t(field) << 3 | uint64_t(w)); }
  void u64(uint32_t field, uint64_t v) {
    key(field, Wire::Varint);
    varint(v);
  }
  void i64(uint32_t field, int64_t v) { u64(field, uint64_t(v)); }
  void boolean(uint32_t field, bool v) { u64(field, v ? 1 : 0); }
  void fixed64(uint32_t field, uint64_t v) {
    key(field, Wire::Fixed64);
    uint8_t* p = room(8);
    for (int i = 0; i < 8; i++) p[i] = uint8_t(v >> (8 * i));
    n_ += 8;
  }
  void bytes(uint32_t field, std::string_view s) {
    key(field, Wire::Len);
    varint(s.size());
    uint8_t* p = room(s.size());
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    n_ += s.size();
  }

  // Opens a length-delimited field; returns the mark to close it with. One byte is kept for
  // the length, enough for most of our messages; a longer body is moved up on close.
  size_t open(uint32_t field) {
    key(field, Wire::Len);
    room(1);
    return ++n_;
  }
  void close(size_t mark) {
    size_t len = n_ - mark;
    if (len < 0x80) {
      buf_[mark - 1] = uint8_t(len);
      return;
    }
    uint8_t tmp[10];
    size_t k = 0;
    for (uint64_t v = len; v; v >>= 7) tmp[k++] = uint8_t(v & 0x7f) | (v >= 0x80 ? 0x80 : 0);
    room(k - 1);
    std::memmove(buf_.data() + mark + k - 1, buf_.data() + mark, len);
    std::memcpy(buf_.data() + mark - 1, tmp, k);
    n_ += k - 1;
  }

  size_t size() const { return n_; }
  std::string_view view() const { return {reinterpret_cast<const char*>(buf_.data()), n_}; }
  void clear() { n_ = 0; }

 private:
  // Makes room for k more bytes and returns where they go (n_ is advanced by the caller).
  uint8_t* room(size_t k) {
    if (buf_.size() - n_ < k) buf_.resize(std::max(buf_.size() * 2, n_ + k + 64));
    return buf_.data() + n_;
  }
  std::vector<uint8_t> buf_ = std::vector<uint8_t>(1 << 16);
  size_t n_ = 0;
};

}  // namespace ft::exporter::perfetto
