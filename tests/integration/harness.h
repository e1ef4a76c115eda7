#pragma once
// Helpers for integration tests: run the real `shoal` binary in a temp dir,
// start a source and read its channel URI, run viewers, read their stats.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "experiment/process.h"
#include "overlay/wire/channel_uri.h"

namespace shoal::testing {

// A fresh directory, removed at the end of the test unless it failed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

struct RunningSource {
  Process process;
  ChannelUri uri;
};

// Starts `shoal source <args>` and waits for its channel URI (stderr -> log).
std::optional<RunningSource> start_source(const std::vector<std::string>& args,
                                          const std::string& log);

struct RunningDhtNode {
  Process process;
  std::string id;  // decimal
  Endpoint at;
};

// Starts `shoal dht <args>` and waits for its first line, "<id> <address>".
std::optional<RunningDhtNode> start_dht_node(const std::vector<std::string>& args,
                                             const std::string& log);

// Starts `shoal peer <uri> <args>` (stderr -> log).
Process start_peer(const std::string& uri, const std::vector<std::string>& args,
                   const std::string& log);

// Runs a shell command; returns what it printed on stdout and stderr.
std::string run_shell(const std::string& command);

nlohmann::json read_json(const std::string& path);
std::string read_file(const std::string& path);

// The sequence numbers in a stats file's "played_seqs" ranges.
std::vector<ChunkSeq> played_seqs(const nlohmann::json& stats);

}  // namespace shoal::testing
