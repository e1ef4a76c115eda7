// `shoal tracker`: where the sources and viewers of a channel find each other.
#include <boost/asio.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "media/log.h"
#include "overlay/tracker/tracker_server.h"
#include "tools/cli.h"
#include "tools/memory_trim.h"
#include "tools/shutdown.h"

namespace shoal::cli {
namespace {

nlohmann::json to_json(const TrackerStats& s) {
  return {{"announces", s.announces},     {"errors", s.errors}, {"refused", s.refused},
          {"channels", s.channels},       {"peers", s.peers},   {"connections", s.connections}};
}

// An IP address (or localhost) and a port: what a tracker can bind.
Result<Endpoint> parse_listen(const std::string& text) {
  auto at = Endpoint::parse(text);
  if (!at) return at;
  boost::system::error_code ec;
  if (at->host != "localhost") boost::asio::ip::make_address(at->host, ec);
  if (ec) return Error{"'" + at->host + "' is not an IP address (e.g. 127.0.0.1 or 0.0.0.0)"};
  return at;
}

}  // namespace

int tracker_main(const std::vector<std::string>& args) {
  set_log_name("shoal tracker");
  Command cmd;
  cmd.usage = "shoal tracker [--listen HOST:PORT] [options]";
  cmd.description =
      "Runs a tracker: sources and viewers announce themselves and get back a random\n"
      "subset of the other live nodes of their channel. The first line on stdout is the\n"
      "address it listens on (give it to `shoal source --tracker`); logs go to stderr.\n"
      "SIGINT or SIGTERM stops it and writes --stats-json.";
  std::string listen, stats_path;
  int ttl_sec = 30;
  size_t max_reply = 50, max_per_address = 8;
  cmd.options.add_options()(
      "listen", po::value(&listen)->default_value("127.0.0.1:7070"),
      "HOST:PORT to listen on; loopback only by default, 0.0.0.0:7070 serves other machines; "
      "port 0 picks a free port")("ttl-sec", po::value(&ttl_sec)->default_value(30),
                                  "seconds an announce stays live; nodes re-announce every "
                                  "third of it")(
      "max-reply", po::value(&max_reply)->default_value(50), "most peers returned per announce")(
      "max-per-address", po::value(&max_per_address)->default_value(8),
      kMaxPerAddressHelp)("stats-json", po::value(&stats_path),
                                               "write the tracker's stats as JSON here on exit");
  po::variables_map vm;
  if (auto code = parse(cmd, args, vm)) return *code;
  auto at = parse_listen(listen);
  if (!at) {
    std::cerr << "shoal tracker: --listen: " << at.error() << "\n";
    return 2;
  }
  if (ttl_sec < 3 || max_reply < 1 || max_per_address < 1) {
    std::cerr << "shoal tracker: --ttl-sec must be at least 3, --max-reply and "
                 "--max-per-address at least 1\n";
    return 2;
  }

  boost::asio::io_context io;
  std::random_device random;
  TrackerServer tracker(io, TrackerServerConfig{.registry = {.ttl = std::chrono::seconds(ttl_sec),
                                                             .max_reply = max_reply},
                                                .limits = {.max_per_address = max_per_address},
                                                .seed = uint64_t{random()} << 32 | random()});
  const auto bound = tracker.listen(*at);
  if (!bound) {
    std::cerr << "shoal tracker: " << bound.error() << "\n";
    return 1;
  }
  std::cout << bound->to_string() << std::endl;
  log_line("tracking channels on " + bound->to_string());

  Shutdown shutdown(io, std::chrono::milliseconds(500), [&](const std::string& why) {
    log_line(why + "; stopping");
    tracker.stop();
  });
  MemoryTrim trim(io);
  io.run();
  const TrackerStats s = tracker.stats();
  log_line(std::to_string(s.announces) + " announces answered, " + std::to_string(s.errors) +
           " errors, " + std::to_string(s.refused) + " connections refused");
  if (!stats_path.empty()) write_json_file(stats_path, to_json(s));
  return 0;
}

}  // namespace shoal::cli
