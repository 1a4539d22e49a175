// fibertrace: dispatch to the registered subcommands (see command.hpp).
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>

#include "command.hpp"

namespace {

void usage(std::FILE* to) {
  auto cmds = ft::cli::commands();
  std::sort(cmds.begin(), cmds.end(), [](auto& a, auto& b) { return a.name < b.name; });
  std::fprintf(to,
               "usage: fibertrace <command> [options] TRACE\n\n"
               "Reads a fibertrace trace (written by ft::trace::start) and turns it into what\n"
               "people look at. Commands:\n");
  for (auto& c : cmds)
    std::fprintf(to, "  %-8.*s %.*s\n", int(c.name.size()), c.name.data(), int(c.summary.size()),
                 c.summary.data());
  std::fprintf(to,
               "\n'fibertrace <command> --help' describes a command.\n"
               "Exit status: 0 ok, 1 usage error, 2 bad trace, 3 output not written.\n");
}

}  // namespace

int main(int argc, char** argv) {
  // A closed pipe (`fibertrace export t.out | head -c 10`) is a write error, reported as exit
  // status 3 like a full disk, not a death by SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  if (argc < 2) {
    usage(stderr);
    return ft::cli::kUsage;
  }
  std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    if (name == "help" && argc > 2) {  // "fibertrace help export" == "fibertrace export --help"
      for (auto& c : ft::cli::commands())
        if (c.name == argv[2]) {
          const char* args[] = {argv[2], "--help"};
          return c.run(2, args);
        }
    }
    usage(stdout);
    return ft::cli::kOk;
  }
  if (name == "--version") {
    std::printf("fibertrace 0.1.0\n");
    return ft::cli::kOk;
  }
  for (auto& c : ft::cli::commands()) {
    if (c.name != name) continue;
    try {
      return c.run(argc - 1, argv + 1);
    } catch (const std::bad_alloc&) {
      return ft::cli::fail(name, ft::cli::kBadTrace,
                           "out of memory: the trace needs more memory than this machine (or "
                           "its ulimit) allows");
    } catch (const std::exception& e) {
      return ft::cli::fail(name, ft::cli::kBadTrace, e.what());
    }
  }
  std::fprintf(stderr, "fibertrace: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return ft::cli::kUsage;
}
