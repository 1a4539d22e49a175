#include "analysis.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <unordered_map>

namespace ft::exporter {

using ft::trace::Block;

Ns FiberTimes::block_total() const {
  return std::accumulate(block.begin(), block.end(), Ns(0));
}

FiberTimes fiber_times(const Model& m, uint32_t f) {
  FiberTimes t;
  t.fiber = f;
  t.lifetime = m.fibers[f].died - m.fibers[f].born;
  for (const StateSpan& s : m.fiber_spans(f)) {
    Ns d = s.t1 - s.t0;
    switch (s.state) {
      case FiberState::Running:
        t.exec += d;
        break;
      case FiberState::Runnable:
        t.sched_wait += d;
        break;
      case FiberState::Blocked:
        t.block[std::min<size_t>(size_t(s.reason), kReasons - 1)] += d;
        break;
      case FiberState::Syscall:
        t.syscall += d;
        break;
      case FiberState::Unknown:
        t.unknown += d;
        break;
    }
  }
  return t;
}

std::vector<Group> goroutine_groups(const Model& m) {
  std::unordered_map<uint32_t, size_t> at;
  std::vector<Group> g;
  for (uint32_t f = 0; f < m.fibers.size(); f++) {
    auto [it, fresh] = at.try_emplace(m.fibers[f].func, g.size());
    if (fresh)
      g.push_back({m.fibers[f].func, std::string(m.func_name(m.fibers[f].func)), 0, 0, {}});
    Group& gr = g[it->second];
    gr.n++;
    gr.fibers.push_back(f);
    for (uint32_t s : m.by_fiber.of(f)) gr.exec += m.slices[s].t1 - m.slices[s].t0;
  }
  std::sort(g.begin(), g.end(), [](const Group& a, const Group& b) {
    return a.exec != b.exec ? a.exec > b.exec : a.name < b.name;
  });
  return g;
}

std::optional<ProfileKind> parse_profile(std::string_view s) {
  if (s == "sync") return ProfileKind::Sync;
  if (s == "syscall") return ProfileKind::Syscall;
  if (s == "sched") return ProfileKind::Sched;
  if (s == "io") return ProfileKind::IO;
  if (s == "sleep") return ProfileKind::Sleep;
  return std::nullopt;
}

std::string_view profile_name(ProfileKind k) {
  switch (k) {
    case ProfileKind::Sync:
      return "sync";
    case ProfileKind::Syscall:
      return "syscall";
    case ProfileKind::Sched:
      return "sched";
    case ProfileKind::IO:
      return "io";
    case ProfileKind::Sleep:
      return "sleep";
  }
  return "sync";
}

static bool counts(ProfileKind k, const StateSpan& s) {
  switch (k) {
    case ProfileKind::Sync:
      if (s.state != FiberState::Blocked) return false;
      switch (s.reason) {
        case Block::ChanSend:
        case Block::ChanRecv:
        case Block::Select:
        case Block::Mutex:
        case Block::Cond:
        case Block::WaitGroup:
        case Block::Forever:
          return true;
        default:
          return false;
      }
    case ProfileKind::Syscall:
      return s.state == FiberState::Syscall ||
             (s.state == FiberState::Blocked && s.reason == Block::Syscall);
    case ProfileKind::Sched:
      return s.state == FiberState::Runnable;
    case ProfileKind::IO:
      return s.state == FiberState::Blocked && s.reason == Block::IO;
    case ProfileKind::Sleep:
      return s.state == FiberState::Blocked && s.reason == Block::Sleep;
  }
  return false;
}

std::vector<ProfileEntry> blocking_profile(const Model& m, ProfileKind k) {
  std::unordered_map<uint32_t, ProfileEntry> by_stack;
  for (const StateSpan& s : m.spans) {
    if (!counts(k, s)) continue;
    ProfileEntry& e = by_stack[s.stack];
    e.stack = s.stack;
    e.total += s.t1 - s.t0;
    e.count++;
  }
  std::vector<ProfileEntry> v;
  for (auto& [_, e] : by_stack) v.push_back(e);
  std::sort(v.begin(), v.end(), [](const ProfileEntry& a, const ProfileEntry& b) {
    return a.total != b.total ? a.total > b.total : a.stack < b.stack;
  });
  return v;
}

nlohmann::json stack_json(const Model& m, uint32_t stack) {
  nlohmann::json a = nlohmann::json::array();
  if (stack < m.tables.stacks.size())
    for (const auto& fr : m.tables.stacks[stack])
      a.push_back({{"func", fr.func}, {"file", fr.file}, {"line", fr.line}});
  return a;
}

nlohmann::json groups_json(const Model& m) {
  nlohmann::json a = nlohmann::json::array();
  for (const Group& g : goroutine_groups(m)) {
    a.push_back({{"func", g.name}, {"func_id", g.func}, {"n", g.n}, {"exec_ns", g.exec}});
  }
  return a;
}

nlohmann::json fiber_json(const Model& m, uint32_t f) {
  FiberTimes t = fiber_times(m, f);
  nlohmann::json block = nlohmann::json::object();
  for (size_t r = 0; r < kReasons; r++)
    if (t.block[r]) block[std::string(reason_name(Block(r)))] = t.block[r];
  const Fiber& fi = m.fibers[f];
  return {{"g", fi.id},
          {"func", m.fiber_func(f)},
          {"born_ns", fi.born},
          {"died_ns", fi.died},
          {"ended", fi.ended},
          {"lifetime_ns", t.lifetime},
          {"exec_ns", t.exec},
          {"sched_wait_ns", t.sched_wait},
          {"block_ns", t.block_total()},
          {"block_by_reason_ns", block},
          {"syscall_ns", t.syscall},
          {"unknown_ns", t.unknown}};
}

nlohmann::json fibers_json(const Model& m, uint32_t func) {
  nlohmann::json a = nlohmann::json::array();
  for (uint32_t f = 0; f < m.fibers.size(); f++)
    if (m.fibers[f].func == func) a.push_back(fiber_json(m, f));
  return a;
}

nlohmann::json profile_json(const Model& m, ProfileKind k) {
  nlohmann::json a = nlohmann::json::array();
  for (const ProfileEntry& e : blocking_profile(m, k))
    a.push_back({{"total_ns", e.total}, {"count", e.count}, {"stack", stack_json(m, e.stack)}});
  return a;
}

}  // namespace ft::exporter
