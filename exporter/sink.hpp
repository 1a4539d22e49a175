// Byte sinks for the exporter's outputs: a string (tests), a FILE* (stdout or a file), and a
// gzip stream over either. Writers hand over large chunks; sinks never see single bytes.
// Errors (disk full, closed pipe) are sticky: ok() turns false and later writes are dropped,
// so a writer can stream to the end and the caller reports the failure once.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace ft::exporter {

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void write(std::string_view bytes) = 0;
  virtual void finish() {}  // flushes; call once after the last write
  bool ok() const { return ok_; }

 protected:
  bool ok_ = true;
};

class StringSink final : public Sink {
 public:
  void write(std::string_view b) override { s_.append(b); }
  std::string& str() { return s_; }

 private:
  std::string s_;
};

// Does not own the FILE*.
class FileSink final : public Sink {
 public:
  explicit FileSink(std::FILE* f) : f_(f) {}
  void write(std::string_view b) override;
  void finish() override;

 private:
  std::FILE* f_;
};

// gzip (RFC 1952) of everything written, into `out`.
class GzipSink final : public Sink {
 public:
  explicit GzipSink(Sink& out, int level = 1);
  ~GzipSink() override;
  void write(std::string_view b) override;
  void finish() override;

 private:
  void pump(int flush);
  struct Z;
  Sink& out_;
  std::unique_ptr<Z> z_;
  bool finished_ = false;
};

std::string gzip(std::string_view data, int level = 6);

}  // namespace ft::exporter
