#include "stream.hpp"

namespace ft::exporter::perfetto {

void PacketStream::flush() {
  if (batch_.size() == 0) return;
  std::string_view data = batch_.view();
  if (compress_) {
    deflateReset(&z_);
    zbuf_.resize(deflateBound(&z_, uLong(data.size())));
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z_.avail_in = uInt(data.size());
    z_.next_out = zbuf_.data();
    z_.avail_out = uInt(zbuf_.size());
    if (deflate(&z_, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("zlib: deflate");
    outer_.clear();
    size_t pk = outer_.open(pf::kTracePacket);
    outer_.bytes(pf::packet::kCompressedPackets,
                 {reinterpret_cast<const char*>(zbuf_.data()), size_t(z_.total_out)});
    outer_.close(pk);
    data = outer_.view();
  }
  sink_.write(data);
  bytes_ += data.size();
  batch_.clear();
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
