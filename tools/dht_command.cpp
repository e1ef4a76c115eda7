// `shoal dht`: a node of the Chord DHT, and `shoal dht lookup|put|get|stats`
// to ask one.
#include <boost/asio.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "media/log.h"
#include "overlay/dht/dht_client.h"
#include "overlay/dht/dht_server.h"
#include "tools/cli.h"
#include "tools/memory_trim.h"
#include "tools/shutdown.h"
#include "tools/dht_stats.h"

namespace shoal::cli {
namespace {

using nlohmann::json;

json owner_json(const DhtId& key, const DhtNode& owner, uint32_t hops) {
  return {{"key", key.to_string()},
          {"owner_id", owner.id.to_string()},
          {"owner", owner.address},
          {"hops", hops}};
}

// Asks the node at --via one question and prints the answer as JSON.
int ask_main(const std::string& verb, const std::vector<std::string>& args) {
  Command cmd;
  std::string key, value, via;
  int ttl_sec = 60;
  if (verb == "lookup") {
    cmd.usage = "shoal dht lookup <key> --via HOST:PORT";
    cmd.description =
        "Finds the node that owns <key> and prints {key, owner_id, owner, hops} as JSON.\n"
        "<key> is a decimal id when it is all digits, else a string that is hashed.\n"
        "Ids are printed as decimal strings: a 160-bit id does not fit a JSON number.";
  } else if (verb == "put") {
    cmd.usage = "shoal dht put <key> <value> --via HOST:PORT [--ttl-sec S]";
    cmd.description =
        "Stores <value> under <key> for --ttl-sec seconds (putting it again refreshes it)\n"
        "and prints {key, owner_id, owner, hops} as JSON.";
  } else if (verb == "get") {
    cmd.usage = "shoal dht get <key> --via HOST:PORT";
    cmd.description = "Prints the values stored under <key> as a JSON array, freshest first.";
  } else {
    cmd.usage = "shoal dht stats --via HOST:PORT";
    cmd.description = "Prints the node's counters and ring state as JSON.";
  }
  cmd.hidden.add_options()("key", po::value(&key))("value", po::value(&value));
  if (verb != "stats") cmd.positional.add("key", 1);
  if (verb == "put") cmd.positional.add("value", 1);
  cmd.options.add_options()("via", po::value(&via)->required(),
                            "HOST:PORT of any node of the ring");
  if (verb == "put")
    cmd.options.add_options()("ttl-sec", po::value(&ttl_sec)->default_value(60),
                              "seconds the value lives unless put again");
  po::variables_map vm;
  if (auto code = parse(cmd, args, vm)) return *code;
  if ((verb != "stats" && key.empty()) || (verb == "put" && value.empty())) {
    std::cerr << "Usage: " << cmd.usage << "\n";
    return 2;
  }
  if (key.size() > kMaxKeyBytes || value.size() > kMaxValueBytes || ttl_sec < 1) {
    std::cerr << "shoal dht " << verb << ": keys and values are at most 256 bytes, "
              << "--ttl-sec at least 1\n";
    return 2;
  }
  const auto node = Endpoint::parse(via);
  if (!node) {
    std::cerr << "shoal dht " << verb << ": --via: " << node.error() << "\n";
    return 2;
  }
  boost::asio::io_context io;
  auto client = DhtClient::open(io, *node);
  if (!client) {
    std::cerr << "shoal dht " << verb << ": --via: " << client.error() << "\n";
    return 2;
  }
  DhtMessage question = StatsMsg{};
  if (verb == "lookup") question = LookupMsg{key};
  if (verb == "put") question = PutMsg{key, value, static_cast<uint32_t>(ttl_sec)};
  if (verb == "get") question = GetMsg{key};
  int code = 1;
  (*client)->ask(question, [&](Result<DhtMessage> answer) {
    io.stop();
    if (!answer) {
      std::cerr << "shoal dht " << verb << ": " << answer.error() << "\n";
      return;
    }
    std::visit(
        [&](const auto& m) {
          using T = std::decay_t<decltype(m)>;
          if constexpr (std::is_same_v<T, LookupResultMsg> || std::is_same_v<T, PutResultMsg>) {
            std::cout << owner_json(m.key, m.owner, m.hops).dump() << std::endl;
            code = 0;
          } else if constexpr (std::is_same_v<T, GetResultMsg>) {
            std::cout << json(m.values).dump() << std::endl;
            code = 0;
          } else if constexpr (std::is_same_v<T, StatsResultMsg>) {
            std::cout << m.json << std::endl;
            code = 0;
          } else if constexpr (std::is_same_v<T, DhtErrorMsg>) {
            std::cerr << "shoal dht " << verb << ": " << via << " answered: " << m.reason << "\n";
          } else {
            std::cerr << "shoal dht " << verb << ": unexpected " << dht_message_name(m) << "\n";
          }
        },
        *answer);
  });
  io.run();
  return code;
}

}  // namespace

int dht_main(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "bench") return dht_bench_main({args.begin() + 1, args.end()});
  if (!args.empty() &&
      (args[0] == "lookup" || args[0] == "put" || args[0] == "get" || args[0] == "stats")) {
    return ask_main(args[0], {args.begin() + 1, args.end()});
  }
  set_log_name("shoal dht");
  Command cmd;
  cmd.usage =
      "shoal dht [--listen HOST:PORT] [--bootstrap HOST:PORT] [--id-bits M] [--node-id N]\n"
      "       shoal dht lookup|put|get|stats ... --via HOST:PORT   (see shoal dht lookup --help)\n"
      "       shoal dht bench [--nodes 256]   (a benchmark; see shoal dht bench --help)";
  cmd.description =
      "Runs a node of the Chord DHT on UDP: sources and viewers find a channel's swarm\n"
      "through it with no tracker. With --bootstrap it joins the ring that node belongs\n"
      "to; without, it starts a new ring. The first line on stdout is its id (decimal) and\n"
      "address; logs go to stderr. SIGINT or SIGTERM makes it leave the ring, handing its\n"
      "keys to its successor; SIGKILL loses nothing either, as values are replicated on\n"
      "the successors.";
  std::string listen, bootstrap, node_id, stats_path;
  DhtServerConfig config;
  int stabilize_ms = 500;
  cmd.options.add_options()("listen", po::value(&listen)->default_value("127.0.0.1:0"),
                            "HOST:PORT (UDP) to answer on; port 0 picks a free port")(
      "bootstrap", po::value(&bootstrap), "HOST:PORT of any node of the ring to join")(
      "id-bits", po::value(&config.id_bits)->default_value(160),
      "size of the identifier circle, 3 to 160 bits (small rings for checking by hand)")(
      "node-id", po::value(&node_id),
      "this node's id, a decimal number below 2^id-bits (default: SHA-1 of its address)")(
      "successors", po::value(&config.chord.successors)->default_value(3),
      "successor-list length r, at least 2; values are copied to the r successors")(
      "stabilize-ms", po::value(&stabilize_ms)->default_value(500),
      "how often the node checks its successor and predecessor, ms")(
      "stats-json", po::value(&stats_path),
      "write the node's stats as JSON here on exit (also: shoal dht stats --via)");
  po::variables_map vm;
  if (auto code = parse(cmd, args, vm)) return *code;
  if (config.chord.successors < 2 || config.chord.successors > kMaxSuccessors ||
      stabilize_ms < 10) {
    std::cerr << "shoal dht: --successors must be 2 to 16 and --stabilize-ms at least 10\n";
    return 2;
  }
  const auto at = Endpoint::parse(listen);
  if (!at) {
    std::cerr << "shoal dht: --listen: " << at.error() << "\n";
    return 2;
  }
  config.listen = *at;
  if (vm.count("bootstrap")) {
    const auto to = Endpoint::parse(bootstrap);
    if (!to) {
      std::cerr << "shoal dht: --bootstrap: " << to.error() << "\n";
      return 2;
    }
    config.bootstrap = *to;
  }
  if (vm.count("node-id")) config.node_id = node_id;
  config.chord.stabilize_interval = std::chrono::milliseconds(stabilize_ms);
  config.chord.fix_fingers_interval = 2 * config.chord.stabilize_interval;
  config.chord.seed = std::random_device{}();
  config.stats_text = dht_stats_text;

  boost::asio::io_context io;
  auto server = DhtServer::start(io, config);
  if (!server) {
    std::cerr << "shoal dht: " << server.error() << "\n";
    return 2;
  }
  const DhtNode& self = (*server)->node().self();
  std::cout << self.id.to_string() << " " << self.address << std::endl;
  log_line(
      "node " + self.id.to_string() + " on " + self.address +
      (config.bootstrap ? ", joining through " + config.bootstrap->to_string() : ", a new ring"));
  // Its keys go to its successor within 500 ms; a ring that does not
  // answer cannot keep it longer than the grace.
  Shutdown shutdown(io, std::chrono::milliseconds(1000), [&](const std::string& why) {
    log_line(why + "; leaving the ring");
    (*server)->leave(std::chrono::milliseconds(500), [] {});
  });
  MemoryTrim trim(io);
  io.run();
  if (!stats_path.empty()) write_json_file(stats_path, dht_stats_json((*server)->node()));
  return 0;
}

}  // namespace shoal::cli
