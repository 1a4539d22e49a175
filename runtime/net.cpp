// ft::net (<ft/net.hpp>): TCP sockets over the network poller (netpoll.hpp).
//
// Every call is the same loop, as Go's internal/poll: check the deadline and close flag, try
// the non-blocking system call, and on EAGAIN park on the poller until the next edge. A call
// enters the descriptor first (poll_enter), so a concurrent close cannot free the fd under it.
// Error messages follow Go's: "read tcp 127.0.0.1:40312->127.0.0.1:8080: connection reset by
// peer", "dial tcp 127.0.0.1:1: connect: connection refused", "... i/o timeout".
#include "ft/net.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "ft/syscall.hpp"
#include "ft/trace.hpp"
#include "netpoll.hpp"

namespace ft::net {
namespace {
using rt::PollErr;

[[noreturn]] void fail(int err, const std::string& op) {
  throw Error(err, op + ": " + std::strerror(err));
}
[[noreturn]] void fail_poll(PollErr e, const std::string& op) {
  if (e == PollErr::Timeout) throw Timeout(ETIMEDOUT, op + ": i/o timeout");
  throw Error(EBADF, op + ": use of closed network connection");
}

std::string format(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
  }
  if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  return "?";
}

std::string sock_addr(int fd, bool peer) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  auto* sa = reinterpret_cast<sockaddr*>(&ss);
  if ((peer ? ::getpeername(fd, sa, &len) : ::getsockname(fd, sa, &len)) != 0) return "?";
  return format(sa);
}

// "read tcp L->R" for errors on a connection, "accept tcp L" on a listener.
std::string op_name(const char* op, int fd, bool connected) {
  std::string s = std::string(op) + " tcp " + sock_addr(fd, false);
  if (connected) s += "->" + sock_addr(fd, true);
  return s;
}

struct Endpoint {
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family() const { return ss.ss_family; }
};

// "host:port", "[v6]:port", ":port". An empty host is every interface when listening and the
// loopback address when dialling (as Go). Names go to getaddrinfo inside ft::syscall.
std::vector<Endpoint> resolve(std::string_view addr, bool passive, const std::string& op) {
  std::string host, port;
  if (!addr.empty() && addr[0] == '[') {
    size_t close = addr.find(']');
    if (close == std::string_view::npos || close + 1 >= addr.size() || addr[close + 1] != ':')
      throw Error(EINVAL, op + ": address " + std::string(addr) + ": missing port or ']'");
    host = addr.substr(1, close - 1);
    port = addr.substr(close + 2);
  } else {
    size_t colon = addr.rfind(':');
    if (colon == std::string_view::npos)
      throw Error(EINVAL, op + ": address " + std::string(addr) + ": missing port");
    host = addr.substr(0, colon);
    port = addr.substr(colon + 1);
    if (host.find(':') != std::string::npos)
      throw Error(EINVAL, op + ": address " + std::string(addr) + ": too many colons");
  }
  char* end = nullptr;
  long p = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || p < 0 || p > 65535)
    throw Error(EINVAL, op + ": address " + std::string(addr) + ": invalid port");

  std::vector<Endpoint> out;
  Endpoint e;
  const bool wildcard = host.empty() && passive;
  if (host.empty()) {
    if (passive) {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&e.ss);
      in6->sin6_family = AF_INET6;
      in6->sin6_addr = in6addr_any;
      in6->sin6_port = htons(static_cast<uint16_t>(p));
      e.len = sizeof *in6;
      out.push_back(e);
      e = Endpoint{};  // then IPv4 alone, for a system without IPv6
    }
    host = "127.0.0.1";
  }
  auto* in = reinterpret_cast<sockaddr_in*>(&e.ss);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&e.ss);
  if (inet_pton(AF_INET, host.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<uint16_t>(p));
    if (wildcard) in->sin_addr.s_addr = htonl(INADDR_ANY);
    e.len = sizeof *in;
    out.push_back(e);
    return out;
  }
  if (inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(p));
    e.len = sizeof *in6;
    out.push_back(e);
    return out;
  }
  addrinfo hints{}, *res = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  int rc = ft::syscall([&] { return ::getaddrinfo(host.c_str(), port.c_str(), &hints, &res); });
  if (rc != 0)
    throw Error(rc == EAI_SYSTEM ? errno : ENOENT,
                op + ": lookup " + host + ": " + gai_strerror(rc));
  for (addrinfo* a = res; a; a = a->ai_next) {
    Endpoint r;
    std::memcpy(&r.ss, a->ai_addr, a->ai_addrlen);
    r.len = a->ai_addrlen;
    out.push_back(r);
  }
  ::freeaddrinfo(res);
  if (out.empty()) throw Error(ENOENT, op + ": lookup " + host + ": no address");
  return out;
}

