#include "player/player.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <thread>

// Under ASan (SHOAL_SANITIZE): GLib allocates a block in its library
// constructor and keeps it for the life of the process. Seeing the constructor
// in the stack needs the slow unwinder (GLib has no frame pointers).
extern "C" const char* __asan_default_options() { return "fast_unwind_on_malloc=0"; }
extern "C" const char* __lsan_default_suppressions() { return "leak:_dl_init\n"; }

namespace shoal {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

constexpr size_t kTsPacket = 188;
constexpr uint16_t kVideoPid = 0x100;  // ffmpeg puts the first stream, the video, here
constexpr size_t kClipFrames = 150;    // 5 s at 30 fps
constexpr size_t kGop = 15;            // a keyframe every 15 frames (0.5 s)
// The newest frame pushed stays in the pipeline until the next one starts to
// arrive: tsdemux ends a video PES (length 0 from ffmpeg) only at the next
// PES, and h264parse ends an access unit only at the next one.
constexpr size_t kFramesHeldBack = 2;

// Where each video frame's PES starts in a TS (ffmpeg writes one PES per frame).
struct FrameStart {
  size_t offset;
  bool keyframe;
};

std::vector<FrameStart> video_frame_starts(std::span<const uint8_t> ts) {
  std::vector<FrameStart> starts;
  for (size_t at = 0; at + kTsPacket <= ts.size(); at += kTsPacket) {
    const uint8_t* p = ts.data() + at;
    const bool unit_start = p[1] & 0x40;
    const uint16_t pid = (p[1] & 0x1f) << 8 | p[2];
    if (p[0] != 0x47 || !unit_start || pid != kVideoPid) continue;
    const bool has_adaptation = (p[3] & 0x20) && p[4] > 0;
    starts.push_back({at, has_adaptation && (p[5] & 0x40)});  // random_access_indicator
  }
  return starts;
}

// A 5 s clip (H.264 + AAC in MPEG-TS), made once for the suite with the ffmpeg CLI.
class PlayerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("shoal_player_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    const auto path = dir_ / "clip.ts";
    const std::string command =
        "ffmpeg -v error -f lavfi -i testsrc2=size=320x240:rate=30 "
        "-f lavfi -i sine=frequency=440:sample_rate=48000 -t 5 -c:v libx264 -g 15 -bf 0 "
        "-c:a aac -pix_fmt yuv420p -f mpegts -y " +
        path.string();
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    std::ifstream in(path, std::ios::binary);
    clip_ = Bytes(std::istreambuf_iterator<char>(in), {});
    frames_ = video_frame_starts(clip_);
    ASSERT_EQ(clip_.size() % kTsPacket, 0u);
    ASSERT_EQ(frames_.size(), kClipFrames);
    for (size_t i = 0; i < kClipFrames; ++i) ASSERT_EQ(frames_[i].keyframe, i % kGop == 0) << i;
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }
  void SetUp() override { ASSERT_EQ(frames_.size(), kClipFrames) << "the test clip was not made"; }

  static std::unique_ptr<Player> make_player() {
    auto player = Player::create(SinkKind::kFake);
    EXPECT_TRUE(player.ok()) << player.error();
    return player ? std::move(*player) : nullptr;
  }

  // The clip's bytes from the start of frame `first` to the start of frame
  // `end` (or the end of the clip), cut at TS packet boundaries.
  static std::span<const uint8_t> frames(size_t first, size_t end = kClipFrames) {
    const size_t from = first == 0 ? 0 : frames_[first].offset;
    const size_t to = end == kClipFrames ? clip_.size() : frames_[end].offset;
    return std::span<const uint8_t>(clip_).subspan(from, to - from);
  }

  // Pushes `ts` in pieces of 7 TS packets, as a network would deliver it.
  static void push_in_pieces(Player& player, std::span<const uint8_t> ts) {
    constexpr size_t kPiece = 7 * kTsPacket;
    for (size_t at = 0; at < ts.size(); at += kPiece) {
      player.push(ts.subspan(at, std::min(kPiece, ts.size() - at)));
    }
  }

  // Polls until the player has decoded `count` frames (bounded: the test fails
  // rather than hangs), then waits a little longer so that extra frames show.
  static uint64_t wait_for_frames(const Player& player, uint64_t count) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (player.frames_decoded() < count && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
    std::this_thread::sleep_for(150ms);
    return player.frames_decoded();
  }

  static Bytes garbage(size_t size) {
    std::mt19937 random(42);
    Bytes bytes(size);
    for (auto& b : bytes) b = static_cast<uint8_t>(random());
    return bytes;
  }

  static inline fs::path dir_;
  static inline Bytes clip_;
  static inline std::vector<FrameStart> frames_;
};

