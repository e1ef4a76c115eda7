#pragma once
// SourceNode: runs the broadcaster in a process. An ingest thread turns the
// input into chunks and posts them to the io_context, where they are signed
// and published through the SourceEngine; a TCP acceptor serves viewers.
//
// Threading: all methods are called on the io_context's thread; the ingest
// thread only posts to it.

#include <boost/asio.hpp>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "media/chunk_signature.h"
#include "media/ingest.h"
#include "overlay/net/accept_guard.h"
#include "overlay/net/connection.h"
#include "overlay/wire/endpoint.h"
#include "overlay/net/listener.h"
#include "source/source_engine.h"

namespace shoal {

struct SourceStats {
  uint64_t chunks_published = 0;
  uint64_t chunk_bytes_published = 0;  // payload bytes: one copy of the stream
  uint64_t copy_bytes = 0;             // CHUNK frame bytes of one copy of the stream
  uint64_t media_ms_published = 0;     // duration of the chunks published
  uint64_t bytes_uploaded = 0;         // CHUNK frame bytes sent to viewers
  uint64_t control_bytes_out = 0;
  size_t viewers = 0;
  uint64_t refused = 0;            // connections closed at once by the per-address limits
  nlohmann::json to_json() const;  // the source's --stats-json
};

// What one address may cost the source. A viewer asks for each chunk once, a
// few per second, but one catching up (or several behind one NAT) may ask for
// a whole window at once: the burst covers 100 s of 500 ms chunks.
inline constexpr AddressLimitsConfig kSourceAddressLimits{.requests_per_second = 50,
                                                          .request_burst = 200};

class SourceNode {
 public:
  SourceNode(boost::asio::io_context& io, ChannelKey key, SourceConfig config);
  ~SourceNode();
  SourceNode(const SourceNode&) = delete;
  SourceNode& operator=(const SourceNode&) = delete;

  // Starts accepting viewers on `listener`, each address within `limits`
  // (a viewer over its REQUEST budget is dropped).
  void serve(std::unique_ptr<Listener> listener, AddressLimitsConfig limits = kSourceAddressLimits);
  // Starts ingest on its own thread; on_end runs on the io thread when the
  // input ends or fails.
  void broadcast(std::unique_ptr<Ingest> ingest,
                 std::function<void(Result<std::monostate>)> on_end);
  // Stops ingest and closes every connection.
  void stop();
  // Every connection's CHUNK frames then share this upload capacity.
  void set_upload_limiter(std::shared_ptr<UploadLimiter> limiter) { limiter_ = std::move(limiter); }

  SourceStats stats() const;

 private:
  struct Viewer {
    std::shared_ptr<Connection> conn;
    std::string address;  // its AcceptGuard key
  };

  void on_accepted(boost::asio::ip::tcp::socket socket);
  void on_message(ConnId id, const Message& m);
  void on_closed(ConnId id, const std::string& reason);
  void publish(Chunk chunk);
  void run(Actions actions);

  boost::asio::io_context& io_;
  ChannelKey key_;
  SourceEngine engine_;
  std::unique_ptr<Listener> listener_;
  std::optional<AcceptGuard> guard_;  // set by serve()
  std::map<ConnId, Viewer> viewers_;
  std::unique_ptr<Ingest> ingest_;
  std::thread ingest_thread_;
  SourceStats closed_;  // traffic of connections already gone
  SourceStats published_;
  uint64_t next_conn_ = 1;
  std::shared_ptr<UploadLimiter> limiter_;
};

}  // namespace shoal
