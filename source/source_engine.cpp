#include "source/source_engine.h"

#include <algorithm>

namespace shoal {

Actions SourceEngine::on_connected(ConnId conn) {
  viewers_[conn] = false;
  return {SendAction{conn, Hello{kProtocolVersion, config_.channel, config_.self, 0}}};
}

Actions SourceEngine::on_message(ConnId from, const Message& msg) {
  const auto it = viewers_.find(from);
  if (it == viewers_.end()) return {};
  bool& greeted = it->second;
  if (const auto* hello = std::get_if<Hello>(&msg)) {
    if (hello->version != kProtocolVersion) {
      return {DisconnectAction{
          from, "protocol version " + std::to_string(hello->version) + " is not supported"}};
    }
    if (hello->channel != config_.channel) {
      return {DisconnectAction{from, "HELLO for another channel"}};
    }
    greeted = true;
    return {SendAction{from, store_.map().to_message(store_.window_base(), store_.capacity())}};
  }
  if (!greeted) return {DisconnectAction{from, std::string(message_name(msg)) + " before HELLO"}};
  if (const auto* request = std::get_if<RequestMsg>(&msg)) {
    if (auto chunk = store_.get(request->seq)) return {SendAction{from, ChunkMsg{*chunk}}};
  } else if (const auto* bye = std::get_if<ByeMsg>(&msg)) {
    return {DisconnectAction{from, "viewer left: " + bye->reason}};
  }
  return {};
}

Actions SourceEngine::publish(std::shared_ptr<const Chunk> chunk) {
  HaveMsg have{{chunk->seq}, {}};
  if (chunk->random_access()) have.random_access.push_back(chunk->seq);
  if (!store_.add(std::move(chunk))) return {};
  Actions out;
  for (const auto& [conn, greeted] : viewers_) {
    if (greeted) out.push_back(SendAction{conn, have});
  }
  return out;
}

size_t SourceEngine::viewers() const {
  return std::ranges::count_if(viewers_, [](const auto& v) { return v.second; });
}

}  // namespace shoal
