// SourceNode and PeerNode over real loopback TCP, in one process: the source
// publishes synthetic chunks from a fake ingest, the peer plays them all.
#include "source/source_node.h"

#include <gtest/gtest.h>

#include <condition_variable>

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

TEST(SourceNode, APeerPlaysEveryChunkOverTcp) {
  boost::asio::io_context io;
  const ChannelKey key = ChannelKey::generate();
  SourceNode source(io, key, 120);
  auto at = source.listen({"127.0.0.1", 0});
  ASSERT_TRUE(at) << at.error();
  source.broadcast(std::make_unique<FakeIngest>(), [](Result<std::monostate>) {});

  std::vector<ChunkSeq> played;
  PeerNode peer(io, ChannelUri{key.channel(), *at},
                PeerConfig{.channel = key.channel(), .self = PeerId(1), .lag = 400ms},
                [&](const Chunk& c) { played.push_back(c.seq); });
  peer.start();

  boost::asio::steady_timer end(io);
  end.expires_after(3s);
  end.async_wait([&](auto) {
    peer.stop();
    source.stop();
  });
  io.run();

  ASSERT_GE(played.size(), 20u);
  for (size_t i = 1; i < played.size(); ++i) EXPECT_EQ(played[i], played[i - 1].next());
  const auto& stats = peer.engine().stats();
  EXPECT_EQ(stats.chunks_due, stats.chunks_on_time);
  EXPECT_EQ(stats.chunks_rejected, 0u);
  const PeerTraffic traffic = peer.traffic();
  EXPECT_GE(traffic.from_source, played.size() * 1880);
  EXPECT_EQ(traffic.from_peers, 0u);
  EXPECT_GE(source.stats().bytes_uploaded, traffic.from_source);
}

}  // namespace
}  // namespace shoal
