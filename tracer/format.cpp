// Encoding helpers shared by the recorder and the reader.
// Everything here is async-signal-safe (the fatal-signal flush frames chunks with it).
#include "format.hpp"

#include <cstring>

namespace ft::trace {
namespace fmt {
namespace {

// Software CRC-32C table, built at compile time.
struct CrcTable {
  uint32_t t[256];
  constexpr CrcTable() : t{} {
    for (uint32_t i = 0; i < 256; i++) {
      uint32_t c = i;
      for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[i] = c;
    }
  }
};
constexpr CrcTable kCrc;

uint32_t crc_soft(uint32_t crc, const uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i++) crc = kCrc.t[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t crc_hw(uint32_t crc, const uint8_t* p, size_t n) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t v;
    memcpy(&v, p, 8);
    c = __builtin_ia32_crc32di(c, v);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = uint32_t(c);
  while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return c32;
}
// Decided once, before main; reading a bool in a signal handler is fine.
const bool kHaveSse42 = __builtin_cpu_supports("sse4.2");
#endif

}  // namespace

uint32_t crc32c(uint32_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  crc = ~crc;
#if defined(__x86_64__)
  crc = kHaveSse42 ? crc_hw(crc, p, n) : crc_soft(crc, p, n);
#else
  crc = crc_soft(crc, p, n);
#endif
  return ~crc;
}

void encode_header(const Header& h, uint8_t out[kHeaderBytes]) {
  memset(out, 0, kHeaderBytes);
  memcpy(out, kMagic, 8);
  put_u16(out + 8, h.version);
  put_u16(out + 10, uint16_t(kHeaderBytes));
  out[12] = h.tick_shift;
  put_u64(out + 16, h.tsc_hz);
  put_u64(out + 24, h.start_tick);
  put_u64(out + 32, h.start_mono_ns);
  put_u64(out + 40, h.start_unix_ns);
  put_u32(out + 48, crc32c(0, out, 48));
}

void encode_chunk_header(uint8_t out[kChunkHeaderBytes], uint8_t kind, const void* a, size_t na,
                         const void* b, size_t nb) {
  out[0] = kind;
  put_u32(out + 1, uint32_t(na + nb));
  uint32_t c = crc32c(0, out, 5);
  c = crc32c(c, a, na);
  if (nb) c = crc32c(c, b, nb);
  put_u32(out + 5, c);
}

}  // namespace fmt
}  // namespace ft::trace
