// OBS's stand-in: the ffmpeg CLI publishes to `shoal source` over RTMP (the
// source is the server) and over SRT (a listener). It is killed 10 s in and
// comes back 5 s later: the channel stays up under the same URI, viewers play
// on without a restart (and so does a player reading a viewer's /stream.ts),
// and the chunks' numbers go on where they stopped.
// Connections that are not a publisher's are logged and turned away.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>

#include <fstream>
#include <thread>

#include "harness.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

// What OBS sends: 25 fps H.264 with a keyframe a second, and AAC.
Process publish(const std::string& format, const std::string& url, const std::string& log) {
  auto p = Process::spawn({"/usr/bin/ffmpeg", "-v", "error", "-re", "-f", "lavfi", "-i",
                           "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine", "-c:v",
                           "libx264", "-preset", "veryfast", "-g", "25", "-pix_fmt", "yuv420p",
                           "-c:a", "aac", "-f", format, url},
                          log);
  EXPECT_TRUE(p) << p.error();
  return std::move(*p);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

void publisher_drops_and_comes_back(const std::string& input, const std::string& format,
                                    const std::string& publish_to, uint16_t port, int type) {
  TempDir dir;
  auto source = start_source({"--input", input}, dir / "source.log");
  ASSERT_TRUE(source) << read_file(dir / "source.log");
  std::vector<Process> viewers;
  for (int i = 0; i < 2; ++i) {
    const std::string n = std::to_string(i);
    viewers.push_back(start_peer(source->uri.to_string(),
                                 {"--sink", "none", "--played", dir / ("played" + n + ".txt"),
                                  "--stats-json", dir / ("viewer" + n + ".json"), "--http",
                                  "127.0.0.1:0"},
                                 dir / ("viewer" + n + ".log")));
  }
  // A player reads viewer 0's MPEG-TS across the gap.
  const auto stream = wait_for_log(dir / "viewer0.log", "serving players on ", 10s);
  ASSERT_TRUE(stream) << read_file(dir / "viewer0.log");
  const auto connected = [&](size_t n) {
    return eventually([&] { return count(read_file(dir / "source.log"), "publisher connected") >= n; },
                      20s);
  };
  // The source listens for its publisher soon after it prints the URI.
  ASSERT_TRUE(eventually([&] { return listening(port, type); }, 10s));
  Process first = publish(format, publish_to, dir / "publisher1.log");
  ASSERT_TRUE(connected(1)) << read_file(dir / "source.log") << read_file(dir / "publisher1.log");
  auto player = Process::spawn({"/usr/bin/ffmpeg", "-v", "error", "-nostdin", "-i", *stream, "-f", "null", "-"},
                               dir / "player.log");
  ASSERT_TRUE(player);
  std::this_thread::sleep_for(10s);
  first.signal(SIGKILL);
  first.wait(5s);
  std::this_thread::sleep_for(5s);
  ASSERT_TRUE(eventually([&] { return listening(port, type); }, 10s));
  Process second = publish(format, publish_to, dir / "publisher2.log");
  ASSERT_TRUE(connected(2)) << read_file(dir / "source.log") << read_file(dir / "publisher2.log");
  std::this_thread::sleep_for(12s);

  EXPECT_FALSE(source->process.wait(0ms)) << "the source kept the channel";
  EXPECT_FALSE(player->wait(0ms)) << "the player read on across the gap";
  player->signal(SIGTERM);
  player->wait(5s);
  EXPECT_EQ(read_file(dir / "player.log"), "") << "ffmpeg reading " << *stream;
  for (size_t i = 0; i < viewers.size(); ++i) {
    const std::string n = std::to_string(i);
    EXPECT_FALSE(viewers[i].wait(0ms)) << "viewer " << i << " kept running";
    viewers[i].signal(SIGTERM);
    EXPECT_EQ(viewers[i].wait(10s), 0);
    const auto played = read_played(dir / ("played" + n + ".txt"));
    ASSERT_GE(played.size(), 2u) << read_file(dir / ("viewer" + n + ".log"));
    // The publisher's absence shows as one jump in capture times.
    size_t gap = 0;
    for (size_t k = 1; k < played.size(); ++k) {
      EXPECT_GT(played[k].seq, played[k - 1].seq);
      if (played[k].capture_ms - played[k - 1].capture_ms > 3000) {
        EXPECT_EQ(gap, 0u) << "one gap";
        gap = k;
      }
    }
    ASSERT_GT(gap, 0u) << "viewer " << i << " played across the gap";
    const int64_t gap_ms = played[gap].capture_ms - played[gap - 1].capture_ms;
    EXPECT_GE(gap_ms, 4000) << "the publisher was away 5 s";
    EXPECT_LE(played[gap].seq - played[gap - 1].seq, 2u)
        << "numbers go on: " << played[gap - 1].seq << " then " << played[gap].seq;
    EXPECT_GE(gap, 5u) << "chunks of the first publisher played";
    EXPECT_GE(played.size() - gap, 8u) << "chunks of the second publisher played";
    // Nothing is due while the publisher is away.
    const auto stats = read_json(dir / ("viewer" + n + ".json"));
    const double due = stats["chunks_due"].get<double>();
    const double on_time = stats["chunks_on_time"].get<double>();
    EXPECT_GE(on_time / due, 0.9) << on_time << " of " << due;
    std::cout << "viewer " << i << ": " << on_time << "/" << due << " chunks on time, gap "
              << gap_ms << " ms between chunks " << played[gap - 1].seq << " and "
              << played[gap].seq << "\n";
  }
  second.signal(SIGTERM);
  second.wait(5s);
  source->process.signal(SIGTERM);
  EXPECT_EQ(source->process.wait(5s), 0);
  EXPECT_EQ(source->process.read_rest(), "") << "one channel URI, printed once";
  EXPECT_NE(read_file(dir / "source.log").find("publisher gone"), std::string::npos);
}

TEST(Publisher, AnRtmpPublisherThatDropsAndComesBackKeepsTheChannelPlaying) {
  const uint16_t port = free_port(SOCK_STREAM);
  const std::string url = "rtmp://127.0.0.1:" + std::to_string(port) + "/live/key";
  publisher_drops_and_comes_back(url, "flv", url, port, SOCK_STREAM);
}

TEST(Publisher, AnSrtPublisherThatDropsAndComesBackKeepsTheChannelPlaying) {
  const uint16_t port = free_port(SOCK_DGRAM);
  const std::string at = "srt://127.0.0.1:" + std::to_string(port);
  publisher_drops_and_comes_back(at + "?mode=listener", "mpegts", at, port, SOCK_DGRAM);
}

TEST(Publisher, GarbageAndAWrongStreamKeyAreTurnedAwayWithALogLine) {
  TempDir dir;
  const uint16_t port = free_port(SOCK_STREAM);
  const std::string url = "rtmp://127.0.0.1:" + std::to_string(port);
  auto source = start_source({"--input", url + "/live/key"}, dir / "source.log");
  ASSERT_TRUE(source) << read_file(dir / "source.log");
  ASSERT_TRUE(eventually([&] { return listening(port, SOCK_STREAM); }, 10s));
  // Not RTMP from its first byte (RTMP's is 3).
  run_shell("bash -c '(printf \"\\x07\"; head -c 5000 /dev/urandom) > /dev/tcp/127.0.0.1/" +
            std::to_string(port) + "'");
  EXPECT_TRUE(wait_for_log(dir / "source.log", "RTMP protocol version mismatch", 10s)) << read_file(dir / "source.log");
  ASSERT_TRUE(eventually([&] { return listening(port, SOCK_STREAM); }, 10s));
  Process stranger = publish("flv", url + "/live/wrong", dir / "stranger.log");
  EXPECT_TRUE(wait_for_log(dir / "source.log", "another app or stream key", 20s)) << read_file(dir / "source.log");
  stranger.wait(10s);
  // A second source cannot take the port from it...
  auto rival = Process::spawn({SHOAL_BINARY, "source", "--input", url + "/live/key", "--key",
                               dir / "rival.key"},
                              dir / "rival.log");
  ASSERT_TRUE(rival);
  EXPECT_EQ(rival->wait(10s), 1);
  EXPECT_NE(read_file(dir / "rival.log").find("Address already in use"), std::string::npos)
      << read_file(dir / "rival.log");
  // ... and it still takes its own publisher.
  ASSERT_TRUE(eventually([&] { return listening(port, SOCK_STREAM); }, 10s));
  Process owner = publish("flv", url + "/live/key", dir / "owner.log");
  EXPECT_TRUE(wait_for_log(dir / "source.log", "publisher connected", 20s)) << read_file(dir / "source.log");
  owner.signal(SIGTERM);
  owner.wait(5s);
  source->process.signal(SIGTERM);
  EXPECT_EQ(source->process.wait(5s), 0) << "stops while waiting for a publisher";
}

}  // namespace
}  // namespace shoal::testing
