// `shoal peer`: join a channel and play it.
#include <boost/asio.hpp>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "media/log.h"
#include "peer/peer_node.h"
#include "peer/peer_report.h"
#include "player/player.h"
#include "tools/cli.h"

namespace shoal::cli {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Logs what the player's bus says, a few times a second.
void poll_player(asio::steady_timer& timer, Player& player) {
  timer.expires_after(200ms);
  timer.async_wait([&timer, &player](boost::system::error_code ec) {
    if (ec) return;
    for (const auto& m : player.poll_messages()) log_line("player: " + m);
    poll_player(timer, player);
  });
}

}  // namespace

int peer_main(const std::vector<std::string>& args) {
  set_log_name("shoal peer");
  Command cmd;
  cmd.usage = "shoal peer <channel-uri> [options]";
  cmd.description =
      "Joins a channel and plays it. On exit (end of --duration, Ctrl-C or SIGTERM) it\n"
      "writes its stats (startup delay, continuity, lag, traffic) to --stats-json.";
  std::string uri_text, sink, record_path, stats_path;
  double duration = 0;
  int lag_ms = 1500;
  cmd.hidden.add_options()("uri", po::value(&uri_text)->required(), "channel URI");
  cmd.positional.add("uri", 1);
  cmd.options.add_options()("sink", po::value(&sink)->default_value("auto"),
                            "auto: play in a window with sound; fake: decode only (headless)")(
      "record", po::value(&record_path), "write the chunks played, as MPEG-TS, to this file")(
      "duration", po::value(&duration)->default_value(0),
      "seconds to watch before leaving (0: until interrupted)")(
      "stats-json", po::value(&stats_path), "write stats as JSON to this file on exit")(
      "lag-ms", po::value(&lag_ms)->default_value(1500),
      "how far behind the live edge to play, ms");
  po::variables_map vm;
  if (auto code = parse(cmd, args, vm)) return *code;

  auto uri = ChannelUri::parse(uri_text);
  if (!uri) {
    std::cerr << "shoal peer: " << uri.error() << "\n";
    return 2;
  }
  if (sink != "auto" && sink != "fake") {
    std::cerr << "shoal peer: --sink must be auto or fake, not '" << sink << "'\n";
    return 2;
  }
  if (duration < 0 || lag_ms < 100) {
    std::cerr << "shoal peer: --duration must be >= 0 and --lag-ms at least 100\n";
    return 2;
  }
  std::ofstream record;
  if (vm.count("record")) {
    record.open(record_path, std::ios::binary | std::ios::trunc);
    if (!record) {
      std::cerr << "shoal peer: cannot write " << record_path << "\n";
      return 1;
    }
  }
  auto player = Player::create(sink == "fake" ? SinkKind::kFake : SinkKind::kAuto);
  if (!player) {
    std::cerr << "shoal peer: " << player.error() << "\n";
    return 1;
  }

  const auto joined = std::chrono::steady_clock::now();
  asio::io_context io;
  std::random_device random;
  PeerConfig config{.channel = uri->channel,
                    .self = PeerId(uint64_t{random()} << 32 | random()),
                    .lag = std::chrono::milliseconds(lag_ms)};
  PeerNode node(io, *uri, config, [&](const Chunk& chunk) {
    (*player)->push(chunk.payload);
    if (record.is_open()) {
      record.write(reinterpret_cast<const char*>(chunk.payload.data()),
                   static_cast<std::streamsize>(chunk.payload.size()));
    }
  });
  node.start();

  asio::steady_timer bus(io), end(io);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  const auto leave = [&](const std::string& why) {
    log_line(why);
    signals.cancel();
    end.cancel();
    node.stop();
    // Let the BYEs go out and the decoder finish the last chunk.
    bus.expires_after(300ms);
    bus.async_wait([&](boost::system::error_code) { io.stop(); });
  };
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (!ec) leave("interrupted; leaving");
  });
  if (duration > 0) {
    end.expires_after(std::chrono::milliseconds(static_cast<int64_t>(duration * 1000)));
    end.async_wait([&](boost::system::error_code ec) {
      if (!ec) {
        std::ostringstream why;
        why << "watched for " << duration << " s; leaving";
        leave(why.str());
      }
    });
  }
  poll_player(bus, **player);
  io.run();

  PeerReport report = PeerReport::from(node.engine().stats(), node.traffic());
  report.frames_decoded = (*player)->frames_decoded();
  if (const auto first = (*player)->first_frame_time()) {
    report.startup_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(*first - joined).count();
  }
  const auto json = report.to_json();
  log_line("frames " + std::to_string(report.frames_decoded) + ", chunks on time " +
           std::to_string(report.chunks_on_time) + "/" + std::to_string(report.chunks_due) +
           ", rejected " + std::to_string(report.chunks_rejected) + ", startup " +
           json["startup_ms"].dump() + " ms");
  if (!stats_path.empty()) std::ofstream(stats_path) << json.dump(2) << "\n";
  return 0;
}

}  // namespace shoal::cli
