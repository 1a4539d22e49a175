// Checks of the Model invariants stated in exporter/model.hpp, shared by the unit, fuzz and
// integration tests. Each CHECK names the broken invariant.
#pragma once

#include <catch2/catch.hpp>

#include "model.hpp"

namespace fttest {

inline void check_model_invariants(const ft::exporter::Model& m) {
  using namespace ft::exporter;
  for (size_t i = 0; i < m.slices.size(); i++) {
    const Slice& s = m.slices[i];
    CHECK(s.t0 <= s.t1);
    CHECK(s.t1 <= m.end);
    if (i) CHECK(m.slices[i - 1].t0 <= s.t0);
    CHECK(s.fiber < m.fibers.size());
  }
  // Disjoint per track: consecutive slices of a track do not overlap.
  for (const TrackIndex* ix : {&m.by_proc, &m.by_thread, &m.by_fiber})
    for (size_t k = 0; k < ix->tracks(); k++) {
      auto v = ix->of(k);
      for (size_t j = 1; j < v.size(); j++) CHECK(m.slices[v[j - 1]].t1 <= m.slices[v[j]].t0);
    }
  // Spans tile each fiber's lifetime.
  for (uint32_t f = 0; f < m.fibers.size(); f++) {
    Ns at = m.fibers[f].born;
    for (const StateSpan& s : m.fiber_spans(f)) {
      CHECK(s.t0 == at);
      CHECK(s.t1 > s.t0);
      at = s.t1;
    }
    CHECK(at == m.fibers[f].died);
  }
  for (const Counter& c : m.counters) {
    REQUIRE(c.values.size() == c.t.size() * c.keys.size());
    for (size_t i = 1; i < c.t.size(); i++) CHECK(c.t[i - 1] < c.t[i]);
    for (int64_t v : c.values) CHECK(v >= 0);
  }
  for (size_t i = 0; i < m.flows.size(); i++) {
    const Flow& f = m.flows[i];
    if (i) CHECK(m.flows[i - 1].t_from <= f.t_from);
    CHECK(m.slices[f.from_slice].t0 <= f.t_from);
    CHECK(f.t_from <= m.slices[f.from_slice].t1);
    CHECK(f.t_from <= m.slices[f.to_slice].t0);
    CHECK(m.slices[f.to_slice].flow_in == i);
    CHECK(m.slices[f.to_slice].t0 - f.t_from <= m.max_flow_span);
  }
  for (size_t i = 1; i < m.instants.size(); i++) CHECK(m.instants[i - 1].t <= m.instants[i].t);
  for (const Region& r : m.regions) CHECK(r.t0 <= r.t1);
  for (const Task& t : m.tasks) CHECK(t.t0 <= t.t1);
  for (size_t p = 1; p < m.procs.size(); p++) CHECK(m.procs[p - 1] < m.procs[p]);
  // One label per row, made by the model.
  REQUIRE(m.labels.fibers.size() == m.fibers.size());
  REQUIRE(m.labels.procs.size() == m.procs.size());
  REQUIRE(m.labels.threads.size() == m.threads);
  for (uint32_t f = 0; f < m.fibers.size(); f++)
    CHECK(m.fiber_label(f) == "G" + std::to_string(m.fibers[f].id) + " " +
                                  std::string(m.fiber_func(f)));
  for (uint32_t p = 0; p < m.procs.size(); p++)
    CHECK(m.proc_label(p) == "Proc " + std::to_string(m.procs[p]));
}

}  // namespace fttest
