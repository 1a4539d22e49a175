// The `fibertrace` command line: one file per subcommand (export.cpp, stats.cpp, pprof.cpp,
// later view.cpp). A subcommand file defines its run function and registers it with
//   static const ft::cli::Register reg{{"name", "one-line summary", run}};
// main.cpp dispatches on the first argument; cli/CMakeLists.txt compiles every cli/*.cpp.
//
// Exit codes, shared by every subcommand (documented in docs/cli.md):
//   0 ok, 1 usage error (unknown option, missing or bad argument), 2 bad or unreadable trace,
//   3 the output could not be written.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/model.hpp"

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

// Parses a subcommand's arguments: `opts` are listed by --help, and the positional TRACE is
// the hidden option "trace". On a usage error prints "fibertrace <cmd>: <what>" and a hint to
// stderr and returns kUsage; when --help was given prints `usage` and the options to stdout
// and returns kOk with *done set; otherwise returns kOk and fills vm and trace.
int parse(std::string_view cmd, std::string_view usage, const po::options_description& opts,
          int argc, const char* const* argv, po::variables_map& vm, std::string& trace, bool* done);

// Prints "fibertrace <cmd>: <msg>" to stderr and returns code.
int fail(std::string_view cmd, int code, const std::string& msg);

// Loads TRACE ("-" = stdin) into m. A damaged trace is an error (kBadTrace, with the reader's
// message naming the byte offset) unless `partial`, which keeps the valid prefix and warns.
int load(std::string_view cmd, const std::string& path, bool partial, exporter::Model& m);

// Options every trace-reading subcommand takes: --partial, --help.
void add_common(po::options_description& opts, bool& partial);

}  // namespace ft::cli

#include <memory>

#include "exporter/sink.hpp"

namespace ft::cli {

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
