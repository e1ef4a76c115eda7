// `shoal tracker`: where the peers of a channel find each other.
#include <boost/asio.hpp>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "media/log.h"
#include "overlay/tracker_server.h"
#include "tools/cli.h"

namespace shoal::cli {

int tracker_main(const std::vector<std::string>& args) {
  set_log_name("shoal tracker");
  Command cmd;
  cmd.usage = "shoal tracker [--listen HOST:PORT] [options]";
  cmd.description =
      "Runs a tracker: sources and viewers announce themselves and get back a random\n"
      "subset of the other live nodes of their channel. The first line on stdout is the\n"
      "address it listens on (put it in the channel URI with `shoal source --tracker`).";
  std::string listen, stats_path;
  int ttl_sec = 30;
  size_t max_reply = 50;
  cmd.options.add_options()("listen", po::value(&listen)->default_value("127.0.0.1:7070"),
                            "HOST:PORT to listen on; port 0 picks a free port")(
      "ttl-sec", po::value(&ttl_sec)->default_value(30),
      "seconds an announce stays live without being renewed")(
      "max-reply", po::value(&max_reply)->default_value(50), "most peers returned per announce")(
      "stats-json", po::value(&stats_path), "write the tracker's stats as JSON here on exit");
  po::variables_map vm;
  if (auto code = parse(cmd, args, vm)) return *code;
  auto at = Endpoint::parse(listen);
  if (!at) {
    std::cerr << "shoal tracker: " << at.error() << "\n";
    return 2;
  }
  if (ttl_sec < 3 || max_reply < 1) {
    std::cerr << "shoal tracker: --ttl-sec must be at least 3 and --max-reply at least 1\n";
    return 2;
  }

  boost::asio::io_context io;
  auto listener = Listener::open(io, *at);
  if (!listener) {
    std::cerr << "shoal tracker: " << listener.error() << "\n";
    return 1;
  }
  const Endpoint bound = (*listener)->local();
  std::random_device random;
  TrackerServer tracker(io,
                        TrackerConfig{.ttl = std::chrono::seconds(ttl_sec), .max_reply = max_reply},
                        TrackerLimits{}, uint64_t{random()} << 32 | random());
  tracker.serve(std::move(*listener));
  std::cout << bound.to_string() << std::endl;
  log_line("tracking channels on " + bound.to_string());

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    log_line("stopping");
    tracker.stop();
  });
  io.run();
  const TrackerStats s = tracker.stats();
  log_line(std::to_string(s.announces) + " announces, " + std::to_string(s.errors) +
           " errors, " + std::to_string(s.refused) + " connections refused");
  if (!stats_path.empty()) {
    std::ofstream(stats_path) << nlohmann::json{{"announces", s.announces},
                                                {"errors", s.errors},
                                                {"refused", s.refused},
                                                {"channels", s.channels}}
                                     .dump(2)
                              << "\n";
  }
  return 0;
}

}  // namespace shoal::cli
