// Hand-built event sequences for the exporter's unit tests: a tiny builder of
// ft::trace::Event values plus the tables the reader would fill, and the daisy chain of the
// chapter (main creates n pass fibers and sendFirst; a chain of channel handoffs).
#pragma once

#include <string>
#include <vector>

#include "model.hpp"

namespace fttest {

using ft::trace::Block;
using ft::trace::Event;
using ft::trace::EventType;

struct Script {
  std::vector<Event> ev;
  ft::trace::Tables tables;

  Script() {
    tables.version = 1;
    tables.strings = {""};
    tables.funcs = {"unknown"};
    tables.stacks = {{}};
  }
  uint32_t func(std::string name) {
    tables.funcs.push_back(std::move(name));
    return uint32_t(tables.funcs.size() - 1);
  }
  uint32_t str(std::string s) {
    tables.strings.push_back(std::move(s));
    return uint32_t(tables.strings.size() - 1);
  }
  // Frames innermost first: {"pass", "daisy.cpp", 30}, ...
  uint32_t stack(std::vector<ft::trace::Frame> frames) {
    tables.stacks.push_back(std::move(frames));
    return uint32_t(tables.stacks.size() - 1);
  }
  Event& add(uint64_t ts, EventType type, uint32_t thread, int32_t proc, uint64_t g = 0,
             uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint32_t stack = 0) {
    Event e;
    e.type = type;
    e.ts = ts;
    e.thread = thread;
    e.proc = proc;
    e.g = g;
    e.set_arg(0, a0);  // by position: the a0..a2 of the event table's rows
    e.set_arg(1, a1);
    e.set_arg(2, a2);
    e.stack = stack;
    ev.push_back(e);
    return ev.back();
  }
  ft::exporter::Model build() const { return ft::exporter::build_model(ev, tables); }
};

// The chapter's daisy program with n pass fibers on two procs. Fiber ids: main 1, pass 2..n+1,
// sendFirst n+2. Channel ids: leftmost 1, then 2..n+1 (pass k receives on channel k+1).
// Timeline: main creates everything and blocks on leftmost; the pass fibers start and block
// on their right channels (alternating procs); sendFirst sends; each pass wakes the next to
// its left; main receives, makes a syscall (the print) and ends.
inline Script daisy(int n) {
  Script s;
  uint32_t f_main = s.func("main"), f_pass = s.func("pass"), f_send = s.func("sendFirst");
  uint32_t st_go_pass = s.stack({{"main", "daisy.cpp", 22}});
  uint32_t st_go_send = s.stack({{"main", "daisy.cpp", 26}});
  uint32_t st_main_recv =
      s.stack({{"ft::Chan<int>::recv", "chan.hpp", 80}, {"main", "daisy.cpp", 27}});
  uint32_t st_pass_recv =
      s.stack({{"ft::Chan<int>::recv", "chan.hpp", 80}, {"pass", "daisy.cpp", 31}});
  uint32_t st_pass_send =
      s.stack({{"ft::Chan<int>::send", "chan.hpp", 60}, {"pass", "daisy.cpp", 32}});
  uint32_t st_send =
      s.stack({{"ft::Chan<int>::send", "chan.hpp", 60}, {"sendFirst", "daisy.cpp", 35}});
  uint32_t st_print = s.stack({{"write", "", 0}, {"main", "daisy.cpp", 27}});
  uint64_t t = 0;
  s.add(t, EventType::ProcStart, 0, 0, 0, 0);
  s.add(t, EventType::ProcStart, 1, 1, 0, 1);
  s.add(t, EventType::GoStatus, 0, 0, 1, f_main, 1);
  s.add(t += 5, EventType::HeapAlloc, 0, 0, 1, 1 << 20);
  s.add(t, EventType::ChanName, 0, 0, 1, 1, s.str("leftmost"));
  for (int i = 0; i < n; i++)
    s.add(t += 10, EventType::GoCreate, 0, 0, 2 + i, f_pass, 1, 0, st_go_pass);
  uint64_t g_send = uint64_t(n) + 2;
  s.add(t += 10, EventType::GoCreate, 0, 0, g_send, f_send, 1, 0, st_go_send);
  s.add(t += 10, EventType::GoBlock, 0, 0, 1, uint64_t(Block::ChanRecv), 1, 0, st_main_recv);
  for (int i = 0; i < n; i++) {
    uint32_t th = uint32_t(i % 2);
    s.add(t += 5, EventType::GoStart, th, int32_t(th), 2 + i);
    s.add(t += 5, EventType::GoBlock, th, int32_t(th), 2 + i, uint64_t(Block::ChanRecv), 2 + i, 0,
          st_pass_recv);
  }
  s.add(t += 5, EventType::GoStart, 0, 0, g_send);
  s.add(t += 5, EventType::GoUnblock, 0, 0, n + 1, uint64_t(Block::ChanRecv), n + 1, g_send,
        st_send);
  s.add(t += 5, EventType::GoEnd, 0, 0, g_send);
  for (int i = n - 1; i >= 0; i--) {  // pass i+2 was woken; it wakes the one on its left
    uint64_t g = 2 + uint64_t(i), left = g - 1;
    s.add(t += 5, EventType::GoStart, 0, 0, g);
    s.add(t += 5, EventType::GoUnblock, 0, 0, left, uint64_t(Block::ChanRecv), left, g,
          st_pass_send);
    s.add(t += 5, EventType::GoEnd, 0, 0, g);
  }
  s.add(t += 5, EventType::GoStart, 0, 0, 1);
  s.add(t += 5, EventType::GoSysCall, 0, 0, 1, 0, 0, 0, st_print);
  s.add(t += 5, EventType::GoSysExit, 0, 0, 1);
  s.add(t += 5, EventType::GoEnd, 0, 0, 1);
  s.add(t += 5, EventType::ProcStop, 1, 1, 0, 1);
  s.add(t += 5, EventType::ProcStop, 0, 0, 0, 0);
  return s;
}

// One proc running fiber 1 in n slices of `len` ns separated by `gap` ns, from t=100; `idle`
// more fibers are created and never run (window queries and the server's merging use this).
inline Script train(int n, ft::exporter::Ns len, ft::exporter::Ns gap, int idle = 0) {
  Script s;
  uint32_t fn = s.func("f");
  s.add(0, EventType::ProcStart, 0, 0, 0, 0);
  for (uint64_t g = 1; g <= uint64_t(1 + idle); g++) s.add(0, EventType::GoCreate, 0, 0, g, fn);
  ft::exporter::Ns t = 100;
  for (int i = 0; i < n; i++) {
    s.add(t, EventType::GoStart, 0, 0, 1);
    s.add(t + len, EventType::GoYield, 0, 0, 1);
    t += len + gap;
  }
  return s;
}

}  // namespace fttest
