// A missing or corrupt input is a clear one-line error and a non-zero exit,
// before any channel URI is printed.
#include <gtest/gtest.h>

#include "harness.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

struct Outcome {
  int exit_code;
  std::string stdout_text;
  std::string stderr_text;
};

Outcome run_source(const TempDir& dir, const std::string& input) {
  auto p = Process::spawn({SHOAL_BINARY, "source", "--input", input, "--key", dir / "k"},
                          dir / "err.log");
  EXPECT_TRUE(p);
  const auto code = p->wait(30s);
  return {code.value_or(-1), p->read_rest(), read_file(dir / "err.log")};
}

TEST(SourceInput, MissingFileIsAClearError) {
  TempDir dir;
  const auto r = run_source(dir, "/no/such/file");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.stdout_text, "");
  EXPECT_NE(r.stderr_text.find("/no/such/file"), std::string::npos) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("No such file"), std::string::npos) << r.stderr_text;
  EXPECT_EQ(std::count(r.stderr_text.begin(), r.stderr_text.end(), '\n'), 1) << r.stderr_text;
}

TEST(SourceInput, TruncatedMp4IsAClearError) {
  TempDir dir;
  ASSERT_EQ(run_shell("ffmpeg -v error -f lavfi -i testsrc2=size=320x240:rate=25 -t 4 -c:v libx264 "
                      "-pix_fmt yuv420p -y " +
                      (dir / "clip.mp4") + " && head -c 20000 " + (dir / "clip.mp4") + " > " +
                      (dir / "cut.mp4")),
            "");
  const auto r = run_source(dir, dir / "cut.mp4");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.stdout_text, "");
  EXPECT_NE(r.stderr_text.find("cut.mp4"), std::string::npos) << r.stderr_text;
  EXPECT_EQ(std::count(r.stderr_text.begin(), r.stderr_text.end(), '\n'), 1) << r.stderr_text;
}

TEST(SourceInput, BadOptionsAreUsageErrors) {
  TempDir dir;
  auto p = Process::spawn({SHOAL_BINARY, "source", "--input", "testsrc", "--bitrate", "fast"},
                          dir / "err.log");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->wait(10s), 2);
  EXPECT_NE(read_file(dir / "err.log").find("bad bit rate"), std::string::npos);
}

TEST(PeerCli, BadChannelUriIsAUsageError) {
  TempDir dir;
  auto p = Process::spawn({SHOAL_BINARY, "peer", "http://example"}, dir / "err.log");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->wait(10s), 2);
  EXPECT_NE(read_file(dir / "err.log").find("bad channel URI"), std::string::npos);
}

}  // namespace
}  // namespace shoal::testing
