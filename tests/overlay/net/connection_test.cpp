#include "overlay/net/connection.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "overlay/wire/codec.h"
#include "run_until.h"

namespace shoal {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

using testing::run_until;

ChunkMsg chunk(uint64_t seq, size_t payload_bytes) {
  auto c = std::make_shared<Chunk>();
  c->seq = ChunkSeq(seq);
  c->payload.assign(payload_bytes, 0x47);
  ChunkMsg m{std::move(c)};
  return m;
}

// What one end of a connection saw.
struct Seen {
  std::vector<Message> messages;
  size_t bytes_in = 0;
  int closed = 0;
  std::string reason;
  int frames_sent = 0;

  Connection::Handler handler() {
    return {.on_message =
                [this](Message m, size_t bytes) {
                  messages.push_back(std::move(m));
                  bytes_in += bytes;
                },
            .on_closed =
                [this](const std::string& r) {
                  ++closed;
                  reason = r;
                },
            .on_sent = [this] { ++frames_sent; }};
  }
  size_t count_chunks() const {
    size_t n = 0;
    for (const Message& m : messages) n += std::holds_alternative<ChunkMsg>(m);
    return n;
  }
};

// Two connected loopback TCP sockets.
std::pair<tcp::socket, tcp::socket> socket_pair(asio::io_context& io) {
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket out(io);
  out.connect(acceptor.local_endpoint());
  return {std::move(out), acceptor.accept()};
}

// Two Connections over loopback TCP, `a` sending to `b`.
class ConnectionPair : public ::testing::Test {
 protected:
  ConnectionPair() {
    auto [out, in] = socket_pair(io_);
    a_ = Connection::start(std::move(out), seen_a_.handler());
    b_ = Connection::start(std::move(in), seen_b_.handler());
  }

  void TearDown() override {
    if (b_) b_->close("test over");
    EXPECT_TRUE(run_until(
        io_, [&] { return seen_a_.closed && seen_b_.closed; }, 2s));
  }

  asio::io_context io_;
  Seen seen_a_, seen_b_;
  std::shared_ptr<Connection> a_, b_;
};

TEST_F(ConnectionPair, FramesArriveInTheOrderSentWithTheirSizes) {
  const std::vector<Message> sent = {RequestMsg{ChunkSeq(1)}, chunk(1, 1000),
                                     RequestMsg{ChunkSeq(2)}, chunk(2, 1000)};
  for (const Message& m : sent) a_->send(m);
  ASSERT_TRUE(run_until(
      io_, [&] { return seen_b_.messages.size() == 4; }, 2s));
  size_t bytes = 0;
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(seen_b_.messages[i].index(), sent[i].index());
    bytes += encode_frame(sent[i]).size();
  }
  EXPECT_EQ(seen_b_.bytes_in, bytes);
  EXPECT_EQ(seen_a_.frames_sent, 4);
  EXPECT_EQ(a_->queued_frames(), 0u);
}

TEST_F(ConnectionPair, CloseFlushesWhatIsQueuedEvenIfTheOwnerLetsGo) {
  for (uint64_t s = 0; s < 3; ++s) a_->send(chunk(s, 200'000));
  a_->close("done");
  EXPECT_FALSE(a_->open());
  a_->send(chunk(3, 20'000));  // ignored: closing
  a_.reset();

  ASSERT_TRUE(run_until(
      io_, [&] { return seen_a_.closed && seen_b_.closed; }, 3s));
  EXPECT_EQ(seen_b_.count_chunks(), 3u);
  EXPECT_EQ(seen_a_.closed, 1);
  EXPECT_EQ(seen_a_.reason, "done");
  EXPECT_EQ(seen_a_.frames_sent, 3);
}

TEST_F(ConnectionPair, TheRemoteClosingShutsTheOtherEnd) {
  b_->close("enough");
  ASSERT_TRUE(run_until(
      io_, [&] { return seen_a_.closed == 1; }, 2s));
  EXPECT_EQ(seen_a_.reason, "closed by remote");
}

// Callbacks outlive a close() from inside them: ASan checks that the handler's
// own state is still there after the call returns.
TEST_F(ConnectionPair, AHandlerMayCloseItsOwnConnection) {
  auto [out, in] = socket_pair(io_);
  std::shared_ptr<Connection> sender, receiver;
  bool sender_closed = false, receiver_closed = false;
  sender = Connection::start(std::move(out),
                             {.on_message = [](Message, size_t) {},
                              .on_closed = [&](const std::string&) { sender_closed = true; },
                              .on_sent =
                                  [&, state = std::make_shared<std::string>("sent")] {
                                    sender->close("after one chunk");
                                    sender.reset();
                                    state->append(" and closed");
                                  }});
  receiver = Connection::start(std::move(in),
                               {.on_message =
                                    [&, state = std::make_shared<std::string>("got")](Message, size_t) {
                                      receiver->close("after one message");
                                      receiver.reset();
                                      state->append(" and closed");
                                    },
                                .on_closed = [&](const std::string&) { receiver_closed = true; }});
  sender->send(chunk(1, 1000));
  EXPECT_TRUE(run_until(
      io_, [&] { return sender_closed && receiver_closed; }, 2s));
}

// A body comes in steps, never allocated in full from its header: one sent in
// dribbles, with pauses, arrives whole.
TEST(Connection, ABodyArrivesWholeWhateverStepsItComesIn) {
  asio::io_context io;
  auto [out, in] = socket_pair(io);
  Seen seen;
  auto c = Connection::start(std::move(in), seen.handler());
  const auto frame = encode_frame(chunk(7, 300'000));
  asio::write(out, asio::buffer(frame.data(), 10));
  EXPECT_FALSE(run_until(io, [&] { return !seen.messages.empty(); }, 50ms));
  bool written = false;
  asio::async_write(out, asio::buffer(frame.data() + 10, frame.size() - 10),
                    [&](boost::system::error_code ec, size_t) { written = !ec; });
  ASSERT_TRUE(run_until(io, [&] { return written && seen.count_chunks() == 1; }, 2s));
  EXPECT_EQ(std::get<ChunkMsg>(seen.messages[0]).chunk->payload.size(), 300'000u);
  EXPECT_EQ(seen.bytes_in, frame.size());
  c->close("test over");
  EXPECT_TRUE(run_until(io, [&] { return seen.closed == 1; }, 2s));
}

// A header may announce up to 4 MiB, but a HAVE may be 16 KiB: the first
// bytes of the body tell its type, and the connection closes there.
TEST(Connection, AControlFrameLongerThanItsTypeAllowsIsRefusedAtItsFirstBytes) {
  asio::io_context io;
  auto [out, in] = socket_pair(io);
  Seen seen;
  auto c = Connection::start(std::move(in), seen.handler());
  const std::vector<uint8_t> start{0x00, 0x40, 0x00, 0x00, 0x92, 0x03, 0x92, 0xdc, 0xff, 0xff};
  asio::write(out, asio::buffer(start));
  ASSERT_TRUE(run_until(io, [&] { return seen.closed == 1; }, 2s));
  EXPECT_NE(seen.reason.find("HAVE frame of 4194304 bytes exceeds"), std::string::npos)
      << seen.reason;
  EXPECT_TRUE(seen.messages.empty());
}

}  // namespace
}  // namespace shoal
