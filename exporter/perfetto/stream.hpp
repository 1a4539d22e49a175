// The writer's two pieces of per-output state:
//  * PacketStream: encodes TracePackets into a batch and hands full batches to the Sink,
//    deflated (zlib) into one `compressed_packets` packet when compression is on. A batch is cut
//    only between packets and holds at most kBatch + one packet, so a compressed packet stays
//    far below the 512 KiB Perfetto allows for one. Deflating costs more than encoding, so
//    batches are deflated on kSlots threads while the next is encoded, and written to the Sink
//    by the caller's thread in order: at most kSlots + 1 batches exist at once.
//  * Interner: the interning tables of one packet sequence. intern() returns an entry's iid
//    (1, 2, ... per table) and queues entries not yet emitted; emit() writes the queued ones
//    as the InternedData of the packet being built, so an entry always travels in the first
//    packet that refers to it.
#pragma once

#include <zlib.h>

#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "exporter/sink.hpp"
#include "fields.hpp"
#include "proto.hpp"

namespace ft::exporter::perfetto {

class PacketStream {
 public:
  static constexpr size_t kBatch = 256 << 10;
  static constexpr int kSlots = 2;  // batches being deflated at once, each on its own thread

  PacketStream(Sink& sink, bool compress);
  ~PacketStream();
  PacketStream(const PacketStream&) = delete;
  PacketStream& operator=(const PacketStream&) = delete;

  Proto& p() { return batch_; }
  size_t begin() { return batch_.open(pf::kTracePacket); }
  void end(size_t mark) {
    batch_.close(mark);
    packets_++;
    if (batch_.size() >= kBatch) flush();
  }
  void flush();
  void finish();  // flushes and writes every batch still being deflated; rethrows zlib errors
  uint64_t packets() const { return packets_; }
  uint64_t bytes() const { return bytes_; }

 private:
  // A batch being deflated: the thread turns `data` into one compressed packet in `out`.
  struct Slot {
    z_stream z{};
    Proto data, out;
    std::vector<unsigned char> zbuf;
    std::thread worker;
    std::exception_ptr error;
    void deflate_batch();
  };
  void drain(Slot& s);  // waits for the slot's thread and writes its packet

  Sink& sink_;
  bool compress_;
  Proto batch_;
  Slot slots_[kSlots];
  int next_ = 0;  // slot of the next batch; batches are written in slot order
  uint64_t packets_ = 0, bytes_ = 0;
};

class Interner {
 public:
  enum Table : uint8_t { kNames, kCategories, kAnnotationNames, kStrings, kFunctions, kTables };

  uint64_t intern(Table t, std::string_view s) {
    key_.assign(s);  // a reused key: looking up allocates nothing
    auto it = map_[t].find(key_);
    if (it != map_[t].end()) return it->second;
    uint64_t iid = map_[t].size() + 1;
    map_[t].emplace(key_, iid);
    pending_[t].emplace_back(iid, s);
    any_ = true;
    return iid;
  }
  // A frame is (function name, line); a callstack lists frame iids outermost first.
  uint64_t frame(std::string_view func, uint32_t line) {
    uint64_t fn = intern(kFunctions, func);
    auto [it, fresh] = frames_.try_emplace(fn << 32 | line, frames_.size() + 1);
    if (fresh) pending_frames_.push_back({it->second, fn, line}), any_ = true;
    return it->second;
  }
  uint64_t callstack(std::vector<uint64_t> frame_iids) {
    auto [it, fresh] = callstacks_.try_emplace(frame_iids, callstacks_.size() + 1);
    if (fresh) pending_stacks_.emplace_back(it->second, std::move(frame_iids)), any_ = true;
    return it->second;
  }
  bool pending() const { return any_; }
  void emit(Proto& p);  // InternedData with the queued entries, if any; clears the queue

 private:
  struct VecHash {
    size_t operator()(const std::vector<uint64_t>& v) const {
      size_t h = 1469598103934665603ull;
      for (uint64_t x : v) h = (h ^ x) * 1099511628211ull;
      return h;
    }
  };
  struct PendingFrame {
    uint64_t iid, fn;
    uint32_t line;
  };
  std::unordered_map<std::string, uint64_t> map_[kTables];
  std::vector<std::pair<uint64_t, std::string>> pending_[kTables];
  std::unordered_map<uint64_t, uint64_t> frames_;
  std::vector<PendingFrame> pending_frames_;
  std::unordered_map<std::vector<uint64_t>, uint64_t, VecHash> callstacks_;
  std::vector<std::pair<uint64_t, std::vector<uint64_t>>> pending_stacks_;
  bool any_ = false;
  std::string key_;
};

}  // namespace ft::exporter::perfetto
