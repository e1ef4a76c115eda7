// The `shoal` command: one binary, one subcommand per role.
#include <iostream>
#include <string>
#include <vector>

#include "tools/cli.h"

namespace {

constexpr const char* kUsage = R"(Usage: shoal <command> [options]

Peer-to-peer live video streaming.

Commands:
  source   broadcast a live channel (a file, a URL or the built-in test pattern)
  peer     join a channel by its URI and play it
  tracker  help the viewers of channels find each other
  dht      run a node of the Chord DHT (trackerless discovery), or ask one
  swarm    run a whole local broadcast (tracker, source, N peers) and report the offload
  simulate the same experiment in simulated time, deterministic and in seconds
  demo     a small swarm on the test pattern

Run `shoal <command> --help` for a command's options.
)";

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + (argc > 1 ? 2 : 1), argv + argc);
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "source") return shoal::cli::source_main(args);
  if (command == "peer") return shoal::cli::peer_main(args);
  if (command == "tracker") return shoal::cli::tracker_main(args);
  if (command == "dht") return shoal::cli::dht_main(args);
  if (command == "swarm") return shoal::cli::swarm_main(args);
  if (command == "simulate") return shoal::cli::simulate_main(args);
  if (command == "demo") return shoal::cli::demo_main(args);
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << (command.empty() ? "" : "shoal: unknown command '" + command + "'\n") << kUsage;
  return 2;
}
