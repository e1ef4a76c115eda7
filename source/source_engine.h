#pragma once
// SourceEngine: the broadcaster's protocol logic, sans IO. It keeps the
// sliding window of signed chunks, greets viewers of its channel, announces
// each new chunk with a HAVE, and serves requested chunks from the window.

#include <map>
#include <memory>

#include "overlay/ids.h"
#include "peer/actions.h"
#include "peer/chunk_store.h"

namespace shoal {

struct SourceConfig {
  ChannelId channel{};
  PeerId self;
  uint32_t window_chunks = 120;
};

class SourceEngine {
 public:
  explicit SourceEngine(SourceConfig config) : config_(config), store_(config.window_chunks) {}
  SourceEngine(const SourceEngine&) = delete;
  SourceEngine& operator=(const SourceEngine&) = delete;

  Actions on_connected(ConnId conn);
  Actions on_message(ConnId from, const Message& msg);
  void on_disconnected(ConnId conn) { viewers_.erase(conn); }
  // A new signed chunk enters the window.
  Actions publish(std::shared_ptr<const Chunk> chunk);

  size_t viewers() const;
  const ChunkStore& store() const { return store_; }

 private:
  SourceConfig config_;
  ChunkStore store_;
  std::map<ConnId, bool> viewers_;  // conn -> greeted
};

}  // namespace shoal
