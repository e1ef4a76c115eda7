#include "source/source_state.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace shoal {

std::string state_path_for(const std::string& key_path) { return key_path + ".state"; }

Result<std::optional<StreamPosition>> load_position(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::optional<StreamPosition>{};
  const auto json = nlohmann::json::parse(in, nullptr, false);
  const auto bad = Error{"'" + path + "' is not a channel's state; remove it to start the channel's numbering afresh"};
  if (json.is_discarded() || !json.is_object()) return bad;
  for (const char* field : {"next_seq", "media_end_us", "at_ms"})
    if (!json.contains(field) || !json[field].is_number_integer()) return bad;
  StreamPosition p;
  p.next_seq = ChunkSeq(json["next_seq"].get<uint64_t>());
  p.media_end_us = json["media_end_us"].get<int64_t>();
  p.at = WallTime(std::chrono::milliseconds(json["at_ms"].get<int64_t>()));
  return std::optional{p};
}

Result<std::monostate> save_position(const std::string& path, const StreamPosition& position) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << nlohmann::json{{"next_seq", position.next_seq.value},
                          {"media_end_us", position.media_end_us},
                          {"at_ms", position.at.time_since_epoch().count()}}
               .dump()
        << "\n";
    if (!out) return Error{"cannot write '" + temp + "'"};
  }
  std::error_code ec;
  std::filesystem::rename(temp, path, ec);
  if (ec) return Error{"cannot write '" + path + "': " + ec.message()};
  return std::monostate{};
}

}  // namespace shoal
