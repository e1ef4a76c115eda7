#include "tools/dht_stats.h"

namespace shoal::cli {

nlohmann::json dht_stats_json(const ChordNode& node) {
  const DhtStats s = node.stats();
  const auto& predecessor = node.predecessor();
  nlohmann::json j = {
      {"id", node.self().id.to_string()},
      {"address", node.self().address},
      {"id_bits", node.ring().bits()},
      {"joined", node.joined()},
      {"predecessor", predecessor ? nlohmann::json(predecessor->address) : nlohmann::json()},
      {"keys", node.key_count()},
      {"datagrams_in", s.datagrams_in},
      {"datagrams_out", s.datagrams_out},
      {"malformed", s.malformed},
      {"oversized", s.oversized},
      {"unknown_replies", s.unknown_replies},
      {"timeouts", s.timeouts},
      {"nodes_dropped", s.nodes_dropped},
      {"lookups", s.lookups},
      {"lookup_hops", s.lookup_hops},
      {"keys_handed_off", s.keys_handed_off},
      {"keys_taken_over", s.keys_taken_over},
      {"refused", s.refused}};
  j["successors"] = nlohmann::json::array();
  for (const DhtNode& n : node.successors()) j["successors"].push_back(n.address);
  return j;
}

std::string dht_stats_text(const ChordNode& node) { return dht_stats_json(node).dump(); }

}  // namespace shoal::cli