int64_t to_ns(Deadline d) {
  if (d == Deadline{}) return 0;
  const int64_t ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(d.time_since_epoch()).count();
  return ns > 0 ? ns : 1;  // a deadline at the clock's start has passed
}

// An operation inside a handle's descriptor, or "use of closed network connection".
class Op {
 public:
  Op(detail::PollDesc* pd, uint32_t seq, const char* what) : pd_(pd) {
    if (!pd || !rt::poll_enter(pd, seq))
      throw Error(EBADF, std::string(what) + ": use of closed network connection");
  }
  ~Op() { rt::poll_leave(pd_); }
  Op(const Op&) = delete;
  Op& operator=(const Op&) = delete;
  int fd() const { return rt::poll_fd(pd_); }
  detail::PollDesc* pd() const { return pd_; }

  // Retries call() until it does not say EAGAIN, parking on the poller in between.
  template <class F>
  ssize_t io(char mode, const char* op, bool connected, F call) {
    if (PollErr e = rt::poll_check(pd_, mode); e != PollErr::None)
      fail_poll(e, op_name(op, fd(), connected));
    for (;;) {
      ssize_t r = call();
      if (r >= 0) return r;
      if (errno == EINTR) continue;
      if (const int err = errno; err != EAGAIN && err != EWOULDBLOCK)
        fail(err, op_name(op, fd(), connected));  // errno first: op_name's calls change it
      if (PollErr e = rt::poll_wait(pd_, mode); e != PollErr::None)
        fail_poll(e, op_name(op, fd(), connected));
    }
  }

 private:
  detail::PollDesc* pd_;
};

// Traced: a new connection's two addresses, once, as a log line (category "net") on the fiber
// that made it, so that the I/O blocks naming fd N can be matched to their peer.
void note_conn(int fd) {
  if (!rt::rec::active()) return;
  ft::trace::log(
      "net", "fd " + std::to_string(fd) + " " + sock_addr(fd, false) + "->" + sock_addr(fd, true));
}

detail::PollDesc* open_or_close(int fd, const std::string& op) {
  detail::PollDesc* pd = rt::poll_open(fd);
  if (!pd) {
    int err = errno;
    ::close(fd);
    fail(err, op);
  }
  return pd;
}

void set_deadline(detail::PollDesc* pd, uint32_t seq, Deadline d, char mode) {
  Op op(pd, seq, "set deadline");
  rt::poll_set_deadline(pd, to_ns(d), mode);
}

void wait_fd(int fd, Deadline d, char mode, const char* what) {
  detail::PollDesc* pd = rt::poll_open(fd);
  if (!pd) {
    if (errno == EPERM) return;  // a regular file or the like: always ready
    const int err = errno;
    fail(err, std::string(what) + " fd " + std::to_string(fd));
  }
  if (d != Deadline{}) rt::poll_set_deadline(pd, to_ns(d), mode);
  PollErr e = rt::poll_check(pd, mode);
  if (e == PollErr::None) e = rt::poll_wait(pd, mode);
  rt::poll_forget(pd);
  if (e != PollErr::None) fail_poll(e, std::string(what) + " fd " + std::to_string(fd));
}
}  // namespace

Conn::Conn(detail::PollDesc* pd) : pd_(pd), seq_(rt::poll_seq(pd)) {}
Listener::Listener(detail::PollDesc* pd) : pd_(pd), seq_(rt::poll_seq(pd)) {}

Conn& Conn::operator=(Conn&& o) noexcept {
  if (this != &o) {
    close();
    pd_ = std::exchange(o.pd_, nullptr);
    seq_ = o.seq_;
  }
  return *this;
}

Listener& Listener::operator=(Listener&& o) noexcept {
  if (this != &o) {
    close();
    pd_ = std::exchange(o.pd_, nullptr);
    seq_ = o.seq_;
  }
  return *this;
}

size_t Conn::read(void* buf, size_t n) {
  Op op(pd_, seq_, "read");
  if (n == 0) return 0;
  const int fd = op.fd();
  return static_cast<size_t>(op.io('r', "read", true, [&] { return ::read(fd, buf, n); }));
}

void Conn::write(const void* buf, size_t n) {
  Op op(pd_, seq_, "write");
  const int fd = op.fd();
  auto* p = static_cast<const char*>(buf);
  while (n > 0) {
    ssize_t k = op.io('w', "write", true, [&] { return ::send(fd, p, n, MSG_NOSIGNAL); });
    p += k;
    n -= static_cast<size_t>(k);
  }
}

