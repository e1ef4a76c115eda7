#pragma once
// DhtAnnouncer: keeps a source or viewer findable through the DHT, as
// TrackerClient does through a tracker. Each round PUTs this node's contact
// (where it accepts viewers) under the channel's key, the channel id in hex,
// with a time to live of three rounds; then GETs that key and hands the other
// contacts to `on_peers` (unparsable ones skipped). Rounds come every
// `interval`; a failed round (no answer, or an error from the DHT node) is
// logged as one line and retried after a backoff doubling from 1 s to 15 s.
// Nothing is thrown: the node goes on with the peers it has.
//
// Threading: construct, call and destroy on the io_context's thread; on_peers
// is called there. It may be destroyed with a round under way.

#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "media/chunk.h"
#include "overlay/dht/dht_client.h"
#include "overlay/wire/endpoint.h"

namespace shoal {

class DhtAnnouncer {
 public:
  using PeersFn = std::function<void(std::vector<Endpoint>)>;

  // `self`: this node's contact; nullopt for one that accepts nobody (it only looks).
  static Result<std::unique_ptr<DhtAnnouncer>> open(
      boost::asio::io_context& io, Endpoint dht_node, const ChannelId& channel,
      std::optional<Endpoint> self, PeersFn on_peers,
      std::chrono::seconds interval = std::chrono::seconds(10));
  ~DhtAnnouncer();
  DhtAnnouncer(const DhtAnnouncer&) = delete;
  DhtAnnouncer& operator=(const DhtAnnouncer&) = delete;

  // Announces now, then every interval until stop().
  void start();
  // Runs a round now unless one is under way (e.g. short of neighbours).
  void announce_now();
  // This node's contact changed (its address was learned, or moved): PUT
  // from now on, at once.
  void set_self(std::optional<Endpoint> self);
  // This node's IP as the DHT node saw it last; "" before an answer.
  const std::string& seen_as() const { return seen_as_; }
  void stop();

 private:
  DhtAnnouncer(boost::asio::io_context& io, std::unique_ptr<DhtClient> client, std::string key,
               std::optional<Endpoint> self, PeersFn on_peers, std::chrono::seconds interval);
  void round();
  void lookup_peers();
  void fail(const std::string& why);
  void schedule(std::chrono::seconds delay);

  std::unique_ptr<DhtClient> client_;
  std::string key_;
  std::optional<Endpoint> self_;
  std::string seen_as_;
  PeersFn on_peers_;
  std::chrono::seconds interval_;
  boost::asio::steady_timer next_;
  std::chrono::seconds backoff_{1};
  bool busy_ = false;
  bool failing_ = false;
  bool stopped_ = true;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace shoal
