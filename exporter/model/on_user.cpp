// Handlers of names and user annotations: channel names, tasks, regions (nested per fiber,
// closed when their fiber ends) and logs.
#include "tracker.hpp"

namespace ft::exporter::model {

void on_chan_name(Tracker& t, const Event& ev, uint32_t) {
  t.m.chan_names.push_back({ev.chan_id(), ev.name()});
}

void on_task_create(Tracker& t, const Event& ev, uint32_t) {
  Task k;
  k.id = ev.task_id();
  k.parent = ev.parent_task();
  k.name = ev.name();
  k.t0 = k.t1 = t.now;
  k.fiber = ev.g ? t.fiber(ev.g) : kNone;
  t.task_of[k.id] = uint32_t(t.m.tasks.size());
  t.m.tasks.push_back(k);
}

void on_task_end(Tracker& t, const Event& ev, uint32_t) {
  auto it = t.task_of.find(ev.task_id());
  if (it == t.task_of.end() || t.m.tasks[it->second].ended) return;
  t.m.tasks[it->second].t1 = t.now;
  t.m.tasks[it->second].ended = true;
}

void on_region_begin(Tracker& t, const Event& ev, uint32_t) {
  uint32_t f = t.fiber(ev.g);
  auto& st = t.region_stack[f];
  Region r;
  r.t0 = r.t1 = t.now;
  r.fiber = f;
  r.task = ev.task_id();
  r.name = ev.name();
  r.depth = uint32_t(st.size());
  st.push_back(uint32_t(t.m.regions.size()));
  t.m.regions.push_back(r);
}

void on_region_end(Tracker& t, const Event& ev, uint32_t) {
  auto it = t.region_stack.find(t.fiber(ev.g));
  if (it == t.region_stack.end() || it->second.empty()) return;
  Region& r = t.m.regions[it->second.back()];
  r.t1 = t.now;
  r.ended = true;
  it->second.pop_back();
}

void on_log(Tracker& t, const Event& ev, uint32_t th) {
  uint32_t f = ev.g ? t.fiber(ev.g) : kNone;
  uint32_t p =
      f != kNone && t.fs[f].open != kNone ? t.m.slices[t.fs[f].open].proc : t.proc(ev.proc);
  t.m.logs.push_back({t.now, f, p, th, ev.task_id(), ev.category(), ev.message()});
}

}  // namespace ft::exporter::model
