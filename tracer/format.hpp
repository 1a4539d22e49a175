// The byte encoding of a fibertrace trace, shared by the recorder and the reader.
// docs/trace-format.md is the normative description; this header must agree with it.
//
//   file   := header chunk*
//   header := "FIBERTRC" version:u16 header_len:u16 tick_shift:u8 pad:u8[3]
//             tsc_hz:u64 start_tick:u64 start_mono_ns:u64 start_unix_ns:u64 crc:u32  (LE)
//   chunk  := kind:u8 len:u32 crc:u32 payload[len]      crc = crc32c(kind, len, payload)
//
// Every chunk is self-contained: an event batch ('E') carries the recording thread's proc and
// current fiber at its first event, so a reader can decode any batch on its own and a damaged
// chunk loses only itself and what follows. Integers inside payloads are LEB128 varints;
// signed values are zigzag-encoded.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vocab/fibers.hpp"

namespace ft::trace::fmt {

inline constexpr char kMagic[8] = {'F', 'I', 'B', 'E', 'R', 'T', 'R', 'C'};
// Version 2: stacks hold raw return addresses, with the module map ('M') and, when the session
// stopped cleanly, their symbols ('Y'). Version 1 (frames 'P', stacks of frame ids) is still read.
inline constexpr uint16_t kVersion = 2;
inline constexpr uint16_t kOldestVersion = 1;
inline constexpr size_t kHeaderBytes = 52;  // through the header crc
inline constexpr size_t kChunkHeaderBytes = 9;
inline constexpr uint32_t kMaxChunkBytes = 16u << 20;  // readers reject larger chunks
inline constexpr uint32_t kMaxLogBytes = 4000;         // longer log messages are cut
inline constexpr uint32_t kMaxFrames = 64;
static_assert(kHeaderBytes == 8 + 2 + 2 + 1 + 3 + 4 * 8 + 4, "header layout, see encode_header");
static_assert(kChunkHeaderBytes == 1 + 4 + 4, "kind len crc");

// Chunk kinds.
enum Chunk : uint8_t {
  kEvents = 'E',   // thread seq base_q proc(zz) cur_g, then events to the end
  kStrings = 'S',  // (id len bytes)*
  kFuncs = 'F',    // v2: (id len bytes entry_pc)*   v1: (id len bytes)*   start functions
  kFrames = 'P',   // v1 only: (id func_string file_string line)*
  kStacks = 'K',   // v2: (id n pc_delta(zz)*n)*   v1: (id n frame_id*n)*   innermost first
  kModules = 'M',  // v2: (id path build_id base nseg (start size file_off)*nseg)*
  kSymbols = 'Y',  // v2: (addr n (func_string file_string line)*n)*   inlined calls innermost first
  kClock = 'C',    // tick mono_ns   a calibration point for ticks -> ns
  kEnd = 'X',      // lost_events    written by a clean stop; nothing follows
  kInfo = 'I',     // pid argc (len bytes)*argc   the recording process (since format 1.1)
};
inline constexpr uint32_t kMaxInfoBytes = 4096;  // command lines are cut to this

// Wire codes: the first byte of an event. Codes with a stack argument come in pairs whose low
// bit says whether the stack id follows (1) or is 0 (0). GoBlock/GoUnblock/GoStart pack their
// Block reason and flags in the code byte so that the common events stay 2-4 bytes long.
// After the code byte every event has its timestamp delta (varint, in 2^tick_shift ticks).
enum Code : uint8_t {
  kProcStart = 0x01,    // proc
  kProcStop = 0x02,     // proc
  kThreads = 0x03,      // total in_syscall
  kHeapAlloc = 0x04,    // bytes
  kGoEnd = 0x05,        //
  kGoSysExit = 0x06,    //
  kGoSysBlock = 0x07,   // proc
  kGoCreate = 0x08,     // 0x08|s: g_delta fn [stack]        creator = current fiber
  kGoYield = 0x0A,      // 0x0A|s: [stack]
  kGoSysCall = 0x0C,    // 0x0C|s: [stack]
  kGoStatus = 0x0E,     // g_delta fn state|reason<<2
  kChanName = 0x0F,     // chan string
  kTaskCreate = 0x10,   // 0x10|s: task parent name [stack]
  kTaskEnd = 0x12,      // 0x12|s: task [stack]
  kRegionBegin = 0x14,  // 0x14|s: task name [stack]
  kRegionEnd = 0x16,    // 0x16|s: task name [stack]
  kLog = 0x18,          // 0x18|s: task category len bytes [stack]   message inline
  kProcs = 0x1A,        // count
  kGoBlock = 0x40,      // 0x40|reason<<2|objsame<<1|s: [obj_delta] [stack]
  kGoUnblock = 0x80,    // 0x80|reason<<2|objsame<<1|s: g_delta [obj_delta] [stack]
  kGoStart = 0xC0,      // 0xC0|gsame: [g_delta]
};

// Packed fields. GoBlock/GoUnblock: code = base | reason << kReasonShift | objsame << 1 | s.
// GoStatus: w = status | reason << kStatusBits.
inline constexpr unsigned kReasonShift = 2, kReasonBits = 4;
inline constexpr uint8_t kReasonMask = (1u << kReasonBits) - 1;
inline constexpr unsigned kStatusBits = 2;
inline constexpr uint8_t kStatusMask = (1u << kStatusBits) - 1;
static_assert(kBlockCount <= 1u << kReasonBits, "a Block reason no longer fits the code byte");
static_assert(kFiberStatusCount <= 1u << kStatusBits, "a FiberStatus no longer fits its bits");
// The three packed ranges must not overlap each other or the plain codes below kGoBlock.
static_assert((kGoBlock | kReasonMask << kReasonShift | 3) < kGoUnblock);
static_assert((kGoUnblock | kReasonMask << kReasonShift | 3) < kGoStart);
static_assert(kProcs < kGoBlock && kLog + 1 < kGoBlock);
inline constexpr uint8_t reason_bits(Block r) {
  return uint8_t((uint8_t(r) & kReasonMask) << kReasonShift);
}
inline constexpr Block reason_of_code(uint8_t code) {
  return Block((code >> kReasonShift) & kReasonMask);
}

// Largest encoding of any event except Log's inline message: code + 6 varints of 10 bytes.
inline constexpr size_t kMaxEventBytes = 64;
inline constexpr size_t kMaxVarintBytes = 10;
static_assert(kMaxEventBytes >= 1 + 6 * kMaxVarintBytes);
// An 'E' chunk's batch prefix: thread:u32 seq base_q proc:i32(zz) cur_g last_g last_obj.
inline constexpr size_t kMaxBatchPrefixBytes = 5 + 10 + 10 + 5 + 10 + 10 + 10;
static_assert(kMaxBatchPrefixBytes <= 64);

inline uint64_t zigzag(int64_t v) {
  return (uint64_t(v) << 1) ^ uint64_t(v >> 63);
}
inline int64_t unzigzag(uint64_t v) {
  return int64_t(v >> 1) ^ -int64_t(v & 1);
}

inline uint8_t* put_uv(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = uint8_t(v) | 0x80;
    v >>= 7;
  }
  *p++ = uint8_t(v);
  return p;
}

