// `shoal peer`: join a channel and play it.
#include <algorithm>
#include <boost/asio.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

#include "media/log.h"
#include "http/hls_playlist.h"
#include "http/http_server.h"
#include "http/prometheus.h"
#include "http/web_pages.h"
#include "overlay/dht/dht_announcer.h"
#include "overlay/wire/channel_uri.h"
#include "overlay/net/dial.h"
#include "overlay/net/outward_address.h"
#include "overlay/net/port_mapper.h"
#include "overlay/tracker/tracker_client.h"
#include "peer/hostility.h"
#include "peer/peer_node.h"
#include "peer/peer_options.h"
#include "peer/peer_report.h"
#include "player/player.h"
#include "tools/cli.h"
#include "tools/memory_trim.h"
#include "tools/shutdown.h"

namespace shoal::cli {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Every second: logs what the player's bus said and does the chores
// (refreshing the stats file, so that even a peer killed outright leaves
// figures behind).
struct Housekeeping {
  asio::steady_timer timer;
  Player& player;
  std::function<void()> chores;

  void every_second() {
    timer.expires_after(1s);
    timer.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      for (const auto& m : player.poll_messages()) log_line("player: " + m);
      chores();
      every_second();
    });
  }
};

bool unspecified(const std::string& host) { return host == "::" || host == "0.0.0.0"; }

std::optional<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool is_loopback(const std::string& host) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(host, ec);
  return !ec && ip.is_loopback();
}

}  // namespace