void Conn::close() {
  if (pd_) rt::poll_close(pd_, seq_);
}

void Conn::close_write() {
  Op op(pd_, seq_, "close write");
  if (::shutdown(op.fd(), SHUT_WR) != 0) {
    const int err = errno;
    fail(err, op_name("close write", op.fd(), true));
  }
}

void Conn::set_deadline(Deadline d) {
  net::set_deadline(pd_, seq_, d, 'b');
}
void Conn::set_read_deadline(Deadline d) {
  net::set_deadline(pd_, seq_, d, 'r');
}
void Conn::set_write_deadline(Deadline d) {
  net::set_deadline(pd_, seq_, d, 'w');
}

std::string Conn::local_addr() const {
  Op op(pd_, seq_, "local address");
  return sock_addr(op.fd(), false);
}
std::string Conn::remote_addr() const {
  Op op(pd_, seq_, "remote address");
  return sock_addr(op.fd(), true);
}

int Conn::fd() const {
  if (!pd_ || !rt::poll_enter(pd_, seq_)) return -1;
  int fd = rt::poll_fd(pd_);
  rt::poll_leave(pd_);
  return fd;
}

Conn Listener::accept() {
  Op op(pd_, seq_, "accept");
  const int lfd = op.fd();
  int fd = static_cast<int>(op.io('r', "accept", false, [&] {
    int r;
    do {  // a connection reset while queued: take the next one, as Go does
      r = ::accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    } while (r < 0 && errno == ECONNABORTED);
    return r;
  }));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // as Go: small writes go now
  Conn c(open_or_close(fd, op_name("accept", lfd, false)));
  note_conn(fd);
  return c;
}

void Listener::close() {
  if (pd_) rt::poll_close(pd_, seq_);
}

void Listener::set_deadline(Deadline d) {
  net::set_deadline(pd_, seq_, d, 'r');
}

std::string Listener::addr() const {
  Op op(pd_, seq_, "address");
  return sock_addr(op.fd(), false);
}

int Listener::fd() const {
  if (!pd_ || !rt::poll_enter(pd_, seq_)) return -1;
  int fd = rt::poll_fd(pd_);
  rt::poll_leave(pd_);
  return fd;
}

Listener listen(std::string_view addr) {
  const std::string op = "listen tcp " + std::string(addr);
  int err = 0;
  for (const Endpoint& e : resolve(addr, true, op)) {
    int fd = ::socket(e.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      err = errno;
      continue;
    }
    int one = 1, zero = 0;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (e.family() == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&e.ss), e.len) != 0 ||
        ::listen(fd, 4096) != 0) {
      err = errno;
      ::close(fd);
      continue;
    }
    return Listener(open_or_close(fd, op));
  }
  fail(err, op);
}

Conn dial(std::string_view addr, std::chrono::nanoseconds timeout) {
  const std::string op = "dial tcp " + std::string(addr);
  const int64_t deadline =
      timeout > std::chrono::nanoseconds::zero() ? rt::now_ns() + timeout.count() : 0;
  int err = 0;
  for (const Endpoint& e : resolve(addr, false, op)) {
    int fd = ::socket(e.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      err = errno;
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Conn c(open_or_close(fd, op));
    int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&e.ss), e.len);
    if (rc != 0 && errno != EINPROGRESS) {
      err = errno;
      continue;  // c's destructor closes fd
    }
    if (rc != 0) {
      Op o(c.pd_, c.seq_, "dial");
      if (deadline) rt::poll_set_deadline(c.pd_, deadline, 'w');
      for (;;) {
        if (PollErr pe = rt::poll_check(c.pd_, 'w'); pe != PollErr::None) fail_poll(pe, op);
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err == 0) {
          sockaddr_storage peer;
          socklen_t plen = sizeof peer;
          if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &plen) == 0) break;
        } else if (err != EINPROGRESS && err != EALREADY && err != EINTR) {
          break;
        }
        if (PollErr pe = rt::poll_wait(c.pd_, 'w'); pe != PollErr::None) fail_poll(pe, op);
      }
      if (deadline) rt::poll_set_deadline(c.pd_, 0, 'w');
      if (err != 0) continue;
    }
    note_conn(fd);
    return c;
  }
  fail(err, op + ": connect");
}

void wait_readable(int fd, Deadline d) {
  wait_fd(fd, d, 'r', "wait_readable");
}
void wait_writable(int fd, Deadline d) {
  wait_fd(fd, d, 'w', "wait_writable");
}

}  // namespace ft::net
