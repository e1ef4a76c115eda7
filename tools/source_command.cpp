// `shoal source`: broadcast a live channel.
#include <boost/asio.hpp>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "http/http_server.h"
#include "http/prometheus.h"
#include "http/web_pages.h"
#include "media/log.h"
#include "overlay/net/outward_address.h"
#include "overlay/wire/channel_uri.h"
#include "overlay/dht/dht_announcer.h"
#include "overlay/net/dial.h"
#include "overlay/tracker/tracker_client.h"
#include "source/source_node.h"
#include "source/source_state.h"
#include "tools/cli.h"
#include "tools/memory_trim.h"
#include "tools/shutdown.h"

namespace shoal::cli {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

std::string default_key_path() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) {
    return std::string(xdg) + "/shoal/source.key";
  }
  if (const char* home = std::getenv("HOME"); home && *home) {
    return std::string(home) + "/.config/shoal/source.key";
  }
  return "shoal-source.key";
}

// Logs how the broadcast is going every five seconds.

// What the broadcaster sees every 5 s: viewers, its upload (and as copies
// of the stream), what the swarm delivered, and the share peers took on.
void report_every(asio::steady_timer& timer, const SourceNode& node, uint64_t last_bytes) {
  timer.expires_after(5s);
  timer.async_wait([&timer, &node, last_bytes](boost::system::error_code ec) {
    if (ec) return;
    const SourceStats s = node.stats();
    const double kbps = static_cast<double>(s.bytes_uploaded - last_bytes) * 8 / 5 / 1000;
    std::ostringstream line;
    line.precision(2);
    line << std::fixed << s.viewers << " viewers, uploading " << static_cast<int>(kbps) << " kbit/s";
    if (s.media_ms_published > 0 && s.chunk_bytes_published > 0) {
      const double stream_kbps = static_cast<double>(s.chunk_bytes_published) * 8 /
                                 static_cast<double>(s.media_ms_published);
      line << " (" << kbps / stream_kbps << " copies of the stream)";
    }
    line << ", delivered " << s.bytes_delivered / 1'000'000 << " MB";
    if (const auto offload = s.offload()) line << ", offload " << static_cast<int>(*offload * 100) << " %";
    log_line(line.str());
    report_every(timer, node, s.bytes_uploaded);
  });
}

}  // namespace