// Bounds-checked varint read: false on a truncated or over-long (> 10 bytes) varint, and on a
// 10th byte carrying bits above the 64th (which a cut to 64 bits would silently drop).
inline bool get_uv(const uint8_t*& p, const uint8_t* end, uint64_t& out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (p >= end) return false;
    uint8_t b = *p++;
    if (shift == 63 && (b & 0x7f) > 1) return false;
    v |= uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      out = v;
      return true;
    }
  }
  return false;
}

inline void put_u16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
}
inline void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = uint8_t(v >> (8 * i));
}
inline void put_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; i++) p[i] = uint8_t(v >> (8 * i));
}
inline uint16_t get_u16(const uint8_t* p) {
  return uint16_t(p[0] | (p[1] << 8));
}
inline uint32_t get_u32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
inline uint64_t get_u64(const uint8_t* p) {
  return uint64_t(get_u32(p)) | uint64_t(get_u32(p + 4)) << 32;
}

// CRC-32C (Castagnoli). Async-signal-safe; uses SSE4.2 when the CPU has it.
uint32_t crc32c(uint32_t crc, const void* data, size_t n);

struct Header {
  uint16_t version = kVersion;
  uint8_t tick_shift = 0;
  uint64_t tsc_hz = 0;
  uint64_t start_tick = 0;
  uint64_t start_mono_ns = 0;
  uint64_t start_unix_ns = 0;
};
void encode_header(const Header& h, uint8_t out[kHeaderBytes]);

// Fills a chunk header (kind, len, crc over kind+len+payload pieces).
void encode_chunk_header(uint8_t out[kChunkHeaderBytes], uint8_t kind, const void* a, size_t na,
                         const void* b = nullptr, size_t nb = 0);

}  // namespace ft::trace::fmt
