// The shared preamble of every subcommand (command.hpp): option parsing, loading, outputs.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
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

Invocation::Invocation(std::string_view cmd, std::string_view usage, InvocationSpec spec)
    : cmd_(cmd), usage_(usage), spec_(spec) {}

int Invocation::parse(int argc, const char* const* argv, bool& help) {
  po::options_description shown;
  shown.add(own_);
  po::options_description common;
  if (spec_.damage == Damage::Flag)
    common.add_options()(
        "partial", po::bool_switch(&partial_),
        "accept a damaged or truncated trace: use everything valid before the damage");
  common.add_options()("help,h", "show this help");
  shown.add(common);
  po::options_description all;
  all.add(shown).add_options()("trace", po::value(&traces_)->multitoken());
  po::positional_options_description pos;
  pos.add("trace", spec_.max_traces == 0 ? -1 : int(spec_.max_traces));
  try {
    // Without allow_guessing, an abbreviation is an unknown option instead of a silent match.
    int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    std::vector<std::string> args(argv + 1, argv + argc);  // argv[0] is the subcommand
    po::store(po::command_line_parser(args).options(all).positional(pos).style(style).run(), vm_);
    if (vm_.count("help")) {
      std::cout << "usage: fibertrace " << usage_ << "\n\n" << shown;
      help = true;
      return kOk;
    }
    po::notify(vm_);
    if (traces_.empty()) throw po::error("missing TRACE (a trace file, or '-' for stdin)");
    if (spec_.max_traces && traces_.size() > spec_.max_traces)
      throw po::error("too many positional options have been specified on the command line");
  } catch (const po::error& e) {
    fail(cmd_, kUsage, e.what());
    std::fprintf(stderr, "Try 'fibertrace %s --help'.\n", cmd_.c_str());
    return kUsage;
  }
  return kOk;
}

int Invocation::load(const std::string& path, exporter::Model& m) const {
  try {
    m = exporter::load_trace_file(path);
  } catch (const std::bad_alloc&) {
    return fail(cmd_, kBadTrace,
                (path == "-" ? std::string("<stdin>") : path) +
                    ": out of memory while reading the trace: it needs more memory than this "
                    "machine (or its ulimit) allows");
  } catch (const std::exception& e) {
    return fail(cmd_, kBadTrace, e.what());
  }
  const std::string name = path == "-" ? "<stdin>" : path;
  if (m.read.bytes == 0) return fail(cmd_, kBadTrace, name + ": empty trace (0 bytes)");
  if (!m.read.ok) {
    bool partial = partial_ || spec_.damage == Damage::Accept;
    if (!partial || m.events == 0)
      return fail(cmd_, kBadTrace,
                  name + ": bad trace: " + m.read.error +
                      (m.events && spec_.damage == Damage::Flag
                           ? " (--partial uses the " + std::to_string(m.events) +
                                 " events before the damage)"
                           : ""));
    std::fprintf(stderr, "fibertrace %s: warning: %s: %s; using the %llu events before it\n",
                 cmd_.c_str(), name.c_str(), m.read.error.c_str(), (unsigned long long)m.events);
  }
  return kOk;
}

int Invocation::run_all(int argc, const char* const* argv,
                        const std::function<int(std::vector<exporter::Model>&)>& body,
                        const std::function<int()>& check) {
  bool help = false;
  if (int rc = parse(argc, argv, help); rc || help) return rc;
  if (check)
    if (int rc = check()) return rc;
  if (std::count(traces_.begin(), traces_.end(), "-") > 1)
    return usage_error("standard input ('-') can be read only once");
  std::vector<exporter::Model> models(traces_.size());
  for (size_t i = 0; i < traces_.size(); ++i)
    if (int rc = load(traces_[i], models[i])) return rc;
  return body(models);
}

int Invocation::run(int argc, const char* const* argv,
                    const std::function<int(exporter::Model&)>& body,
                    const std::function<int()>& check) {
  return run_all(
      argc, argv, [&](std::vector<exporter::Model>& ms) { return body(ms.front()); }, check);
}

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