int source_main(const std::vector<std::string>& args) {
  set_log_name("shoal source");
  Command cmd;
  cmd.usage = "shoal source --input <file|URL|testsrc> [options]";
  cmd.description =
      "Broadcasts a live channel. The first line on stdout is the channel URI viewers join\n"
      "with `shoal peer`; logs go to stderr. The channel id is the public key in --key,\n"
      "created on first use, so the URI stays the same across broadcasts.";
  std::string input, listen, key_path, bitrate, stats_path, public_host, upload_limit,
      repair_share_text, http_at;
  SourceOptions o;
  int chunk_ms = static_cast<int>(o.chunk.count()), window_sec = static_cast<int>(o.window.count()),
      linger_sec = 10, latency_ms = 0;
  cmd.options.add_options()(
      "input", po::value(&input)->required(),
      "media file (MP4, MKV, TS, FLV...), URL, 'testsrc' for the built-in test pattern, or a "
      "publisher's stream: rtmp://HOST:PORT/APP/KEY (this source is the RTMP server OBS publishes "
      "to) or 'srt://HOST:PORT?mode=listener'; the channel stays up while the publisher is away")(
      "listen", po::value(&listen)->default_value("[::]:0"),
      "HOST:PORT to serve viewers on ([::]: every interface, IPv4 and IPv6); port 0 picks a "
      "free port")(
      "public-host", po::value(&public_host),
      "host name or address viewers should dial, put in the channel URI (default: the --listen "
      "host, or for every interface this machine's address on its route to the internet)")(
      "key", po::value(&key_path)->default_value(default_key_path()), "channel key file")(
      "chunk-ms", po::value(&chunk_ms)->default_value(chunk_ms), "target chunk duration, ms")(
      "bitrate", po::value(&bitrate)->default_value("1M"),
      "video bit rate when encoding (testsrc or transcoding), e.g. 800k")(
      "fast", po::bool_switch(), "read a file as fast as possible instead of at real time")(
      "loop", po::bool_switch(), "start a file input over when it ends")(
      "window-sec", po::value(&window_sec)->default_value(window_sec),
      "seconds of chunks kept to serve")(
      "linger-sec", po::value(&linger_sec)->default_value(10),
      "seconds to keep serving after the input ends")(
      "stats-json", po::value(&stats_path), "write the source's stats as JSON here on exit")(
      "http", po::value(&http_at),
      "HOST:PORT to serve the broadcaster's view on: / (a status page), /stats.json, "
      "/metrics (Prometheus)")(
      "upload-limit", po::value(&upload_limit)->default_value("none"),
      "upload capacity: none, a bit rate (8M) or a multiple of the stream rate (4x)")(
      "repair-share", po::value(&repair_share_text)->default_value("0.3x"), kRepairShareHelp)(
      "tracker", po::value<std::string>(),
      "HOST:PORT of a tracker to announce the channel to; it goes into the URI")(
      "dht", po::value<std::string>(),
      "HOST:PORT of a DHT node (shoal dht) to announce the channel on; it goes into the URI, "
      "and viewers find each other there with no tracker")(
      "max-per-address",
      po::value(&o.limits.max_per_address)->default_value(o.limits.max_per_address),
      kMaxPerAddressHelp)("latency-ms", po::value(&latency_ms)->default_value(0),
                          "emulated one-way latency, ms: everything received waits this long (testing a swarm on "
      "one machine as if its nodes were apart)");
  po::variables_map vm;
  if (auto code = parse(cmd, args, vm)) return *code;

  auto rate = parse_bitrate(bitrate);
  auto at = Endpoint::parse(listen);
  auto limit = parse_upload_limit(upload_limit);
  if (!limit || limit->bytes_per_second == 0.0) {
    std::cerr << "shoal source: " << (limit ? "--upload-limit 0 would serve nobody" : limit.error())
              << "\n";
    return 2;
  }
  const auto repair_share = parse_repair_share(repair_share_text);
  if (!repair_share) {
    std::cerr << "shoal source: --repair-share: " << repair_share.error() << "\n";
    return 2;
  }
  const auto tracker = optional_endpoint(vm, "tracker");
  const auto dht = optional_endpoint(vm, "dht");
  for (const auto* found : {&tracker, &dht}) {
    if (!*found) {
      std::cerr << "shoal source: " << found->error() << "\n";
      return 2;
    }
  }
  for (const std::string* error : {rate ? nullptr : &rate.error(), at ? nullptr : &at.error()}) {
    if (error) {
      std::cerr << "shoal source: " << *error << "\n";
      return 2;
    }
  }
  if (chunk_ms < 100 || chunk_ms > 10000 || window_sec < 5 || latency_ms < 0 ||
      latency_ms > 10000) {
    std::cerr << "shoal source: --chunk-ms must be 100..10000, --window-sec at least 5 and "
                 "--latency-ms 0..10000\n";
    return 2;
  }
  if (o.limits.max_per_address < 1) {
    std::cerr << "shoal source: --max-per-address must be at least 1\n";
    return 2;
  }
  auto key = ChannelKey::load_or_create(key_path);
  if (!key) {
    std::cerr << "shoal source: " << key.error() << "\n";
    return 1;
  }
  // A channel broadcast before goes on where it stood (source_state.h).
  const std::string state_path = state_path_for(key_path);
  auto resume = load_position(state_path);
  if (!resume) {
    std::cerr << "shoal source: " << resume.error() << "\n";
    return 1;
  }
  auto ingest = Ingest::open({.input = input,
                              .chunk_target = std::chrono::milliseconds(chunk_ms),
                              .video_bitrate = *rate,
                              .realtime = !vm["fast"].as<bool>(),
                              .loop = vm["loop"].as<bool>(),
                              .resume = *resume});
  if (!ingest) {
    std::cerr << "shoal source: " << ingest.error() << "\n";
    return 1;
  }
  log_line("input: " + (*ingest)->describe());
  if (*resume) log_line("the channel goes on from chunk " + std::to_string((*resume)->next_seq.value));

  asio::io_context io;
  auto listener = Listener::open(io, *at);
  if (!listener) {
    std::cerr << "shoal source: " << listener.error() << "\n";
    return 1;
  }
  const Endpoint bound = (*listener)->local();
  std::random_device random;
  o.self = PeerId(uint64_t{random()} << 32 | random());
  o.seed = uint64_t{random()} << 32 | random();
  o.chunk = std::chrono::milliseconds(chunk_ms);
  o.window = std::chrono::seconds(window_sec);
  o.repair_share = *repair_share;
  o.upload = *limit;
  SourceNode node(io, *key, o, std::move(*listener), std::chrono::milliseconds(latency_ms));
  std::unique_ptr<HttpServer> http;
  if (vm.count("http")) {
    auto at_http = Endpoint::parse(http_at);
    if (!at_http) {
      std::cerr << "shoal source: --http: " << at_http.error() << "\n";
      return 2;
    }
    auto opened = HttpServer::open(io, *at_http, [&](const std::string& path) -> std::optional<HttpServer::Page> {
      if (path == "/stats.json") return HttpServer::Page{"application/json", node.stats().to_json().dump() + "\n"};
      if (path == "/metrics") {
        return HttpServer::Page{"text/plain; version=0.0.4", prometheus_text(node.stats().to_json(), "shoal_source")};
      }
      if (path == "/") return HttpServer::Page{"text/html; charset=utf-8", std::string(kSourcePage)};
      return std::nullopt;
    });
    if (!opened) {
      std::cerr << "shoal source: " << opened.error() << "\n";
      return 1;
    }
    http = std::move(*opened);
    log_line("status page on http://" + http->local().to_string() + "/");
  }
  Endpoint dial = bound;
  if (vm.count("public-host")) {
    dial.host = public_host;
  } else if (dial.host == "0.0.0.0" || dial.host == "::") {
    dial.host = outward_address().value_or("127.0.0.1");
  }
  std::cout << ChannelUri{key->channel(), dial, *tracker, *dht}.to_string() << std::endl;
  std::optional<TrackerClient> announcer;
  if (*tracker) {
    // The tracker says where it sees us: a URI naming another address may
    // be one viewers cannot reach (a NAT's inside, another interface).
    announcer.emplace(
        io, **tracker, AnnounceMsg{kProtocolVersion, key->channel(), o.self, bound.port},
        [&, told = false](std::vector<Endpoint>) mutable {
          const std::string& seen = announcer->seen_as();
          if (told || seen.empty() || seen == dial.host || vm.count("public-host")) return;
          told = true;
          log_line("the tracker sees this source at " + seen + ", the channel URI says " +
                   dial.host + ": if viewers cannot reach that, run with --public-host " + seen +
                   " (behind a NAT, forward port " + std::to_string(bound.port) + " to here)");
        },
        dial_from(bound));
    announcer->start();
  }
  std::unique_ptr<DhtAnnouncer> dht_announcer;
  if (*dht) {
    auto opened = DhtAnnouncer::open(io, **dht, key->channel(), dial, [](std::vector<Endpoint>) {});
    if (!opened) {
      std::cerr << "shoal source: --dht: " << opened.error() << "\n";
      return 2;
    }
    dht_announcer = std::move(*opened);
    dht_announcer->start();
  }
  log_line("serving viewers on " + bound.to_string());

  int exit_code = 0;
  asio::steady_timer linger(io), status(io);
  // BYE to every viewer; a second or so lets the BYEs out.
  Shutdown shutdown(io, std::chrono::milliseconds(1000), [&](const std::string& why) {
    log_line(why + "; stopping");
    linger.cancel();
    status.cancel();
    if (announcer) announcer->stop();
    if (dht_announcer) dht_announcer->stop();
    http.reset();
    node.stop();
  });
  const auto on_end = [&](Result<std::monostate> result) {
    if (shutdown.begun()) return;
    if (!result) {
      log_line("input failed: " + result.error());
      exit_code = 1;
    }
    log_line("input ended; serving the window for " + std::to_string(linger_sec) + " s more");
    linger.expires_after(std::chrono::seconds(linger_sec));
    linger.async_wait([&](boost::system::error_code ec) {
      if (!ec) shutdown.begin("window served");
    });
  };
  node.broadcast(std::move(*ingest), on_end, state_path);
  report_every(status, node, 0);
  MemoryTrim trim(io);
  io.run();
  if (!stats_path.empty()) write_json_file(stats_path, node.stats().to_json());
  return exit_code;
}

}  // namespace shoal::cli
