// Beast/Asio implementation of http.hpp. One Session per connection, each on its own strand;
// the handler runs on whichever pool thread serves the session, so handlers must be
// thread-safe (the viewer's are: they read an immutable model and lock their caches).
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

#include "guard.hpp"
#include "gzip.hpp"
#include "http.hpp"
#include "url.hpp"

namespace ft::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

Response Response::text(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::make_shared<const std::string>(std::move(body));
  return r;
}

Response Response::json(std::string body) {
  Response r;
  r.content_type = "application/json";
  r.compressible = true;
  r.body = std::make_shared<const std::string>(std::move(body));
  return r;
}

namespace {

// Bodies below this size are not worth a gzip round.
constexpr size_t kMinGzipBytes = 1024;

using OutBody = http::span_body<const char>;
using OutMessage = http::response<OutBody>;

std::string_view sv(beast::string_view s) {
  return {s.data(), s.size()};
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  if (etag.empty() || if_none_match.empty()) return false;
  if (if_none_match == "*") return true;
  // A comma-separated list of (possibly weak) tags.
  while (!if_none_match.empty()) {
    size_t comma = if_none_match.find(',');
    std::string_view t = if_none_match.substr(0, comma);
    if_none_match =
        comma == std::string_view::npos ? std::string_view{} : if_none_match.substr(comma + 1);
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    if (t.starts_with("W/")) t.remove_prefix(2);
    if (t == etag) return true;
  }
  return false;
}

}  // namespace

namespace {

// A streamed body between its producer thread and the session: at most kStreamBuffer bytes
// wait here, so a client that reads slowly slows the producer instead of growing memory.
struct Pipe {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> chunks;
  size_t bytes = 0;
  bool done = false;    // the producer returned
  bool closed = false;  // the connection is gone or the server stops: the producer should end

  void close() {
    {
      std::lock_guard l(mu);
      closed = true;
    }
    cv.notify_all();
  }
};

}  // namespace

struct HttpServer::Impl {
  Options opt;
  Handler handler;
  Guard guard;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  uint16_t bound_port = 0;

  // Streamed responses: their pipes (closed on stop) and how many producers still run.
  std::mutex streams_mu;
  std::condition_variable streams_cv;
  std::vector<std::weak_ptr<Pipe>> pipes;
  int producers = 0;

  void accept();
  void stop_streams();
};

