#include <cstdio>
#include <iostream>

#include "command.hpp"
#include "exporter/load.hpp"

namespace ft::cli {

std::vector<Command>& commands() {
  static std::vector<Command> all;
  return all;
}

int fail(std::string_view cmd, int code, const std::string& msg) {
  std::fprintf(stderr, "fibertrace %.*s: %s\n", int(cmd.size()), cmd.data(), msg.c_str());
  return code;
}

void add_common(po::options_description& opts, bool& partial) {
  opts.add_options()("partial", po::bool_switch(&partial),
                     "accept a damaged or truncated trace: use everything valid before the damage")(
      "help,h", "show this help");
}

int parse(std::string_view cmd, std::string_view usage, const po::options_description& opts,
          int argc, const char* const* argv, po::variables_map& vm, std::string& trace,
          bool* done) {
  *done = false;
  po::options_description all;
  all.add(opts).add_options()("trace", po::value(&trace));
  po::positional_options_description pos;
  pos.add("trace", 1);
  try {
    // Without allow_guessing, an abbreviation is an unknown option instead of a silent match.
    int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    std::vector<std::string> args(argv + 1, argv + argc);  // argv[0] is the subcommand
    po::store(po::command_line_parser(args).options(all).positional(pos).style(style).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: fibertrace " << usage << "\n\n" << opts;
      *done = true;
      return kOk;
    }
    po::notify(vm);
    if (!vm.count("trace")) throw po::error("missing TRACE (a trace file, or '-' for stdin)");
  } catch (const po::error& e) {
    fail(cmd, kUsage, e.what());
    std::fprintf(stderr, "Try 'fibertrace %.*s --help'.\n", int(cmd.size()), cmd.data());
    return kUsage;
  }
  return kOk;
}

int load(std::string_view cmd, const std::string& path, bool partial, exporter::Model& m) {
  try {
    m = exporter::load_trace_file(path);
  } catch (const std::exception& e) {
    return fail(cmd, kBadTrace, e.what());
  }
  const std::string name = path == "-" ? "<stdin>" : path;
  if (m.read.bytes == 0) return fail(cmd, kBadTrace, name + ": empty trace (0 bytes)");
  if (!m.read.ok) {
    if (!partial || m.events == 0)
      return fail(cmd, kBadTrace,
                  name + ": bad trace: " + m.read.error +
                      (m.events ? " (--partial uses the " + std::to_string(m.events) +
                                      " events before the damage)"
                                : ""));
    std::fprintf(stderr, "fibertrace %.*s: warning: %s: %s; using the %llu events before it\n",
                 int(cmd.size()), cmd.data(), name.c_str(), m.read.error.c_str(),
                 (unsigned long long)m.events);
  }
  return kOk;
}

}  // namespace ft::cli

#include <cerrno>
#include <cstring>

namespace ft::cli {

Output::~Output() {
  if (f_ && f_ != stdout) std::fclose(f_);
}

int Output::open(std::string_view cmd, const std::string& path, bool gzip) {
  path_ = path;
  f_ = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
  if (!f_) return fail(cmd, kOutput, "cannot write " + path + ": " + std::strerror(errno));
  static char buf[1 << 16];
  if (f_ != stdout) std::setvbuf(f_, buf, _IOFBF, sizeof buf);
  file_ = std::make_unique<exporter::FileSink>(f_);
  if (gzip) gz_ = std::make_unique<exporter::GzipSink>(*file_, 1);
  return kOk;
}

int Output::close(std::string_view cmd) {
  sink().finish();
  bool ok = sink().ok() && file_->ok();
  if (f_ != stdout && std::fclose(f_) != 0) ok = false;
  f_ = nullptr;
  if (!ok)
    return fail(cmd, kOutput,
                "writing " + (path_ == "-" ? std::string("<stdout>") : path_) + " failed");
  return kOk;
}

}  // namespace ft::cli
