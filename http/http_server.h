#pragma once
// HttpServer: what a viewer serves to the players people already use
// (`shoal peer --http HOST:PORT`), on Boost.Beast.
//
// - `/stream.ts`: the chunks it plays, one continuous MPEG-TS stream from a
//   random-access chunk on, for VLC, mpv, ffplay or ffmpeg; any number of
//   clients at once. Chunks are shared, never copied per client. A client
//   that falls `max_queued` bytes behind, or whose socket takes nothing for
//   `stall`, is dropped: a slow or stuck client never holds up playback or
//   the swarm.
// - Any other GET goes to `pages` (stats, metrics): 404 where it has none.
// - A request that is not a GET gets 405, a malformed one 400, one whose
//   header does not come within `read_timeout` is closed.
//
// Threading: construct, call and destroy on the io_context's thread.

#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <optional>
#include <string>

#include "media/chunk.h"
#include "media/result.h"
#include "overlay/wire/endpoint.h"

namespace shoal {

struct HttpConfig {
  size_t max_queued = 4 << 20;             // bytes behind, about 25 s of a 1.3 Mbit/s stream
  std::chrono::seconds stall{10};          // no byte taken for this long
  std::chrono::seconds read_timeout{10};   // for a request's header
  size_t max_clients = 64;
};

class HttpServer {
 public:
  struct Page {
    std::string content_type;
    std::string body;
  };
  // The page at `path` (query string removed); nullopt: 404.
  using PagesFn = std::function<std::optional<Page>(const std::string& path)>;

  static Result<std::unique_ptr<HttpServer>> open(boost::asio::io_context& io, const Endpoint& at,
                                                  PagesFn pages, HttpConfig config = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The bound address, port 0 resolved.
  const Endpoint& local() const { return local_; }
  // A chunk as it plays: to every /stream.ts client.
  void play(std::shared_ptr<const Chunk> chunk);
  size_t stream_clients() const { return streams_.size(); }
  uint64_t clients_dropped() const { return dropped_; }

  class Session;  // one client connection (http_server.cpp)

 private:
  HttpServer(boost::asio::io_context& io, PagesFn pages, HttpConfig config);
  void accept();
  void check_stalls();
  void forget(Session* s);

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer watchdog_;
  PagesFn pages_;
  HttpConfig config_;
  Endpoint local_;
  std::list<std::shared_ptr<Session>> sessions_;
  std::list<std::shared_ptr<Session>> streams_;  // sessions on /stream.ts
  uint64_t dropped_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for callbacks that outlive it
};

}  // namespace shoal