namespace {

constexpr size_t kCoalesce = 64 * 1024;  // a streamed body goes out in chunks about this big

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl& srv)
      : stream_(std::move(socket)), srv_(srv), opt_(srv.opt) {}

  void start() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::read, shared_from_this()));
  }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(opt_.header_limit));
    parser_->body_limit(opt_.body_limit);
    stream_.expires_after(opt_.idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      return close();
    }
    if (ec == http::error::header_limit) return fail(431, "Request Header Fields Too Large\n");
    if (ec == http::error::body_limit) return fail(413, "Payload Too Large\n");
    if (ec) return fail(400, "Bad Request\n");
    respond(parser_->get());
  }

  // Answers a request the parser could not accept, then closes: after a parse error the
  // rest of the byte stream cannot be trusted to start a new request.
  void fail(int status, std::string text) {
    Response r = Response::text(status, std::move(text));
    send(r, false, false, 11, false);
  }

  Response answer(const http::request<http::string_body>& req, bool head) {
    Request q;
    q.method = head ? "HEAD" : "GET";
    q.target = std::string(sv(req.target()));
    q.path = std::string(target_path(q.target));
    q.query = parse_query(target_query(q.target));
    q.accepts_gzip = accepts_gzip(sv(req[http::field::accept_encoding]));
    auto tok = q.query.find("token");
    Guard::Verdict v =
        srv_.guard.check(sv(req[http::field::host]), tok == q.query.end() ? "" : tok->second,
                         sv(req[http::field::cookie]));
    if (v.status) return Response::text(v.status, v.text);
    Response r;
    try {
      r = srv_.handler(q);
    } catch (const std::exception& e) {
      r = Response::text(500, std::string("Internal Server Error: ") + e.what() + "\n");
    } catch (...) {
      r = Response::text(500, "Internal Server Error\n");
    }
    if (!v.set_cookie.empty()) r.headers.emplace_back("Set-Cookie", v.set_cookie);
    if (!r.etag.empty() && r.status == 200 &&
        etag_matches(sv(req[http::field::if_none_match]), r.etag)) {
      Response nm;
      nm.status = 304;
      nm.etag = r.etag;
      nm.cache_control = r.cache_control;
      r = std::move(nm);
    }
    return r;
  }

  void respond(const http::request<http::string_body>& req) {
    Response r;
    bool head = req.method() == http::verb::head;
    if (req.method() != http::verb::get && !head) {
      r = Response::text(405, "Method Not Allowed\n");
      r.headers.emplace_back("Allow", "GET, HEAD");
    } else {
      r = answer(req, head);
    }
    if (r.stream) return start_stream(std::move(r), head, req.version(), req.keep_alive());
    bool gz = accepts_gzip(sv(req[http::field::accept_encoding]));
    send(r, head, gz, req.version(), req.keep_alive());
  }

  template <class Body>
  void set_headers(http::response<Body>& msg, const Response& r, unsigned version,
                   bool keep_alive) {
    msg.version(version);
    msg.result(static_cast<http::status>(r.status));
    msg.set(http::field::server, "fibertrace");
    // No page may show the viewer in a frame (guard.hpp).
    msg.set("X-Frame-Options", "DENY");
    msg.set("Content-Security-Policy", "frame-ancestors 'none'");
    msg.set("X-Content-Type-Options", "nosniff");
    if (r.status != 304) msg.set(http::field::content_type, r.content_type);
    if (!r.cache_control.empty()) msg.set(http::field::cache_control, r.cache_control);
    if (!r.etag.empty()) msg.set(http::field::etag, r.etag);
    if (r.compressible || r.gzip_body) msg.set(http::field::vary, "Accept-Encoding");
    for (const auto& [k, v] : r.headers) msg.set(k, v);
    msg.keep_alive(keep_alive);
  }

  void send(const Response& r, bool head, bool client_gzip, unsigned version, bool keep_alive) {
    // Pick the representation: the precompressed one, an on-the-fly one, or the plain body.
    std::shared_ptr<const std::string> body = r.body;
    bool gzipped = false;
    if (client_gzip && r.gzip_body) {
      body = r.gzip_body;
      gzipped = true;
    } else if (client_gzip && r.compressible && r.body && r.body->size() >= kMinGzipBytes) {
      body = std::make_shared<const std::string>(gzip_compress(*r.body));
      gzipped = true;
    }
    keep_body_ = body;
    size_t length = body ? body->size() : 0;

    auto msg = std::make_shared<OutMessage>();
    set_headers(*msg, r, version, keep_alive);
    if (gzipped) msg->set(http::field::content_encoding, "gzip");
    if (r.status != 304) {
      msg->content_length(length);
      // HEAD: the headers of the GET answer, Content-Length included, and no body bytes.
      if (!head && body) msg->body() = OutBody::value_type(body->data(), body->size());
    }

    out_ = msg;
    auto sr = std::make_shared<http::response_serializer<OutBody>>(*msg);
    serializer_ = sr;
    if (head || r.status == 304) sr->split(false);
    write_step(msg->need_eof());
  }

  // Writes as much as the socket takes; the stall timer restarts whenever bytes went out, so
  // a slow but reading client is served and one that stopped reading is dropped.
  void write_step(bool close_after) {
    stream_.expires_after(opt_.stall_timeout);
    http::async_write_some(stream_, *serializer_,
                           [self = shared_from_this(), close_after](beast::error_code ec, size_t) {
                             if (!ec && !self->serializer_->is_done())
                               return self->write_step(close_after);
                             self->on_write(close_after, ec);
                           });
  }

  void on_write(bool close_after, beast::error_code ec) {
    serializer_.reset();
    out_.reset();
    keep_body_.reset();
    if (ec || close_after) return close();
    read();
  }

  // A streamed body: headers now, then chunks as the producer thread fills the pipe.
  void start_stream(Response r, bool head, unsigned version, bool keep_alive) {
    if (!head) {
      std::lock_guard l(srv_.streams_mu);
      if (srv_.producers >= opt_.max_streams) {
        Response busy = Response::text(503, "Service Unavailable: too many downloads at once\n");
        busy.headers.emplace_back("Retry-After", "5");
        return send(busy, false, false, version, keep_alive);
      }
      ++srv_.producers;
      pipe_ = std::make_shared<Pipe>();
      srv_.pipes.push_back(pipe_);
    }
    close_after_ = !keep_alive;
    auto msg = std::make_shared<http::response<http::empty_body>>();
    set_headers(*msg, r, version, keep_alive);
    msg->chunked(true);
    auto sr = std::make_shared<http::response_serializer<http::empty_body>>(*msg);
    writing_ = true;
    stream_.expires_after(opt_.stall_timeout);
    http::async_write_header(
        stream_, *sr, [self = shared_from_this(), msg, sr, head](beast::error_code ec, size_t) {
          self->writing_ = false;
          if (ec) return self->end_stream(ec);
          if (head) return self->on_write(!msg->keep_alive(), ec);
          self->pump();
        });
    if (head) return;
    std::thread([self = shared_from_this(), pipe = pipe_, produce = std::move(r.stream)]() mutable {
      auto write = [&](std::string_view b) {
        std::unique_lock l(pipe->mu);
        pipe->cv.wait(l, [&] { return pipe->closed || pipe->bytes < HttpServer::kStreamBuffer; });
        if (pipe->closed) return false;
        if (pipe->chunks.empty() || pipe->chunks.back().size() >= kCoalesce)
          pipe->chunks.emplace_back();
        pipe->chunks.back().append(b);
        pipe->bytes += b.size();
        l.unlock();
        asio::post(self->stream_.get_executor(), [self] { self->pump(); });
        return true;
      };
      try {
        produce(write);
      } catch (...) {
        pipe->close();  // the body cannot be finished: cut the connection so the client sees it
      }
      {
        std::lock_guard l(pipe->mu);
        pipe->done = true;
      }
      HttpServer::Impl& srv = self->srv_;
      asio::post(self->stream_.get_executor(), [self] { self->pump(); });
      // Dropped before the count: once it reaches 0 the server may be destroyed.
      self.reset();
      std::lock_guard l(srv.streams_mu);
      --srv.producers;
      srv.streams_cv.notify_all();
    }).detach();
  }

  // On the strand: sends the next chunk, or the last one when the producer is done.
  void pump() {
    if (writing_ || !pipe_) return;
    std::unique_lock l(pipe_->mu);
    if (pipe_->closed) {
      l.unlock();
      return end_stream(asio::error::operation_aborted);
    }
    if (!pipe_->chunks.empty()) {
      chunk_ = std::move(pipe_->chunks.front());
      pipe_->chunks.pop_front();
      pipe_->bytes -= chunk_.size();
      l.unlock();
      pipe_->cv.notify_all();
      writing_ = true;
      stream_.expires_after(opt_.stall_timeout);
      asio::async_write(stream_, http::make_chunk(asio::buffer(chunk_)),
                        [self = shared_from_this()](beast::error_code ec, size_t) {
                          self->writing_ = false;
                          if (ec) return self->end_stream(ec);
                          self->pump();
                        });
      return;
    }
    if (!pipe_->done) return;  // the producer will post again
    l.unlock();
    writing_ = true;
    stream_.expires_after(opt_.stall_timeout);
    asio::async_write(stream_, http::make_chunk_last(),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        self->writing_ = false;
                        self->end_stream(ec);
                      });
  }

  void end_stream(beast::error_code ec) {
    if (pipe_) pipe_->close();
    pipe_.reset();
    chunk_.clear();
    chunk_.shrink_to_fit();
    if (ec || close_after_) return close();
    read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  HttpServer::Impl& srv_;
  const HttpServer::Options& opt_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<OutMessage> out_;
  std::shared_ptr<http::response_serializer<OutBody>> serializer_;
  std::shared_ptr<const std::string> keep_body_;
  std::shared_ptr<Pipe> pipe_;  // while a streamed body is sent
  std::string chunk_;           // the chunk being written
  bool writing_ = false;
  bool close_after_ = false;
};

}  // namespace

