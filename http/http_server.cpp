#include "http/http_server.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>

#include "media/log.h"
#include "overlay/net/listener.h"

namespace shoal {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

class HttpServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(HttpServer& server, tcp::socket socket, std::shared_ptr<bool> alive)
      : server_(server), alive_(std::move(alive)), stream_(std::move(socket)) {
    boost::system::error_code ec;
    const auto remote = stream_.socket().remote_endpoint(ec);
    peer_ = ec ? "?" : Endpoint{address_key(remote.address()), remote.port()}.to_string();
  }

  void start() {
    parser_.header_limit(8 * 1024);
    parser_.body_limit(1024);
    stream_.expires_after(server_.config_.read_timeout);
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->on_request(ec); });
  }

  // A chunk as it plays; the first from a random-access one, where a player can start.
  void push(const std::shared_ptr<const Chunk>& chunk) {
    if (closed_ || (!started_ && !chunk->random_access())) return;
    started_ = true;
    queued_bytes_ += chunk->payload.size();
    if (queued_bytes_ > server_.config_.max_queued) {
      return drop("fell " + std::to_string(queued_bytes_ >> 10) + " KiB behind");
    }
    queue_.push_back(chunk);
    if (!writing_) write_next();
  }

  // Data waits and the socket took nothing for `stall`.
  bool stalled(Clock::time_point now) const {
    return !closed_ && writing_ && now - last_progress_ >= server_.config_.stall;
  }

  void drop(const std::string& why) {
    if (closed_) return;
    log_line("HTTP client " + peer_ + " dropped: " + why);
    ++server_.dropped_;
    close();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    if (*alive_) server_.forget(this);
  }

 private:
  void on_request(beast::error_code ec) {
    if (!*alive_ || closed_) return;
    if (ec == http::error::end_of_stream || ec == beast::error::timeout) return close();
    if (ec) return reply(http::status::bad_request, "text/plain", "bad request: " + ec.message() + "\n");
    const auto& req = parser_.get();
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      return reply(http::status::method_not_allowed, "text/plain", "only GET\n");
    }
    std::string path(req.target());
    path = path.substr(0, path.find('?'));
    if (path == "/stream.ts") return begin_stream();
    const auto page = server_.pages_(path);
    if (!page) return reply(http::status::not_found, "text/plain", "no such page: " + path + "\n");
    reply(http::status::ok, page->content_type, page->body);
  }

  void reply(http::status status, const std::string& type, std::string body) {
    auto res = std::make_shared<http::response<http::string_body>>(status, 11);
    res->set(http::field::server, "shoal");
    res->set(http::field::content_type, type);
    res->set(http::field::cache_control, "no-cache");
    res->set(http::field::access_control_allow_origin, "*");
    res->keep_alive(false);
    res->body() = std::move(body);
    res->prepare_payload();
    stream_.expires_after(server_.config_.stall);
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code, size_t) {
      self->close();
    });
  }

  // A live stream has no length: the header, then chunks until either end closes.
  void begin_stream() {
    stream_.expires_never();
    // The kernel's buffer is bounded too, so that a stuck client shows soon.
    beast::error_code ignored;
    stream_.socket().set_option(asio::socket_base::send_buffer_size(256 * 1024), ignored);
    server_.streams_.push_back(shared_from_this());
    last_progress_ = Clock::now();
    static const std::string kHeader =
        "HTTP/1.1 200 OK\r\nServer: shoal\r\nContent-Type: video/mp2t\r\n"
        "Cache-Control: no-cache\r\nConnection: close\r\n\r\n";
    writing_ = true;
    asio::async_write(stream_, asio::buffer(kHeader),
                      [self = shared_from_this()](beast::error_code ec, size_t) { self->written(ec, 0); });
    // Anything the client sends from now on is ignored; its close ends the stream.
    stream_.async_read_some(asio::buffer(sink_), [self = shared_from_this()](beast::error_code, size_t) {
      self->close();
    });
  }

  void write_next() {
    if (queue_.empty() || closed_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    const auto chunk = queue_.front();
    asio::async_write(stream_, asio::buffer(chunk->payload),
                      [self = shared_from_this(), chunk](beast::error_code ec, size_t) {
                        self->written(ec, chunk->payload.size());
                      });
  }

  void written(beast::error_code ec, size_t bytes) {
    if (!*alive_ || closed_) return;
    if (ec) return close();
    last_progress_ = Clock::now();
    if (bytes > 0) {
      queue_.pop_front();
      queued_bytes_ -= bytes;
    }
    write_next();
  }

  HttpServer& server_;
  std::shared_ptr<bool> alive_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  std::string peer_;
  std::deque<std::shared_ptr<const Chunk>> queue_;
  size_t queued_bytes_ = 0;
  bool started_ = false;
  bool writing_ = false;
  bool closed_ = false;
  Clock::time_point last_progress_;
  std::array<char, 512> sink_{};
};

Result<std::unique_ptr<HttpServer>> HttpServer::open(asio::io_context& io, const Endpoint& at,
                                                     PagesFn pages, HttpConfig config) {
  std::unique_ptr<HttpServer> s(new HttpServer(io, std::move(pages), config));
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(at.host == "localhost" ? "127.0.0.1" : at.host, ec);
  if (ec) return Error{"cannot serve HTTP on " + at.to_string() + ": not an IP address"};
  const tcp::endpoint ep(address, at.port);
  s->acceptor_.open(ep.protocol(), ec);
  if (!ec && address.is_v6() && address.is_unspecified())
    s->acceptor_.set_option(asio::ip::v6_only(false), ec);
  if (!ec) s->acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) s->acceptor_.bind(ep, ec);
  if (!ec) s->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Error{"cannot serve HTTP on " + at.to_string() + ": " + ec.message()};
  const auto bound = s->acceptor_.local_endpoint();
  s->local_ = Endpoint{bound.address().to_string(), bound.port()};
  s->accept();
  s->check_stalls();
  return s;
}

HttpServer::HttpServer(asio::io_context& io, PagesFn pages, HttpConfig config)
    : io_(io), acceptor_(io), watchdog_(io), pages_(std::move(pages)), config_(config) {}

HttpServer::~HttpServer() {
  *alive_ = false;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  watchdog_.cancel();
  for (auto& s : std::list(sessions_)) s->close();
}

void HttpServer::accept() {
  acceptor_.async_accept([this, alive = alive_](boost::system::error_code ec, tcp::socket socket) {
    if (!*alive || !acceptor_.is_open()) return;
    if (!ec) {
      if (sessions_.size() >= config_.max_clients) {
        boost::system::error_code ignored;
        socket.close(ignored);
      } else {
        sessions_.push_back(std::make_shared<Session>(*this, std::move(socket), alive));
        sessions_.back()->start();
      }
    }
    accept();
  });
}

void HttpServer::play(std::shared_ptr<const Chunk> chunk) {
  for (auto& s : std::list(streams_)) s->push(chunk);
}

void HttpServer::check_stalls() {
  watchdog_.expires_after(std::chrono::seconds(1));
  watchdog_.async_wait([this, alive = alive_](boost::system::error_code ec) {
    if (ec || !*alive) return;
    const auto now = Clock::now();
    for (auto& s : std::list(streams_)) {
      if (s->stalled(now)) s->drop("took nothing for " + std::to_string(config_.stall.count()) + " s");
    }
    check_stalls();
  });
}

void HttpServer::forget(Session* s) {
  sessions_.remove_if([s](const auto& p) { return p.get() == s; });
  streams_.remove_if([s](const auto& p) { return p.get() == s; });
}

}  // namespace shoal
