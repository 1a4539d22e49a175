#include "stream.hpp"

#include <utility>

namespace ft::exporter::perfetto {

PacketStream::PacketStream(Sink& sink, bool compress) : sink_(sink), compress_(compress) {
  if (!compress_) return;
  for (Slot& s : slots_)
    if (deflateInit(&s.z, 1) != Z_OK) throw std::runtime_error("zlib: deflateInit");
}

PacketStream::~PacketStream() {
  for (Slot& s : slots_) {
    if (s.worker.joinable()) s.worker.join();
    if (compress_) deflateEnd(&s.z);
  }
}

void PacketStream::flush() {
  if (batch_.size() == 0) return;
  if (!compress_) {
    sink_.write(batch_.view());
    bytes_ += batch_.size();
    batch_.clear();
    return;
  }
  Slot& s = slots_[next_];
  next_ = (next_ + 1) % kSlots;
  drain(s);
  std::swap(batch_, s.data);
  batch_.clear();
  s.worker = std::thread([&s] {
    try {
      s.deflate_batch();
    } catch (...) {
      s.error = std::current_exception();
    }
  });
}

void PacketStream::drain(Slot& s) {
  if (!s.worker.joinable()) return;
  s.worker.join();
  if (s.error) std::rethrow_exception(std::exchange(s.error, nullptr));
  sink_.write(s.out.view());
  bytes_ += s.out.size();
  s.out.clear();
}

void PacketStream::finish() {
  flush();
  for (int i = 0; i < kSlots; i++) drain(slots_[(next_ + i) % kSlots]);
}

void PacketStream::Slot::deflate_batch() {
  std::string_view in = data.view();
  deflateReset(&z);
  zbuf.resize(deflateBound(&z, uLong(in.size())));
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = uInt(in.size());
  z.next_out = zbuf.data();
  z.avail_out = uInt(zbuf.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("zlib: deflate");
  out.clear();
  size_t pk = out.open(pf::kTracePacket);
  out.bytes(pf::packet::kCompressedPackets,
            {reinterpret_cast<const char*>(zbuf.data()), size_t(z.total_out)});
  out.close(pk);
}

void Interner::emit(Proto& p) {
  if (!any_) return;
  size_t idata = p.open(pf::packet::kInternedData);
  static constexpr uint32_t field[kTables] = {
      pf::interned::kEventNames, pf::interned::kEventCategories, pf::interned::kAnnotationNames,
      pf::interned::kAnnotationStrings, pf::interned::kFunctionNames};
  for (int t = 0; t < kTables; t++) {
    for (auto& [iid, s] : pending_[t]) {
      size_t e = p.open(field[t]);
      p.u64(pf::interned::kIid, iid);
      p.bytes(pf::interned::kName, s);
      p.close(e);
    }
    pending_[t].clear();
  }
  for (const PendingFrame& f : pending_frames_) {
    size_t e = p.open(pf::interned::kFrames);
    p.u64(pf::frame::kIid, f.iid);
    p.u64(pf::frame::kFunctionNameId, f.fn);
    if (f.line) p.u64(pf::frame::kLineNumber, f.line);
    p.close(e);
  }
  pending_frames_.clear();
  for (auto& [iid, frames] : pending_stacks_) {
    size_t e = p.open(pf::interned::kCallstacks);
    p.u64(pf::callstack::kIid, iid);
    for (uint64_t f : frames) p.u64(pf::callstack::kFrameIds, f);
    p.close(e);
  }
  pending_stacks_.clear();
  p.close(idata);
  any_ = false;
}

}  // namespace ft::exporter::perfetto
