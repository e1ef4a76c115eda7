// The player decodes real MPEG-TS (made with the ffmpeg CLI) through real
// GStreamer elements, headless.
#include "player/player.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

namespace shoal {
namespace {

using namespace std::chrono_literals;

std::vector<uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// A 30 fps H.264 + AAC transport stream, a keyframe every 15 frames.
std::vector<uint8_t> make_ts(double seconds, double offset_seconds = 0) {
  const std::string path = std::filesystem::temp_directory_path() /
                           ("shoal-player-" + std::to_string(::getpid()) + ".ts");
  const std::string cmd =
      "ffmpeg -v error -f lavfi -i testsrc2=size=320x240:rate=30 -f lavfi -i "
      "sine=frequency=440:sample_rate=48000 -t " +
      std::to_string(seconds) +
      " -c:v libx264 -preset veryfast -g 15 -bf 0 -pix_fmt yuv420p -c:a aac -output_ts_offset " +
      std::to_string(offset_seconds) + " -f mpegts -y " + path;
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  auto bytes = read_all(path);
  std::filesystem::remove(path);
  return bytes;
}

void push_in_pieces(Player& p, std::span<const uint8_t> ts) {
  constexpr size_t kPiece = 188 * 50;
  for (size_t off = 0; off < ts.size(); off += kPiece) {
    p.push(ts.subspan(off, std::min(kPiece, ts.size() - off)));
  }
}

// Waits (bounded) until the player has decoded `n` frames.
uint64_t wait_for_frames(const Player& p, uint64_t n) {
  for (int i = 0; i < 100 && p.frames_decoded() < n; ++i) std::this_thread::sleep_for(50ms);
  std::this_thread::sleep_for(200ms);  // and a little more, to see any excess
  return p.frames_decoded();
}

// The demuxer releases a video frame when the next one begins, so the last
// frame or two of what was pushed wait for the next chunk.
constexpr uint64_t kHeldBack = 2;

TEST(Player, DecodesEveryFramePushed) {
  auto player = Player::create(SinkKind::kFake);
  ASSERT_TRUE(player) << player.error();
  push_in_pieces(**player, make_ts(4));
  const auto frames = wait_for_frames(**player, 120 - kHeldBack);
  EXPECT_GE(frames, 120 - kHeldBack);
  EXPECT_LE(frames, 120u);
}

TEST(Player, NotesWhenTheFirstFrameCameOut) {
  auto player = Player::create(SinkKind::kFake);
  ASSERT_TRUE(player) << player.error();
  EXPECT_FALSE((*player)->first_frame_time());
  const auto ts = make_ts(1);
  const auto pushed = std::chrono::steady_clock::now();
  (*player)->push(ts);
  wait_for_frames(**player, 30 - kHeldBack);
  const auto first = (*player)->first_frame_time();
  ASSERT_TRUE(first);
  EXPECT_GE(*first, pushed);
  EXPECT_LT(*first - pushed, 2s);
}

TEST(Player, KeepsPlayingAfterGarbage) {
  auto player = Player::create(SinkKind::kFake);
  ASSERT_TRUE(player) << player.error();
  std::mt19937 rng(7);
  std::vector<uint8_t> junk(188 * 20);
  for (auto& b : junk) b = static_cast<uint8_t>(rng());
  (*player)->push(junk);
  push_in_pieces(**player, make_ts(2));
  EXPECT_GE(wait_for_frames(**player, 60 - kHeldBack), 55u);
  (*player)->poll_messages();
}

TEST(Player, ContinuesAfterASkippedStretch) {
  auto player = Player::create(SinkKind::kFake);
  ASSERT_TRUE(player) << player.error();
  // Seconds 0-1 and 2-3 of one timeline: the second is missing, as when a
  // peer skips chunks that missed their deadline.
  push_in_pieces(**player, make_ts(1, 0));
  push_in_pieces(**player, make_ts(1, 2));
  const auto frames = wait_for_frames(**player, 60 - kHeldBack);
  EXPECT_GE(frames, 60 - kHeldBack);
  EXPECT_LE(frames, 60u);
}

}  // namespace
}  // namespace shoal