void HttpServer::Impl::stop_streams() {
  std::unique_lock l(streams_mu);
  for (auto& w : pipes)
    if (auto p = w.lock()) p->close();
  pipes.clear();
  streams_cv.wait(l, [&] { return producers == 0; });
}

void HttpServer::Impl::accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted) return;  // stop()
    if (!ec) {
      std::make_shared<Session>(std::move(s), *this)->start();
      accept();
      return;
    }
    // Out of descriptors or a transient error: wait a little rather than spin, keep serving.
    auto timer = std::make_shared<asio::steady_timer>(ioc, std::chrono::milliseconds(50));
    timer->async_wait([this, timer](beast::error_code) {
      if (acceptor.is_open()) accept();
    });
  });
}

HttpServer::HttpServer(Options options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(options);
  impl_->handler = std::move(handler);
  auto addr = asio::ip::make_address(impl_->opt.address);
  tcp::endpoint ep(addr, impl_->opt.port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol());
  a.set_option(asio::socket_base::reuse_address(true));
  a.bind(ep);
  a.listen(asio::socket_base::max_listen_connections);
  impl_->bound_port = a.local_endpoint().port();
  impl_->guard = Guard(impl_->opt.address, impl_->bound_port, impl_->opt.token);
}

HttpServer::~HttpServer() = default;

uint16_t HttpServer::port() const {
  return impl_->bound_port;
}
const std::string& HttpServer::address() const {
  return impl_->opt.address;
}

void HttpServer::run(bool stop_on_signals) {
  std::optional<asio::signal_set> signals;
  if (stop_on_signals) {
    signals.emplace(impl_->ioc, SIGINT, SIGTERM);
    signals->async_wait([this](beast::error_code ec, int) {
      if (!ec) stop();
    });
  }
  impl_->accept();
  std::vector<std::thread> pool;
  for (int i = 1; i < impl_->opt.threads; ++i) pool.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : pool) t.join();
  // Producers read what the handler's owner keeps alive (the model): none may outlive run().
  impl_->stop_streams();
}

void HttpServer::stop() {
  asio::post(impl_->ioc, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->ioc.stop();
  });
}

}  // namespace ft::server
