#include "rows.hpp"

#include <algorithm>
#include <stdexcept>

namespace ft::exporter {

uint32_t Rows::slice(const Slice& s) const {
  switch (view) {
    case View::Proc:
      return s.proc != kNone ? s.proc + 1 : noproc_row[s.thread];
    case View::Thread:
      return s.thread + 1;
    case View::Goroutine:
      return fiber_row[s.fiber];
  }
  return 0;
}

uint32_t Rows::instant(const Instant& i) const {
  switch (view) {
    case View::Proc:
      if (i.kind == InstantKind::TimerWake) return timers_row;
      return i.proc != kNone ? i.proc + 1 : noproc_row[i.thread];
    case View::Thread:
      return i.thread + 1;
    case View::Goroutine:
      if (i.kind == InstantKind::ProcStart || i.kind == InstantKind::ProcStop) return 0;
      return i.fiber != kNone ? fiber_row[i.fiber] : 0;
  }
  return 0;
}

uint32_t Rows::log(const Log& l) const {
  switch (view) {
    case View::Proc:
      return l.proc != kNone ? l.proc + 1 : noproc_row[l.thread];
    case View::Thread:
      return l.thread + 1;
    case View::Goroutine:
      return l.fiber != kNone ? fiber_row[l.fiber] : 0;
  }
  return 0;
}

Rows make_rows(const Model& m, View view, std::optional<uint64_t> goid) {
  Rows r;
  r.view = view;
  switch (view) {
    case View::Goroutine: {
      r.fiber_row.assign(m.fibers.size(), 0);
      std::vector<uint32_t> shown;
      if (goid) {
        shown = related_fibers(m, *goid);
        if (shown.empty()) throw std::invalid_argument("no fiber with id " + std::to_string(*goid));
      } else {
        for (uint32_t f = 0; f < m.fibers.size(); f++) shown.push_back(f);
      }
      for (uint32_t f : shown) {
        r.rows.push_back({std::string(m.fiber_label(f)), int64_t(r.rows.size() + 1)});
        r.fiber_row[f] = uint32_t(r.rows.size());
      }
      break;
    }
    case View::Thread:
      for (uint32_t t = 0; t < m.threads; t++)
        r.rows.push_back({std::string(m.thread_label(t)), t});
      break;
    case View::Proc: {
      for (uint32_t p = 0; p < m.procs.size(); p++)
        r.rows.push_back({std::string(m.proc_label(p)), p});
      // Fibers running without a proc (hand-off paths, damaged traces) get one row per thread:
      // a thread runs one fiber at a time, so the row still nests.
      r.noproc_row.assign(m.threads, 0);
      for (const Slice& s : m.slices)
        if (s.proc == kNone) r.noproc_row[s.thread] = 1;
      for (const Instant& i : m.instants)
        if (i.proc == kNone && i.kind != InstantKind::TimerWake) r.noproc_row[i.thread] = 1;
      for (const Log& l : m.logs)
        if (l.proc == kNone) r.noproc_row[l.thread] = 1;
      for (uint32_t t = 0; t < r.noproc_row.size(); t++) {
        if (!r.noproc_row[t]) continue;
        uint32_t row = uint32_t(r.rows.size() + 1);
        r.rows.push_back({std::string(m.thread_label(t)) + " (no proc)", row});
        r.noproc_row[t] = row;
      }
      if (std::any_of(m.instants.begin(), m.instants.end(),
                      [](const Instant& i) { return i.kind == InstantKind::TimerWake; })) {
        uint32_t row = uint32_t(r.rows.size() + 1);
        r.rows.push_back({"Timers", row});
        r.timers_row = row;
      }
      break;
    }
  }
  return r;
}

}  // namespace ft::exporter
