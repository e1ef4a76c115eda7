// A viewer serving other players over HTTP (`shoal peer --http`): real
// ffmpeg reads its MPEG-TS stream, two at once, and its live HLS; a client that stops reading
// is dropped while the viewer plays and uploads on; /metrics is Prometheus
// text.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <regex>
#include <sstream>
#include <thread>

#include "harness.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

// A socket to 127.0.0.1:`port` that sent `request`; -1 if it could not.
int send_request(uint16_t port, const std::string& request) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0 ||
      write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return -1;
  }
  return fd;
}

// The whole answer to a GET of `path`: status line, headers and body.
std::string http_get(uint16_t port, const std::string& path, const std::string& method = "GET") {
  const int fd = send_request(port, method + " " + path + " HTTP/1.1\r\nHost: test\r\n\r\n");
  if (fd < 0) return "";
  std::string all;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;) all.append(buf, static_cast<size_t>(n));
  close(fd);
  return all;
}

// Seconds of media ffmpeg read from `url` in at most `seconds`, and what it printed on stderr.
std::pair<double, std::string> ffmpeg_reads(const std::string& url, int seconds) {
  const std::string out = run_shell("ffmpeg -nostdin -v error -i " + url + " -t " +
                                    std::to_string(seconds) + " -f null - -progress pipe:1 2>&1");
  double read_s = 0;
  std::string errors;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("out_time_us=", 0) == 0) {
      read_s = std::max(read_s, std::stod(line.substr(12)) / 1e6);
    } else if (line.find('=') == std::string::npos) {
      errors += line + "\n";
    }
  }
  return {read_s, errors};
}

TEST(Http, PlayersReadTheViewersStreamAndAStuckOneIsDropped) {
  TempDir dir;
  auto source = start_source({"--input", "testsrc", "--http", "127.0.0.1:0"}, dir / "source.log");
  ASSERT_TRUE(source) << read_file(dir / "source.log");
  std::this_thread::sleep_for(3s);
  Process relay = start_peer(source->uri.to_string(),
                             {"--sink", "none", "--duration", "45", "--http", "127.0.0.1:0",
                              "--stats-json", dir / "relay.json"},
                             dir / "relay.log");
  // A second viewer, which the relay uploads to.
  Process other = start_peer(source->uri.to_string(),
                             {"--sink", "none", "--duration", "40", "--stats-json", dir / "other.json"},
                             dir / "other.log");
  // The port a node's log says it serves HTTP on.
  const auto http_port = [&](const std::string& log, const char* says) {
    uint16_t port = 0;
    EXPECT_TRUE(eventually(
        [&] {
          const std::regex served(std::string(says) + " http://127\\.0\\.0\\.1:([0-9]+)/");
          std::smatch m;
          const std::string text = read_file(log);
          if (!std::regex_search(text, m, served)) return false;
          port = static_cast<uint16_t>(std::stoi(m[1]));
          return true;
        },
        10s))
        << read_file(log);
    return port;
  };
  const uint16_t port = http_port(dir / "relay.log", "serving players on");
  ASSERT_NE(port, 0);
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  // It plays; the playlist lists its first segment a few seconds in.
  ASSERT_TRUE(eventually([&] { return http_get(port, "/live.m3u8").find("200 OK") != std::string::npos; },
                         15s));

  // A client that asks and never reads.
  const int stuck = send_request(port, "GET /stream.ts HTTP/1.1\r\nHost: test\r\n\r\n");
  ASSERT_GE(stuck, 0);
  // Two players at once.
  auto first = std::async(std::launch::async, [&] { return ffmpeg_reads(base + "/stream.ts", 10); });
  auto second = std::async(std::launch::async, [&] { return ffmpeg_reads(base + "/stream.ts", 10); });
  auto hls = std::async(std::launch::async, [&] { return ffmpeg_reads(base + "/live.m3u8", 10); });
  for (auto* f : {&first, &second, &hls}) {
    const auto [seconds, errors] = f->get();
    EXPECT_EQ(errors, "");
    EXPECT_GE(seconds, 9.0);
  }
  EXPECT_TRUE(eventually([&] { return read_file(dir / "relay.log").find("dropped") != std::string::npos; },
                         30s))
      << read_file(dir / "relay.log");
  close(stuck);

  // Metrics: Prometheus text, with what a dashboard needs.
  const std::string metrics = http_get(port, "/metrics");
  ASSERT_NE(metrics.find("200 OK"), std::string::npos) << metrics;
  const std::string body = metrics.substr(metrics.find("\r\n\r\n") + 4);
  static const std::regex sample(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.eE+-]+$)");
  std::istringstream lines(body);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
  }
  for (const char* name : {"shoal_peer_continuity ", "shoal_peer_chunks_on_time ",
                           "shoal_peer_chunks_due ", "shoal_peer_bytes_from_source ",
                           "shoal_peer_bytes_from_peers ", "shoal_peer_bytes_uploaded "}) {
    EXPECT_NE(body.find(name), std::string::npos) << name;
  }
  EXPECT_NE(http_get(port, "/stats.json").find("\"continuity\""), std::string::npos);
  EXPECT_NE(http_get(port, "/nowhere").find("404"), std::string::npos);
  EXPECT_NE(http_get(port, "/metrics", "POST").find("405"), std::string::npos);
  EXPECT_NE(http_get(port, "/%%%", "BREW").find("HTTP/1.1 4"), std::string::npos);

  // The source's: viewers and offload.
  const uint16_t source_port = http_port(dir / "source.log", "status page on");
  const std::string source_metrics = http_get(source_port, "/metrics");
  EXPECT_NE(source_metrics.find("\nshoal_source_viewers 2\n"), std::string::npos) << source_metrics;
  EXPECT_TRUE(std::regex_search(source_metrics, std::regex("\nshoal_source_offload 0\\.[0-9]+\n")))
      << source_metrics;
  EXPECT_NE(http_get(source_port, "/").find("<h1>Shoal broadcast</h1>"), std::string::npos);

  // The relay played and uploaded on meanwhile.
  ASSERT_EQ(relay.wait(60s), 0) << read_file(dir / "relay.log");
  const auto stats = read_json(dir / "relay.json");
  EXPECT_GE(stats["continuity"].get<double>(), 0.99) << stats.dump();
  EXPECT_GT(stats["bytes_uploaded"].get<int64_t>(), 0) << stats.dump();
  other.wait(30s);
  source->process.signal(SIGTERM);
  EXPECT_EQ(source->process.wait(3s), 0) << "a source serving HTTP stops on SIGTERM";
}

}  // namespace
}  // namespace shoal::testing
