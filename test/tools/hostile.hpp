// Hand-made adversarial traces: valid framing (header, chunk lengths, CRCs) around contents
// chosen to make a reader do the most work or allocate the most per input byte. The tests use
// them directly (test/exporter/bounds_test.cpp) and hostile_gen.cpp writes them to files for
// people probing by hand; nothing opaque is checked in.
#pragma once

#include <cstdint>
#include <string>

#include "tracer/format.hpp"

namespace fthostile {

namespace fmt = ft::trace::fmt;

inline void uv(std::string& s, uint64_t v) {
  uint8_t b[10];
  s.append(reinterpret_cast<const char*>(b), size_t(fmt::put_uv(b, v) - b));
}

class Builder {
 public:
  Builder() {
    fmt::Header h;
    h.tsc_hz = 1'000'000'000;
    uint8_t b[fmt::kHeaderBytes];
    fmt::encode_header(h, b);
    out_.append(reinterpret_cast<const char*>(b), sizeof b);
  }
  void chunk(uint8_t kind, const std::string& payload) {
    uint8_t h[fmt::kChunkHeaderBytes];
    fmt::encode_chunk_header(h, kind, payload.data(), payload.size());
    out_.append(reinterpret_cast<const char*>(h), sizeof h);
    out_ += payload;
  }
  // An events chunk of thread `thread` holding `events` (already encoded).
  void events(uint32_t thread, const std::string& events) {
    std::string p;
    for (uint64_t v : {uint64_t(thread), uint64_t(0), uint64_t(0), fmt::zigzag(-1), uint64_t(0),
                       uint64_t(0), uint64_t(0)})
      uv(p, v);
    chunk(fmt::kEvents, p + events);
  }
  std::string finish() {
    std::string lost;
    uv(lost, 0);
    chunk(fmt::kEnd, lost);
    return out_;
  }

 private:
  std::string out_;
};

// One string of about `bytes` / 2, then one frame naming it, then one stack that lists that
// frame as often as the rest of `bytes` allows: every reference would copy the string if
// frames were stored by value.
inline std::string stack_amplifier(size_t bytes) {
  Builder b;
  std::string s;
  uv(s, 1);
  uv(s, bytes / 2);
  s += std::string(bytes / 2, 'f');
  b.chunk(fmt::kStrings, s);
  std::string f;
  for (uint64_t v : {1, 1, 1, 7}) uv(f, v);  // frame 1: func = file = string 1, line 7
  b.chunk(fmt::kFrames, f);
  std::string k;
  size_t refs = bytes / 2;
  uv(k, 1);
  uv(k, refs);
  k += std::string(refs, '\x01');
  b.chunk(fmt::kStacks, k);
  return b.finish();
}

// One long string, then as many frames naming it as fit: every frame would copy it.
inline std::string frame_amplifier(size_t bytes) {
  Builder b;
  std::string s;
  uv(s, 1);
  uv(s, bytes / 2);
  s += std::string(bytes / 2, 'f');
  b.chunk(fmt::kStrings, s);
  std::string f;
  for (uint64_t id = 1; f.size() + 8 < bytes / 2; ++id)
    for (uint64_t v : {id, uint64_t(1), uint64_t(1), id}) uv(f, v);
  b.chunk(fmt::kFrames, f);
  return b.finish();
}

// `n` Procs events each announcing 4 096 procs (1 + 1 + 2 bytes each).
inline std::string repeated_procs(size_t n) {
  Builder b;
  std::string e;
  for (size_t i = 0; i < n; ++i) {
    e += char(fmt::kProcs);
    uv(e, 1);
    uv(e, 4096);
    if (e.size() > (1u << 20)) {
      b.events(1, e);
      e.clear();
    }
  }
  if (!e.empty()) b.events(1, e);
  return b.finish();
}

// Many empty stacks and many one-event threads: the per-entry overheads of the tables and of
// the per-thread merge.
inline std::string many_small_entries(size_t bytes) {
  Builder b;
  std::string k;
  for (uint64_t id = 1; k.size() + 12 < bytes / 2; ++id) {
    uv(k, id);
    uv(k, 0);
  }
  b.chunk(fmt::kStacks, k);
  for (uint32_t t = 1; t * 24 < bytes / 2; ++t) {
    std::string e;
    e += char(fmt::kProcs);
    uv(e, 1);
    uv(e, 1);
    b.events(t, e);
  }
  return b.finish();
}

}  // namespace fthostile
