#pragma once
// Helpers for integration tests: run the real `shoal` binary in a temp dir,
// start a source and read its channel URI, run viewers, read their stats,
// ask DHT nodes, and wait for a condition rather than for a fixed time.

#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "experiment/process.h"
#include "overlay/dht/dht_messages.h"
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

// Starts `shoal source <args>` and waits for its channel URI (stderr -> log);
// on loopback unless `args` has a --listen, as start_peer.
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

// One question to the DHT node at `via` (500 ms a try, 3 tries); its
// answer, or nullopt.
std::optional<DhtMessage> ask_dht(const Endpoint& via, DhtMessage question);
// The node's STATS, parsed; discarded (is_discarded()) if it gave none.
nlohmann::json dht_stats(const Endpoint& via);
// Whether every node's successor and predecessor, by its STATS, are the
// true ones among `nodes`: the ring has settled.
bool dht_ring_settled(const std::vector<RunningDhtNode>& nodes);

// Checks `done` every `poll` until it holds (true) or `timeout` has passed
// (false, after a last check): a test waits as long as a slow machine needs,
// and no longer than a fast one does.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll = std::chrono::milliseconds(100));

// Waits up to `timeout` for a line of the file `log` that holds `marker`;
// the rest of that line after it, or nullopt.
std::optional<std::string> wait_for_log(const std::string& log, const std::string& marker,
                                        std::chrono::milliseconds timeout);

// Starts `shoal peer <uri> <args>` (stderr -> log).
Process start_peer(const std::string& uri, const std::vector<std::string>& args,
                   const std::string& log);

// A port on 127.0.0.1 that nothing uses now; `type` SOCK_STREAM or SOCK_DGRAM.
uint16_t free_port(int type);

// Whether something on this machine listens on `port` (TCP, SOCK_STREAM) or
// is bound to it (UDP, SOCK_DGRAM), from /proc/net: no connection is made.
bool listening(uint16_t port, int type);

// Runs a shell command; returns what it printed on stdout and stderr.
std::string run_shell(const std::string& command);

nlohmann::json read_json(const std::string& path);
std::string read_file(const std::string& path);

// One line of `shoal peer --played`: a chunk as it played.
struct Played {
  uint64_t seq;
  int64_t capture_ms;  // on the source's clock
};
std::vector<Played> read_played(const std::string& path);

// The sequence numbers in a stats file's "played_seqs" ranges.
std::vector<ChunkSeq> played_seqs(const nlohmann::json& stats);

}  // namespace shoal::testing
