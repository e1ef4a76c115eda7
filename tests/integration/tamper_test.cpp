// A polluting peer sits between a viewer and the source and corrupts every
// chunk, whole or pushed piece by piece. The viewer must reject the chunk,
// count it, never play it or pass it on, and drop (and ban) the sender.
#include <gtest/gtest.h>
#include <signal.h>

#include "harness.h"

namespace shoal::testing {
namespace {

using namespace std::chrono_literals;

void expect_tampering_rejected(const std::string& mode) {
  TempDir dir;
  auto source =
      start_source({"--input", "testsrc", "--key", dir / "source.key"}, dir / "source.log");
  ASSERT_TRUE(source) << read_file(dir / "source.log");
  auto proxy =
      Process::spawn({TAMPER_PROXY, "--source", source->uri.source.to_string(), "--mode", mode});
  ASSERT_TRUE(proxy) << proxy.error();
  const auto proxy_addr = proxy->read_line(10s);
  ASSERT_TRUE(proxy_addr);

  ChannelUri via_proxy = source->uri;
  via_proxy.source = *Endpoint::parse(*proxy_addr);
  auto peer = start_peer(via_proxy.to_string(),
                         {"--sink", "fake", "--duration", "4", "--stats-json", dir / "peer.json"},
                         dir / "peer.log");
  ASSERT_EQ(peer.wait(30s), 0);
  const auto log = read_file(dir / "peer.log");
  const auto stats = read_json(dir / "peer.json");
  ASSERT_FALSE(stats.is_discarded()) << log;

  EXPECT_EQ(stats["chunks_rejected"], 1) << stats.dump();  // banned after the first
  EXPECT_EQ(stats["chunks_on_time"], 0) << stats.dump();
  EXPECT_EQ(stats["frames_decoded"], 0) << stats.dump();
  // A whole chunk (the first one asked for) or a pushed one, whichever came first.
  EXPECT_TRUE(log.find("bad signature on chunk") != std::string::npos ||
              log.find("does not match its signed head") != std::string::npos)
      << log;
  EXPECT_NE(log.find("sent a bad chunk"), std::string::npos) << log;  // not redialled
  const auto closed = proxy->read_line(5s);
  ASSERT_TRUE(closed) << "the viewer never closed the polluter's connection";
  // The proxy may have sent more than one forged piece before the viewer's
  // close reached it (a new child is sent several chunks at once); the viewer
  // rejected one and dropped the sender (chunks_rejected above).
  EXPECT_EQ(closed->rfind("closed by viewer after ", 0), 0u) << *closed;
  EXPECT_NE(*closed, "closed by viewer after 0 tampered chunks");
  source->process.signal(SIGTERM);
}

TEST(Tampering, FlippedPayloadByteIsRejectedAndTheSenderDropped) {
  expect_tampering_rejected("flip");
}

TEST(Tampering, ChunkSignedByAnotherKeyIsRejectedAndTheSenderDropped) {
  expect_tampering_rejected("foreign");
}

}  // namespace
}  // namespace shoal::testing
