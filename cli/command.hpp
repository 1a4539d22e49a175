// The `fibertrace` command line: one file per subcommand (events.cpp, export.cpp, pprof.cpp,
// stats.cpp, view.cpp). A subcommand file defines its run function and registers it with
//   const ft::cli::Register reg{{"name", "one-line summary", run}};
// main.cpp dispatches on the first argument; cli/CMakeLists.txt compiles every cli/*.cpp.
//
// Every subcommand reads traces the same way, through one Invocation (the shared preamble):
//   Invocation in("stats", kUsageLine);
//   in.options()("json", po::bool_switch(&json), "print one JSON object");
//   return in.run(argc, argv, [&](exporter::Model& m) { ... });
// Invocation owns the positional TRACE (or TRACEs), --partial, --help, the usage and load
// errors and their exit codes, so a subcommand holds only what is its own.
//
// Exit codes, shared by every subcommand (documented in docs/cli.md):
//   0 ok, 1 usage error (unknown option, missing or bad argument), 2 bad or unreadable trace,
//   3 the output could not be written.
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/model.hpp"
#include "exporter/sink.hpp"

namespace ft::cli {

enum Exit : int { kOk = 0, kUsage = 1, kBadTrace = 2, kOutput = 3 };

struct Command {
  std::string_view name;
  std::string_view summary;
  // argv[0] is the subcommand's name; argv[1..] its arguments.
  int (*run)(int argc, const char* const* argv);
};

std::vector<Command>& commands();  // registration order; main sorts for --help

struct Register {
  explicit Register(Command c) { commands().push_back(c); }
};

namespace po = boost::program_options;

// Prints "fibertrace <cmd>: <msg>" to stderr and returns code.
int fail(std::string_view cmd, int code, const std::string& msg);

// How an Invocation treats a damaged trace.
enum class Damage {
  Flag,    // an error unless --partial is given (the option is listed by --help)
  Accept,  // always salvaged, with a warning (the viewer shows what is intact)
};

struct InvocationSpec {
  Damage damage = Damage::Flag;
  // At most this many TRACE arguments (at least one is always required); 0 = no limit.
  unsigned max_traces = 1;
};

// One run of a trace-reading subcommand: parse argv, check the options, load every TRACE, run.
class Invocation {
 public:
  // `usage` is printed by --help after "usage: fibertrace ".
  Invocation(std::string_view cmd, std::string_view usage, InvocationSpec spec = {});

  // The subcommand's own options, listed by --help (before --partial and --help).
  po::options_description_easy_init options() { return own_.add_options(); }

  // Parses argv; when it holds --help, prints the usage and returns kOk without going on.
  // Then `check` (may be empty) validates the options and returns kOk or an exit code
  // (normally through usage_error); then every TRACE is loaded and `body` runs on them.
  int run(int argc, const char* const* argv, const std::function<int(exporter::Model&)>& body,
          const std::function<int()>& check = {});
  int run_all(int argc, const char* const* argv,
              const std::function<int(std::vector<exporter::Model>&)>& body,
              const std::function<int()>& check = {});

  // Whether the option was given on the command line (not merely defaulted).
  bool given(const char* option) const { return vm_.count(option) && !vm_[option].defaulted(); }
  const std::vector<std::string>& traces() const { return traces_; }
  const std::string& cmd() const { return cmd_; }

  // Print "fibertrace <cmd>: <msg>" and return the code.
  int usage_error(const std::string& msg) const { return fail(cmd_, kUsage, msg); }
  int error(int code, const std::string& msg) const { return fail(cmd_, code, msg); }

 private:
  int parse(int argc, const char* const* argv, bool& help);
  int load(const std::string& path, exporter::Model& m) const;

  std::string cmd_;
  std::string_view usage_;
  InvocationSpec spec_;
  po::options_description own_{"Options"};
  po::variables_map vm_;
  std::vector<std::string> traces_;
  bool partial_ = false;
};

// An output file ("-" = stdout), optionally gzip-compressed.
class Output {
 public:
  ~Output();
  // Returns kOk, or kOutput with a message printed.
  int open(std::string_view cmd, const std::string& path, bool gzip);
  exporter::Sink& sink() { return gz_ ? static_cast<exporter::Sink&>(*gz_) : *file_; }
  // Flushes and closes; returns kOk, or kOutput with a message printed (disk full, closed pipe).
  int close(std::string_view cmd);

 private:
  std::string path_;
  std::FILE* f_ = nullptr;
  std::unique_ptr<exporter::FileSink> file_;
  std::unique_ptr<exporter::GzipSink> gz_;
};

}  // namespace ft::cli