int peer_main(const std::vector<std::string>& args) {
  set_log_name("shoal peer");
  Command cmd;
  cmd.usage = "shoal peer <channel-uri> [options]";
  cmd.description =
      "Joins a channel and plays it, fetching chunks from other viewers and serving them\n"
      "in turn. Its stats (startup delay, continuity, lag, traffic) go to --stats-json,\n"
      "refreshed every second and written in full on exit (end of --duration, Ctrl-C or\n"
      "SIGTERM).";
  std::string uri_text, sink, record_path, played_path, stats_path, listen, upload_limit,
      public_host, http_at, hostile;
  double duration = 0;
  int latency_ms = 0;
  PeerOptions o;
  int lag_ms = static_cast<int>(o.lag.count());
  cmd.hidden.add_options()("uri", po::value(&uri_text)->required(), "channel URI");
  cmd.positional.add("uri", 1);
  cmd.options.add_options()(
      "sink", po::value(&sink)->default_value("auto"),
      "auto: play in a window with sound; fake: decode only (headless); none: no decoder, "
      "chunks played out on time undecoded (many viewers on one machine)")(
      "record", po::value(&record_path), "write the chunks played, as MPEG-TS, to this file")(
      "http", po::value(&http_at),
      "HOST:PORT to serve other players on: /stream.ts (MPEG-TS, for VLC, mpv, ffplay), "
      "/live.m3u8 (HLS), /stats.json, /metrics (Prometheus); with --sink none, a headless "
      "relay")(
      "played", po::value(&played_path),
      "write a line per chunk as it plays, '<seq> <capture time, ms since the epoch on the "
      "source's clock>', to this file (- for stdout)")(
      "duration", po::value(&duration)->default_value(0),
      "seconds to watch before leaving (0: until interrupted)")(
      "stats-json", po::value(&stats_path), "write stats as JSON to this file")(
      "lag-ms", po::value(&lag_ms)->default_value(lag_ms),
      "how far behind the live edge to play, ms")(
      "listen", po::value(&listen)->default_value("[::]:0"),
      "HOST:PORT to accept other viewers on ([::]: every interface, IPv4 and IPv6); port 0 "
      "picks a free port")(
      "no-port-mapping", po::bool_switch(),
      "do not ask the home router (UPnP-IGD, NAT-PMP) to forward the listening port")(
      "public-host", po::value(&public_host),
      "host other viewers should dial, announced to the DHT (default: the address the source "
      "sees this viewer at)")(
      "upload-limit", po::value(&upload_limit)->default_value("none"),
      "upload capacity: none, 0 (upload nothing), a bit rate (2M), or a multiple of the "
      "stream rate (1.5x)")(
      "neighbours", po::value(&o.neighbours)->default_value(o.neighbours),
      "at most how many other viewers to keep as neighbours; it dials half of them and "
      "leaves room for viewers who come later")(
      "max-per-address",
      po::value(&o.limits.max_per_address)->default_value(o.limits.max_per_address),
      kMaxPerAddressHelp)(
      "dht", po::value<std::string>(),
      "HOST:PORT of a DHT node (shoal dht) where this channel's viewers are found (default: the "
      "URI's dht=)")(
      "client-server", po::bool_switch(),
      "fetch everything from the source and nothing from other viewers (the baseline)")(
      "latency-ms", po::value(&latency_ms)->default_value(0),
      "emulated one-way latency, ms: everything received waits this long (testing a swarm on "
      "one machine as if its nodes were apart)")(
      "hostile", po::value(&hostile),
      "misbehave, to test other viewers' defences: forge (bad pieces), liar (advertise chunks, "
      "never send), slow (accept requests, trickle), flood (request and reconnect storms), "
      "garbage (malformed messages) or sybil (unreachable addresses to PEX, the tracker and the "
      "DHT)");
  po::variables_map vm;
  if (auto code = parse(cmd, args, vm)) return *code;

  auto uri = ChannelUri::parse(uri_text);
  auto at = Endpoint::parse(listen);
  auto limit = parse_upload_limit(upload_limit);
  for (const std::string* error : {uri ? nullptr : &uri.error(), at ? nullptr : &at.error(),
                                   limit ? nullptr : &limit.error()}) {
    if (error) {
      std::cerr << "shoal peer: " << *error << "\n";
      return 2;
    }
  }
  if (!hostile.empty()) {
    o.hostile = parse_offence(hostile);
    if (!o.hostile) {
      std::cerr << "shoal peer: --hostile must be forge, liar, slow, flood, garbage or sybil, not '"
                << hostile << "'\n";
      return 2;
    }
  }
  const std::map<std::string, SinkKind> sinks = {
      {"auto", SinkKind::kAuto}, {"fake", SinkKind::kFake}, {"none", SinkKind::kNone}};
  if (!sinks.contains(sink)) {
    std::cerr << "shoal peer: --sink must be auto, fake or none, not '" << sink << "'\n";
    return 2;
  }
  if (duration < 0 || lag_ms < 100 || o.neighbours < 1 || o.neighbours > 100 ||
      o.limits.max_per_address < 1 || latency_ms < 0 || latency_ms > 10000) {
    std::cerr << "shoal peer: --duration must be >= 0, --lag-ms at least 100, "
                 "--neighbours 1..100, --max-per-address at least 1 and --latency-ms 0..10000\n";
    return 2;
  }
  const auto dht_option = optional_endpoint(vm, "dht");
  if (!dht_option) {
    std::cerr << "shoal peer: " << dht_option.error() << "\n";
    return 2;
  }
  const std::optional<Endpoint> dht = *dht_option ? *dht_option : uri->dht;
  std::ofstream record;
  if (vm.count("record")) {
    record.open(record_path, std::ios::binary | std::ios::trunc);
    if (!record) {
      std::cerr << "shoal peer: cannot write " << record_path << "\n";
      return 1;
    }
  }
  std::ofstream played_file;
  if (vm.count("played") && played_path != "-") {
    played_file.open(played_path, std::ios::trunc);
    if (!played_file) {
      std::cerr << "shoal peer: cannot write " << played_path << "\n";
      return 1;
    }
  }
  std::ostream* played = vm.count("played") ? (played_path == "-" ? &std::cout : &played_file) : nullptr;
  std::optional<Endpoint> http_endpoint;
  if (vm.count("http")) {
    auto parsed = Endpoint::parse(http_at);
    if (!parsed) {
      std::cerr << "shoal peer: --http: " << parsed.error() << "\n";
      return 2;
    }
    http_endpoint = *parsed;
  }
  auto player = Player::create(sinks.at(sink));
  if (!player) {
    std::cerr << "shoal peer: " << player.error() << "\n";
    return 1;
  }

  const auto joined = std::chrono::steady_clock::now();
  asio::io_context io;
  std::unique_ptr<HttpServer> http;  // set below, once the node exists
  HlsPlaylist hls;
  o.client_server = vm["client-server"].as<bool>();
  std::unique_ptr<Listener> listener;
  if (!o.client_server) {
    auto opened = Listener::open(io, *at);
    if (!opened) {
      std::cerr << "shoal peer: " << opened.error() << "\n";
      return 1;
    }
    listener = std::move(*opened);
    log_line("accepting neighbours on " + listener->local().to_string());
    o.listen_port = listener->local().port;
    o.inside_host = unspecified(listener->local().host)
                        ? outward_address().value_or("")
                        : listener->local().host;
  }
  std::random_device random;
  o.channel = uri->channel;
  o.source = uri->source;
  o.self = PeerId(uint64_t{random()} << 32 | random());
  o.seed = uint64_t{random()} << 32 | random();
  o.lag = std::chrono::milliseconds(lag_ms);
  o.upload = *limit;
  PeerNode node(
      io, o,
      [&](const Chunk& chunk) {
        (*player)->push(chunk.payload);
        if (http) {
          auto shared = std::make_shared<const Chunk>(chunk);
          http->play(shared);
          hls.play(std::move(shared));
        }
        if (played) {
          *played << chunk.seq.value << ' ' << chunk.capture_time.time_since_epoch().count()
                  << std::endl;
        }
        if (record.is_open()) {
          record.write(reinterpret_cast<const char*>(chunk.payload.data()),
                       static_cast<std::streamsize>(chunk.payload.size()));
        }
      },
      std::move(listener), dial_from(*at), std::chrono::milliseconds(latency_ms));
  PeerRunner& runner = node.runner();
  std::unique_ptr<DhtAnnouncer> dht_announcer;
  // Where other viewers reach us: what we listen on, at the host they can
  // dial: as said, else where the source or the DHT sees us.
  const auto contact = [&]() -> std::optional<Endpoint> {
    std::optional<Endpoint> at = node.listening();
    if (!at) return at;
    if (vm.count("public-host")) {
      at->host = public_host;
    } else if (!runner.engine().seen_as().empty()) {
      at->host = runner.engine().seen_as();
    } else if (dht_announcer && !dht_announcer->seen_as().empty()) {
      at->host = dht_announcer->seen_as();
    } else if (unspecified(at->host)) {
      at->host = outward_address().value_or("127.0.0.1");
    }
    return at;
  };
  runner.start();
  // A forwarded port lets viewers behind other NATs dial this one; loopback
  // has no router to ask.
  std::unique_ptr<PortMapper> port_mapper;
  if (const auto at = node.listening();
      at && !vm["no-port-mapping"].as<bool>() && !is_loopback(at->host)) {
    port_mapper = std::make_unique<PortMapper>(io, at->port, [](Result<PortMapper::Mapping> m) {
      if (m) {
        log_line("the router forwards " + m->public_host + ":" + std::to_string(m->port) +
                 " to this viewer (" + m->by + ")");
      } else {
        log_line("no port forwarded (" + m.error() +
                 "): viewers behind other NATs reach this one by hole punching");
      }
    });
  }
  std::optional<TrackerClient> tracker;
  if (uri->tracker && !o.client_server) {
    tracker.emplace(
        io, *uri->tracker, AnnounceMsg{kProtocolVersion, uri->channel, o.self, o.listen_port},
        [&](std::vector<Endpoint> peers) { runner.found_peers(peers); }, dial_from(*at));
    tracker->start();
  }
  if (dht && !o.client_server) {
    auto opened = DhtAnnouncer::open(io, *dht, uri->channel, contact(),
                                     [&](std::vector<Endpoint> peers) { runner.found_peers(peers); });
    if (!opened) {
      std::cerr << "shoal peer: --dht: " << opened.error() << "\n";
      return 2;
    }
    dht_announcer = std::move(*opened);
    dht_announcer->start();
  }
  // A sybil announces, beside itself, addresses where nobody listens.
  std::vector<std::unique_ptr<TrackerClient>> sybil_trackers;
  std::vector<std::unique_ptr<DhtAnnouncer>> sybil_dht;
  if (o.hostile == Offence::sybil && !o.client_server) {
    std::mt19937_64 rng(o.seed);
    const std::string host = o.inside_host.empty() ? "127.0.0.1" : o.inside_host;
    for (const Endpoint& fake : sybil_addresses(host, kSybilAnnounces, rng)) {
      if (uri->tracker) {
        sybil_trackers.push_back(std::make_unique<TrackerClient>(
            io, *uri->tracker, AnnounceMsg{kProtocolVersion, uri->channel, PeerId(rng()), fake.port},
            [](std::vector<Endpoint>) {}, dial_from(*at)));
        sybil_trackers.back()->start();
      }
      if (!dht) continue;
      if (auto opened = DhtAnnouncer::open(io, *dht, uri->channel, fake, [](std::vector<Endpoint>) {})) {
        sybil_dht.push_back(std::move(*opened));
        sybil_dht.back()->start();
      }
    }
  }

  const auto report = [&] {
    PeerReport r = runner.report();
    r.frames_decoded = (*player)->frames_decoded();
    if (const auto at = contact()) r.listen = at->to_string();
    r.startup_ms.reset();
    if (const auto first = (*player)->first_frame_time()) {
      r.startup_ms = std::chrono::duration_cast<std::chrono::milliseconds>(*first - joined).count();
    }
    return r;
  };
  if (http_endpoint) {
    auto opened = HttpServer::open(io, *http_endpoint, [&](const std::string& path)
                                                           -> std::optional<HttpServer::Page> {
      if (path == "/stats.json") return HttpServer::Page{"application/json", report().to_json().dump() + "\n"};
      if (path == "/metrics") {
        return HttpServer::Page{"text/plain; version=0.0.4",
                                prometheus_text(report().to_json(), "shoal_peer")};
      }
      if (path == "/live.m3u8") {
        if (const auto text = hls.playlist()) return HttpServer::Page{"application/vnd.apple.mpegurl", *text};
        return std::nullopt;
      }
      if (path.rfind("/seg/", 0) == 0 && path.size() > 8 && path.ends_with(".ts")) {
        const std::string n = path.substr(5, path.size() - 8);
        if (n.empty() || n.size() > 18 || !std::ranges::all_of(n, ::isdigit)) return std::nullopt;
        if (auto bytes = hls.segment(std::stoull(n))) return HttpServer::Page{"video/mp2t", std::move(*bytes)};
        return std::nullopt;
      }
      if (path == "/") return HttpServer::Page{"text/html; charset=utf-8", std::string(kViewerPage)};
      if (path == "/hls.min.js") {
        if (const auto js = read_whole_file(SHOAL_HLS_JS)) return HttpServer::Page{"text/javascript", *js};
        return std::nullopt;
      }
      return std::nullopt;
    });
    if (!opened) {
      std::cerr << "shoal peer: " << opened.error() << "\n";
      return 1;
    }
    http = std::move(*opened);
    log_line("serving players on http://" + http->local().to_string() + "/stream.ts");
  }
  const auto write_stats = [&] {
    if (!stats_path.empty()) write_json_file(stats_path, report().to_json());
  };

  asio::steady_timer end(io);
  Housekeeping housekeeping{asio::steady_timer(io), **player, [&] {
                              write_stats();
                              if (dht_announcer) dht_announcer->set_self(contact());
                            }};
  // Hand-over, BYEs and the decoder's last chunk fit in the grace.
  Shutdown shutdown(io, PeerRunner::kHandOver + 600ms, [&](const std::string& why) {
    log_line(why + "; leaving");
    end.cancel();
    if (tracker) tracker->stop();
    if (dht_announcer) dht_announcer->stop();
    for (auto& t : sybil_trackers) t->stop();
    for (auto& d : sybil_dht) d->stop();
    // Its children find other parents while it still passes the stream on.
    runner.leave();
    housekeeping.timer.cancel();
    housekeeping.timer.expires_after(PeerRunner::kHandOver);
    housekeeping.timer.async_wait([&](boost::system::error_code) {
      runner.stop();
      // Let the BYEs go out and the decoder finish the last chunk.
      housekeeping.timer.expires_after(300ms);
      housekeeping.timer.async_wait([&](boost::system::error_code) { io.stop(); });
    });
  });
  if (duration > 0) {
    end.expires_after(std::chrono::milliseconds(static_cast<int64_t>(duration * 1000)));
    end.async_wait([&](boost::system::error_code ec) {
      if (!ec) {
        std::ostringstream why;
        why << "watched for " << duration << " s";
        shutdown.begin(why.str());
      }
    });
  }
  housekeeping.every_second();
  MemoryTrim trim(io);
  io.run();

  const PeerReport final_report = report();
  const auto json = final_report.to_json();
  log_line("frames " + std::to_string(final_report.frames_decoded) + ", chunks on time " +
           std::to_string(final_report.chunks_on_time) + "/" +
           std::to_string(final_report.chunks_due) + ", rejected " +
           std::to_string(final_report.chunks_rejected) + ", startup " + json["startup_ms"].dump() +
           " ms");
  write_stats();
  return 0;
}

}  // namespace shoal::cli
