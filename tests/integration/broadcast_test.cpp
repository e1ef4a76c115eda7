// A real broadcast on loopback: `shoal source` and three `shoal peer`
// processes, real FFmpeg ingest, real TCP, real GStreamer decoding. Each peer
// must decode at the frame rate, play on time, start fast, and record exactly
// the bytes the source signed for the chunks it played.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "harness.h"
#include "wire_client.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kPeers = 3;
constexpr double kWatchSeconds = 12;

void expect_three_peers_play(const std::vector<std::string>& source_args, double fps,
                             const TempDir& dir) {
  // The test fetches every chunk played from the source to compare: no
  // repair share may turn it away.
  std::vector<std::string> args = source_args;
  args.insert(args.end(), {"--repair-share", "none"});
  auto source = start_source(args, dir / "source.log");
  ASSERT_TRUE(source) << read_file(dir / "source.log");
  // Viewers join a broadcast under way: there are chunks behind the live edge
  // to start from, as with any live event.
  std::this_thread::sleep_for(4s);

  std::vector<Process> peers;
  for (int i = 0; i < kPeers; ++i) {
    const std::string name = dir / ("peer" + std::to_string(i));
    peers.push_back(start_peer(source->uri.to_string(),
                               {"--sink", "fake", "--duration", std::to_string(kWatchSeconds),
                                "--record", name + ".ts", "--stats-json", name + ".json"},
                               name + ".log"));
  }
  for (int i = 0; i < kPeers; ++i) {
    const std::string name = dir / ("peer" + std::to_string(i));
    SCOPED_TRACE(name);
    ASSERT_EQ(peers[i].wait(60s), 0) << read_file(name + ".log");
    const auto stats = read_json(name + ".json");
    ASSERT_FALSE(stats.is_discarded()) << read_file(name + ".log");

    EXPECT_GE(stats["continuity"].get<double>(), 0.99) << stats.dump();
    ASSERT_FALSE(stats["startup_ms"].is_null()) << stats.dump();
    EXPECT_LT(stats["startup_ms"].get<int64_t>(), 2000) << stats.dump();
    EXPECT_EQ(stats["chunks_rejected"], 0);
    EXPECT_GT(stats["bytes_from_source"].get<int64_t>(), 0);

    // The record holds exactly the source's payloads of the chunks played.
    const auto seqs = played_seqs(stats);
    ASSERT_GE(seqs.size(), 15u) << stats.dump();
    const auto chunks = fetch_chunks(source->uri.source, source->uri.channel, seqs);
    ASSERT_EQ(chunks.size(), seqs.size());
    std::string expected;
    double played_seconds = 0;
    for (const Chunk& c : chunks) {
      expected.append(c.payload.begin(), c.payload.end());
      played_seconds += c.duration_ms / 1000.0;
    }
    const std::string recorded = read_file(name + ".ts");
    EXPECT_EQ(recorded.size(), expected.size());
    EXPECT_TRUE(recorded == expected) << "recorded bytes differ from the source's chunks";
    EXPECT_EQ(run_shell("ffmpeg -v error -i " + name + ".ts -f null -"), "");

    // Every frame of the chunks played is decoded: the frame rate, no more, no
    // less (the last chunk may still be in the decoder when the peer leaves).
    const double expected_frames = played_seconds * fps;
    const auto frames = stats["frames_decoded"].get<double>();
    EXPECT_GE(frames, expected_frames - fps) << stats.dump();
    EXPECT_LE(frames, expected_frames + 1) << stats.dump();
  }
  source->process.signal(SIGTERM);
  EXPECT_EQ(source->process.wait(15s), 0);
}

TEST(Broadcast, TestPatternReachesThreePeers) {
  TempDir dir;
  expect_three_peers_play({"--input", "testsrc", "--key", dir / "source.key"}, 30, dir);
}

TEST(Broadcast, Mp4ClipWithBFramesReachesThreePeers) {
  TempDir dir;
  const std::string clip = dir / "clip.mp4";
  ASSERT_EQ(run_shell("ffmpeg -v error -f lavfi -i testsrc2=size=640x360:rate=25 -f lavfi -i "
                      "sine=frequency=440:sample_rate=48000 -t 30 -c:v libx264 -preset veryfast "
                      "-bf 2 -g 13 -pix_fmt yuv420p -c:a aac -y " +
                      clip),
            "");
  ASSERT_NE(run_shell("ffprobe -v error -select_streams v -show_entries stream=has_b_frames -of "
                      "csv=p=0 " +
                      clip),
            "0\n");
  expect_three_peers_play({"--input", clip, "--key", dir / "source.key"}, 25, dir);
}

}  // namespace
}  // namespace shoal::testing
