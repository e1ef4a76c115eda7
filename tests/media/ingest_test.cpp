// Ingest with real FFmpeg: the live test pattern and an MP4 with B-frames
// both become keyframe-aligned chunks whose bytes decode cleanly.
#include "media/wall_clock.h"
#include "media/ingest.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

namespace shoal {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

std::string shell(const std::string& command) {
  std::string out;
  FILE* f = ::popen((command + " 2>&1").c_str(), "r");
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  ::pclose(f);
  return out;
}

class IngestTest : public ::testing::Test {
 protected:
  fs::path dir_ = fs::temp_directory_path() / ("shoal-ingest-" + std::to_string(::getpid()));
  void SetUp() override { fs::create_directories(dir_); }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write_ts(const std::vector<Chunk>& chunks, size_t from, const std::string& name) {
    const std::string path = (dir_ / name).string();
    std::ofstream out(path, std::ios::binary);
    for (size_t i = from; i < chunks.size(); ++i) {
      out.write(reinterpret_cast<const char*>(chunks[i].payload.data()),
                static_cast<std::streamsize>(chunks[i].payload.size()));
    }
    return path;
  }
};

// Whether a TS packet with PID 0 (the PAT) is among the first packets.
bool starts_with_pat(const std::vector<uint8_t>& ts) {
  for (size_t off = 0; off + 188 <= ts.size() && off < 188 * 4; off += 188) {
    if (ts[off] == 0x47 && (ts[off + 1] & 0x1f) == 0 && ts[off + 2] == 0) return true;
  }
  return false;
}

TEST_F(IngestTest, TestPatternChunksAreKeyframeAlignedHalfSecondsOfWholeTsPackets) {
  auto ingest = Ingest::open({.input = "testsrc"});
  ASSERT_TRUE(ingest) << ingest.error();
  std::vector<Chunk> chunks;
  std::thread stopper([&] {
    std::this_thread::sleep_for(3200ms);
    (*ingest)->stop();
  });
  const auto started = wall_now();
  auto result = (*ingest)->run([&](Chunk c) { chunks.push_back(std::move(c)); });
  stopper.join();
  ASSERT_TRUE(result) << result.error();
  ASSERT_GE(chunks.size(), 5u);
  for (size_t i = 0; i + 1 < chunks.size(); ++i) {
    const Chunk& c = chunks[i];
    EXPECT_EQ(c.seq, ChunkSeq(i));
    EXPECT_TRUE(c.random_access());
    EXPECT_EQ(c.duration_ms, 500u);
    EXPECT_EQ(c.payload.size() % 188, 0u);
    EXPECT_TRUE(starts_with_pat(c.payload)) << "chunk " << i;
    // Live: chunk n is captured about n * 500 ms after the start.
    EXPECT_NEAR((c.capture_time - started).count(), 500.0 * i, 150.0) << "chunk " << i;
  }
  EXPECT_EQ(shell("ffmpeg -v error -i " + write_ts(chunks, 0, "all.ts") + " -f null -"), "");
  EXPECT_EQ(shell("ffmpeg -v error -i " + write_ts(chunks, 3, "tail.ts") + " -f null -"), "");
}

TEST_F(IngestTest, Mp4WithBFramesIsRemuxedIntoDecodableChunks) {
  const std::string clip = (dir_ / "clip.mp4").string();
  ASSERT_EQ(shell("ffmpeg -v error -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i "
                  "sine=frequency=440:sample_rate=48000 -t 6 -c:v libx264 -bf 2 -g 25 -c:a aac "
                  "-pix_fmt yuv420p -y " +
                  clip),
            "");
  auto ingest = Ingest::open({.input = clip, .realtime = false});
  ASSERT_TRUE(ingest) << ingest.error();
  EXPECT_NE((*ingest)->describe().find("h264 passed through"), std::string::npos);
  std::vector<Chunk> chunks;
  ASSERT_TRUE((*ingest)->run([&](Chunk c) { chunks.push_back(std::move(c)); }));
  ASSERT_EQ(chunks.size(), 6u);  // a keyframe every second: 1 s chunks
  int64_t total_ms = 0;
  for (const Chunk& c : chunks) {
    EXPECT_TRUE(c.random_access());
    EXPECT_TRUE(starts_with_pat(c.payload));
    total_ms += c.duration_ms;
  }
  EXPECT_NEAR(total_ms, 6000, 50);
  EXPECT_EQ(shell("ffmpeg -v error -i " + write_ts(chunks, 0, "all.ts") + " -f null -"), "");
  EXPECT_EQ(shell("ffmpeg -v error -i " + write_ts(chunks, 2, "tail.ts") + " -f null -"), "");
  const auto frames = shell(
      "ffprobe -v error -count_frames -select_streams v -show_entries "
      "stream=nb_read_frames -of csv=p=0 " +
      write_ts(chunks, 0, "n.ts"));
  EXPECT_EQ(frames.substr(0, frames.find('\n')), "150");  // every frame of the 6 s clip
}

TEST_F(IngestTest, CodecsTsCannotCarryAreTranscoded) {
  const std::string clip = (dir_ / "clip.mkv").string();
  ASSERT_EQ(shell("ffmpeg -v error -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i "
                  "sine=frequency=440:sample_rate=44100 -t 3 -c:v mpeg4 -c:a pcm_s16le -y " +
                  clip),
            "");
  auto ingest = Ingest::open({.input = clip, .realtime = false});
  ASSERT_TRUE(ingest) << ingest.error();
  EXPECT_NE((*ingest)->describe().find("mpeg4 transcoded to h264"), std::string::npos)
      << (*ingest)->describe();
  std::vector<Chunk> chunks;
  ASSERT_TRUE((*ingest)->run([&](Chunk c) { chunks.push_back(std::move(c)); }));
  ASSERT_GE(chunks.size(), 3u);
  EXPECT_EQ(shell("ffmpeg -v error -i " + write_ts(chunks, 0, "all.ts") + " -f null -"), "");
}

TEST_F(IngestTest, MissingFileIsAClearError) {
  auto ingest = Ingest::open({.input = "/no/such/file"});
  ASSERT_FALSE(ingest);
  EXPECT_EQ(ingest.error(), "cannot open input '/no/such/file': No such file or directory");
}

TEST_F(IngestTest, TruncatedMp4IsAClearError) {
  const std::string clip = (dir_ / "clip.mp4").string(), cut = (dir_ / "cut.mp4").string();
  ASSERT_EQ(shell("ffmpeg -v error -f lavfi -i testsrc2=size=320x240:rate=25 -t 4 -c:v libx264 "
                  "-pix_fmt yuv420p -y " +
                  clip + " && head -c 20000 " + clip + " > " + cut),
            "");
  auto ingest = Ingest::open({.input = cut});
  ASSERT_FALSE(ingest);
  EXPECT_NE(ingest.error().find("cannot open input '" + cut + "'"), std::string::npos);
  EXPECT_EQ(ingest.error().find('\n'), std::string::npos);
}

TEST_F(IngestTest, AResumedChannelGoesOnFromItsNumberAndMediaTime) {
  const std::string clip = (dir_ / "clip.mp4").string();
  ASSERT_EQ(shell("ffmpeg -v error -f lavfi -i testsrc2=size=320x240:rate=25 -t 3 -c:v libx264 "
                  "-g 25 -pix_fmt yuv420p -y " +
                  clip),
            "");
  // The source before it stopped 2 s ago, at chunk 99 ending 50 s in.
  const StreamPosition before{ChunkSeq(100), 50'000'000, wall_now() - std::chrono::seconds(2)};
  auto ingest = Ingest::open({.input = clip, .realtime = false, .resume = before});
  ASSERT_TRUE(ingest) << ingest.error();
  std::vector<Chunk> chunks;
  ASSERT_TRUE((*ingest)->run([&](Chunk c) { chunks.push_back(std::move(c)); }));
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].seq, ChunkSeq(100));
  EXPECT_EQ(chunks[2].seq, ChunkSeq(102));
  EXPECT_NEAR(chunks[0].pts_us, 52'000'000, 200'000) << "50 s, and the 2 s since";
  EXPECT_EQ(chunks[1].pts_us, chunks[0].pts_us + 1'000'000);
  EXPECT_EQ(shell("ffmpeg -v error -i " + write_ts(chunks, 0, "all.ts") + " -f null -"), "");
  // A position from long ago keeps the numbers but not the media time.
  const StreamPosition old{ChunkSeq(100), 50'000'000, wall_now() - std::chrono::hours(5)};
  ingest = Ingest::open({.input = clip, .realtime = false, .resume = old});
  ASSERT_TRUE(ingest) << ingest.error();
  chunks.clear();
  ASSERT_TRUE((*ingest)->run([&](Chunk c) { chunks.push_back(std::move(c)); }));
  EXPECT_EQ(chunks.at(0).seq, ChunkSeq(100));
  EXPECT_EQ(chunks.at(0).pts_us, 0);
}

}  // namespace
}  // namespace shoal