TEST_F(PlayerTest, DecodesEveryFramePushed) {
  auto player = make_player();
  ASSERT_TRUE(player);
  EXPECT_EQ(player->frames_decoded(), 0u);
  // Frames 0..121, so that frames 0..119 are complete and followed by more.
  push_in_pieces(*player, frames(0, 120 + kFramesHeldBack));
  EXPECT_EQ(wait_for_frames(*player, 120), 120u);
  push_in_pieces(*player, frames(120 + kFramesHeldBack));
  EXPECT_EQ(wait_for_frames(*player, kClipFrames - kFramesHeldBack), kClipFrames - kFramesHeldBack);
  EXPECT_EQ(player->poll_messages(), std::vector<std::string>{});
}

TEST_F(PlayerTest, NotesFirstFrameTime) {
  auto player = make_player();
  ASSERT_TRUE(player);
  EXPECT_FALSE(player->first_frame_time());
  const auto pushed = std::chrono::steady_clock::now();
  push_in_pieces(*player, frames(0, kGop));
  ASSERT_GE(wait_for_frames(*player, 1), 1u);
  const auto first = player->first_frame_time();
  ASSERT_TRUE(first);
  EXPECT_GE(*first, pushed);
  EXPECT_LE(*first, std::chrono::steady_clock::now());
  const auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(*first - pushed);
  std::cout << "first frame " << latency.count() << " ms after the first push\n";
  EXPECT_LT(latency, 1s);
  push_in_pieces(*player, frames(kGop));
  wait_for_frames(*player, kClipFrames - kFramesHeldBack);
  EXPECT_EQ(player->first_frame_time(), first);
}

TEST_F(PlayerTest, KeepsPlayingAfterGarbage) {
  auto player = make_player();
  ASSERT_TRUE(player);
  player->push(garbage(64 * 1024 + 17));  // not even whole TS packets
  push_in_pieces(*player, clip_);
  EXPECT_EQ(wait_for_frames(*player, kClipFrames - kFramesHeldBack), kClipFrames - kFramesHeldBack);
  for (const auto& m : player->poll_messages()) std::cout << "player: " << m << "\n";
}

TEST_F(PlayerTest, KeepsPlayingAfterGarbageMidStream) {
  auto player = make_player();
  ASSERT_TRUE(player);
  push_in_pieces(*player, frames(0, 2 * kGop));
  const auto before = wait_for_frames(*player, 2 * kGop - kFramesHeldBack);
  player->push(garbage(32 * 1024));
  push_in_pieces(*player, frames(4 * kGop));
  const auto after = wait_for_frames(*player, before + kClipFrames - 4 * kGop - kFramesHeldBack);
  std::cout << "frames " << before << " before the garbage, " << after << " in all\n";
  EXPECT_EQ(after, before + kFramesHeldBack + kClipFrames - 4 * kGop - kFramesHeldBack);
  for (const auto& m : player->poll_messages()) std::cout << "player: " << m << "\n";
  push_in_pieces(*player, garbage(4096));  // pushing after errors is harmless
}

TEST_F(PlayerTest, ContinuesAfterASkippedSegment) {
  auto player = make_player();
  ASSERT_TRUE(player);
  // Play the first second, skip the second one, resume at its keyframe.
  push_in_pieces(*player, frames(0, 30));
  const auto before = wait_for_frames(*player, 30 - kFramesHeldBack);
  EXPECT_EQ(before, 30 - kFramesHeldBack);
  push_in_pieces(*player, frames(60));
  const auto after = wait_for_frames(*player, before + 90 - kFramesHeldBack);
  std::cout << "frames " << before << " before the gap, " << after << " in all\n";
  // The two frames held back before the gap come out after it.
  EXPECT_EQ(after, 30 + 90 - kFramesHeldBack);
  for (const auto& m : player->poll_messages()) std::cout << "player: " << m << "\n";
}

TEST_F(PlayerTest, StopsPromptlyWithDataInFlight) {
  auto player = make_player();
  ASSERT_TRUE(player);
  push_in_pieces(*player, clip_);
  const auto stopping = std::chrono::steady_clock::now();
  player.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 1s);
}

TEST_F(PlayerTest, AutoSinkWithoutADisplayReportsInsteadOfCrashing) {
  if (std::getenv("DISPLAY") || std::getenv("WAYLAND_DISPLAY") || fs::exists("/dev/dri")) {
    GTEST_SKIP() << "this machine may have a display";
  }
  auto player = Player::create(SinkKind::kAuto);
  ASSERT_TRUE(player.ok()) << player.error();
  push_in_pieces(**player, frames(0, 2 * kGop));
  std::vector<std::string> messages;
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while ((messages.empty() || (*player)->frames_decoded() == 0) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
    for (auto& m : (*player)->poll_messages()) messages.push_back(std::move(m));
  }
  for (const auto& m : messages) std::cout << "player: " << m << "\n";
  EXPECT_FALSE(messages.empty());
  EXPECT_GT((*player)->frames_decoded(), 0u);
}

}  // namespace
}  // namespace shoal
