#include "sink.hpp"

#include <zlib.h>

#include <algorithm>
#include <stdexcept>

namespace ft::exporter {

void FileSink::write(std::string_view b) {
  if (!ok_) return;
  if (std::fwrite(b.data(), 1, b.size(), f_) != b.size()) ok_ = false;
}

void FileSink::finish() {
  if (std::fflush(f_) != 0) ok_ = false;
}

struct GzipSink::Z {
  z_stream s{};
  char buf[1 << 16];
};

GzipSink::GzipSink(Sink& out, int level) : out_(out), z_(new Z) {
  // windowBits 15 + 16 selects the gzip wrapper.
  if (deflateInit2(&z_->s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib: deflateInit2 failed");
}

GzipSink::~GzipSink() {
  deflateEnd(&z_->s);
}

void GzipSink::pump(int flush) {
  int rc;
  do {
    z_->s.next_out = reinterpret_cast<Bytef*>(z_->buf);
    z_->s.avail_out = sizeof z_->buf;
    rc = deflate(&z_->s, flush);
    size_t n = sizeof z_->buf - z_->s.avail_out;
    if (n) out_.write({z_->buf, n});
  } while (z_->s.avail_out == 0 || (flush == Z_FINISH && rc == Z_OK));
}

void GzipSink::write(std::string_view b) {
  if (finished_) return;
  while (!b.empty()) {  // avail_in is 32-bit: feed at most 1 GiB at a time
    size_t n = std::min<size_t>(b.size(), size_t(1) << 30);
    z_->s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(b.data()));
    z_->s.avail_in = uInt(n);
    pump(Z_NO_FLUSH);
    b.remove_prefix(n);
  }
  ok_ = out_.ok();
}

void GzipSink::finish() {
  if (finished_) return;
  finished_ = true;
  z_->s.avail_in = 0;
  pump(Z_FINISH);
  out_.finish();
  ok_ = out_.ok();
}

std::string gzip(std::string_view data, int level) {
  StringSink s;
  GzipSink g(s, level);
  g.write(data);
  g.finish();
  return std::move(s.str());
}

}  // namespace ft::exporter
