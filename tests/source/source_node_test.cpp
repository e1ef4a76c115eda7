// SourceNode and PeerNodes over real loopback TCP, in one process: the source
// publishes synthetic chunks from a fake ingest, the peers play them all.
#include "source/source_node.h"

#include <gtest/gtest.h>

#include <condition_variable>

#include "media/wall_clock.h"
#include "peer/peer_node.h"

namespace shoal {
namespace {

using namespace std::chrono_literals;

// Emits one 500 ms chunk every 100 ms, captured "now", until stopped.
class FakeIngest : public Ingest {
 public:
  std::string describe() const override { return "fake"; }
  Result<std::monostate> run(const std::function<void(Chunk)>& on_chunk) override {
    std::unique_lock lock(mutex_);
    for (uint64_t seq = 0; !stopped_; ++seq) {
      Chunk c;
      c.seq = ChunkSeq(seq);
      c.capture_time = wall_now();
      c.duration_ms = 100;
      c.flags = Chunk::kRandomAccess;
      c.payload.assign(188 * 10, static_cast<uint8_t>(seq));
      on_chunk(std::move(c));
      wake_.wait_for(lock, 100ms, [&] { return stopped_; });
    }
    return std::monostate{};
  }
  void stop() override {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    wake_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopped_ = false;
};

std::unique_ptr<Listener> listen_on_loopback(boost::asio::io_context& io) {
  auto l = Listener::open(io, {"127.0.0.1", 0});
  EXPECT_TRUE(l) << l.error();
  return std::move(*l);
}

// A source and three peers that learn of each other as from a tracker: each
// plays every chunk in order, and the peers carry part of the load.
TEST(SourceNode, ThreePeersPlayEveryChunkAndShareTheLoad) {
  boost::asio::io_context io;
  const ChannelKey key = ChannelKey::generate();
  SourceNode source(io, key, SourceOptions{.self = PeerId(100)}, listen_on_loopback(io));
  const Endpoint source_at = source.listening();
  source.broadcast(std::make_unique<FakeIngest>(), [](Result<std::monostate>) {});

  std::vector<std::vector<ChunkSeq>> played(3);
  std::vector<std::unique_ptr<PeerNode>> peers;
  std::vector<Endpoint> addresses;
  for (int i = 0; i < 3; ++i) {
    auto listener = listen_on_loopback(io);
    addresses.push_back(listener->local());
    const PeerOptions options{.channel = key.channel(),
                              .source = source_at,
                              .self = PeerId(i + 1),
                              .seed = uint64_t(i + 1),
                              .listen_port = listener->local().port,
                              .lag = 1500ms};
    peers.push_back(std::make_unique<PeerNode>(
        io, options, [&played, i](const Chunk& c) { played[i].push_back(c.seq); },
        std::move(listener)));
  }
  for (auto& peer : peers) {
    peer->runner().start();
    peer->runner().found_peers(addresses);
  }

  boost::asio::steady_timer end(io);
  end.expires_after(5s);
  end.async_wait([&](auto) {
    for (auto& peer : peers) peer->runner().stop();
    source.stop();
  });
  io.run();

  uint64_t from_peers = 0;
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE("peer " + std::to_string(i + 1));
    ASSERT_GE(played[i].size(), 20u);
    for (size_t k = 1; k < played[i].size(); ++k) EXPECT_EQ(played[i][k], played[i][k - 1].next());
    const auto& stats = peers[i]->runner().engine().stats();
    EXPECT_EQ(stats.chunks_due, stats.chunks_on_time);
    EXPECT_EQ(stats.chunks_rejected, 0u);
    from_peers += peers[i]->runner().traffic().from_peers();
  }
  EXPECT_GT(from_peers, 0u);
}

}  // namespace
}  // namespace shoal
