// The hot path of JSON output: appends tokens into a 1 MiB buffer and hands full buffers to a
// Sink. No allocation per token, integers through std::to_chars, times as microseconds with
// exactly three decimals computed from integer nanoseconds (never through a double, so equal
// nanoseconds always print equal and adjacent slices never overlap by rounding).
// Strings are escaped per RFC 8259 and invalid UTF-8 bytes become U+FFFD, so the output is
// valid JSON whatever the trace's string table holds.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "sink.hpp"

namespace ft::exporter {

class JsonOut {
 public:
  explicit JsonOut(Sink& s) : sink_(s), buf_(new char[kCap]) {}
  ~JsonOut() { flush(); }
  JsonOut(const JsonOut&) = delete;
  JsonOut& operator=(const JsonOut&) = delete;

  void raw(std::string_view s) {
    if (s.empty()) return;  // s.data() may be null: memcpy must not see it
    if (s.size() > kCap - n_) {
      flush();
      if (s.size() > kCap) {
        total_ += s.size();
        return sink_.write(s);
      }
    }
    std::memcpy(buf_.get() + n_, s.data(), s.size());
    n_ += s.size();
  }
  void ch(char c) {
    if (n_ == kCap) flush();
    buf_[n_++] = c;
  }
  template <class Int>
  void num(Int v) {
    reserve(24);
    n_ = size_t(std::to_chars(buf_.get() + n_, buf_.get() + kCap, v).ptr - buf_.get());
  }
  // Nanoseconds as microseconds: "<ns/1000>.<ns%1000, 3 digits>".
  void us(uint64_t ns) {
    reserve(32);
    n_ = size_t(std::to_chars(buf_.get() + n_, buf_.get() + kCap, ns / 1000).ptr - buf_.get());
    unsigned r = unsigned(ns % 1000);
    buf_[n_++] = '.';
    buf_[n_++] = char('0' + r / 100);
    buf_[n_++] = char('0' + r / 10 % 10);
    buf_[n_++] = char('0' + r % 10);
  }
  // The duration of [t0, t1] as µs text such that the doubles a reader parses satisfy
  // ts + dur <= t1's ts (readers that add them in floating point, like speedscope, then see
  // adjacent slices touch, never overlap): three decimals when that holds, else
  // float_safe_dur's double in its shortest text (it still rounds to t1 - t0 ns).
  void dur(uint64_t t0, uint64_t t1) {
    double d = float_safe_dur(t0, t1);
    if (d < 0) return us(t1 - t0);
    reserve(32);
    n_ = size_t(std::to_chars(buf_.get() + n_, buf_.get() + kCap, d).ptr - buf_.get());
  }
  // -1 when the three-decimal texts of t0 and t1 - t0 already add up to at most t1's in
  // doubles; else the largest double d with double(t0 µs) + d <= double(t1 µs).
  static double float_safe_dur(uint64_t t0, uint64_t t1) {
    double a = double(t0) / 1000, b = double(t1) / 1000, d = double(t1 - t0) / 1000;
    if (a + d <= b) return -1;
    for (d = b - a; d > 0 && a + d > b;) d = std::nextafter(d, 0.0);
    return d;
  }
  void str(std::string_view s);  // quoted and escaped (every control byte, 0x7f too)
  void flush() {
    if (n_) sink_.write({buf_.get(), n_});
    total_ += n_;
    n_ = 0;
  }
  uint64_t written() const { return total_ + n_; }

 private:
  static constexpr size_t kCap = 1 << 20;
  void reserve(size_t k) {
    if (kCap - n_ < k) flush();
  }
  Sink& sink_;
  size_t n_ = 0;
  uint64_t total_ = 0;
  std::unique_ptr<char[]> buf_;
};

}  // namespace ft::exporter
