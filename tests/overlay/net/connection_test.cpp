#include "overlay/net/connection.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "run_until.h"

namespace shoal {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

using testing::run_until;

ChunkMsg chunk(uint64_t seq, size_t payload_bytes) {
  ChunkMsg m;
  m.chunk.seq = ChunkSeq(seq);
  m.chunk.payload.assign(payload_bytes, 0x47);
  return m;
}

// What one end of a connection saw.
struct Seen {
  std::vector<Message> messages;
  int closed = 0;
  std::string reason;
  int chunks_sent = 0;

  Connection::Handler handler() {
    return {.on_message = [this](Message m) { messages.push_back(std::move(m)); },
            .on_closed =
                [this](const std::string& r) {
                  ++closed;
                  reason = r;
                },
            .on_chunk_sent = [this] { ++chunks_sent; }};
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

TEST_F(ConnectionPair, ControlFramesKeepTheirOrderAndChunksTheirs) {
  a_->send(RequestMsg{ChunkSeq(1)});
  a_->send(chunk(1, 1000));
  a_->send(RequestMsg{ChunkSeq(2)});
  a_->send(chunk(2, 1000));
  ASSERT_TRUE(run_until(
      io_, [&] { return seen_b_.messages.size() == 4; }, 2s));
  std::vector<uint64_t> requests, chunks;
  for (const Message& m : seen_b_.messages) {
    if (const auto* r = std::get_if<RequestMsg>(&m)) requests.push_back(r->seq.value);
    if (const auto* c = std::get_if<ChunkMsg>(&m)) chunks.push_back(c->chunk.seq.value);
  }
  EXPECT_EQ(requests, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(chunks, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(seen_a_.chunks_sent, 2);
  EXPECT_EQ(a_->queued_bytes(), 0u);
  EXPECT_EQ(a_->queued_chunks(), 0u);
  EXPECT_EQ(a_->traffic().chunk_out, b_->traffic().chunk_in);
  EXPECT_EQ(a_->traffic().control_out, b_->traffic().control_in);
}

TEST_F(ConnectionPair, ControlFramesOvertakeAChunkBacklog) {
  auto limiter = std::make_shared<UploadLimiter>(io_, 100'000);
  a_->set_upload_limiter(limiter);
  for (uint64_t s = 0; s < 10; ++s) a_->send(chunk(s, 50'000));  // 5 s at 100 kB/s
  EXPECT_EQ(a_->queued_chunks(), 10u);
  EXPECT_GT(a_->queued_bytes(), 500'000u);

  a_->send(HaveMsg{.seqs = {ChunkSeq(10)}});
  const auto have = [&] {
    return std::find_if(seen_b_.messages.begin(), seen_b_.messages.end(),
                        [](const Message& m) { return std::holds_alternative<HaveMsg>(m); });
  };
  ASSERT_TRUE(run_until(
      io_, [&] { return have() != seen_b_.messages.end(); }, 2s));
  // At most the first chunk, which had its tokens at once, came before it.
  EXPECT_LE(have() - seen_b_.messages.begin(), 1);
  EXPECT_GE(a_->queued_chunks(), 8u);
  EXPECT_GT(limiter->bytes_charged(), 0u);

  // The receiver leaves: the sender shuts with its backlog still waiting.
  b_->close("enough");
  ASSERT_TRUE(run_until(
      io_, [&] { return seen_a_.closed == 1; }, 2s));
  EXPECT_EQ(seen_a_.reason, "closed by remote");
  EXPECT_EQ(a_->queued_chunks(), 0u);
  EXPECT_EQ(a_->queued_bytes(), 0u);
  EXPECT_EQ(limiter->waiting(), 0u);
}

TEST_F(ConnectionPair, CloseFlushesChunksWaitingForTheLimiterEvenIfTheOwnerLetsGo) {
  auto limiter = std::make_shared<UploadLimiter>(io_, 100'000);
  a_->set_upload_limiter(limiter);
  for (uint64_t s = 0; s < 3; ++s) a_->send(chunk(s, 20'000));
  a_->close("done");
  EXPECT_FALSE(a_->open());
  a_->send(chunk(3, 20'000));  // ignored: closing
  a_.reset();

  ASSERT_TRUE(run_until(
      io_, [&] { return seen_a_.closed && seen_b_.closed; }, 3s));
  EXPECT_EQ(seen_b_.count_chunks(), 3u);
  EXPECT_EQ(seen_a_.closed, 1);
  EXPECT_EQ(seen_a_.reason, "done");
  EXPECT_EQ(seen_a_.chunks_sent, 3);
}

// Callbacks outlive a close() from inside them: ASan checks that the handler's
// own state is still there after the call returns.
TEST_F(ConnectionPair, AHandlerMayCloseItsOwnConnection) {
  auto [out, in] = socket_pair(io_);
  std::shared_ptr<Connection> sender, receiver;
  bool sender_closed = false, receiver_closed = false;
  sender = Connection::start(std::move(out),
                             {.on_message = [](Message) {},
                              .on_closed = [&](const std::string&) { sender_closed = true; },
                              .on_chunk_sent =
                                  [&, state = std::make_shared<std::string>("sent")] {
                                    sender->close("after one chunk");
                                    sender.reset();
                                    state->append(" and closed");
                                  }});
  receiver = Connection::start(std::move(in),
                               {.on_message =
                                    [&, state = std::make_shared<std::string>("got")](Message) {
                                      receiver->close("after one message");
                                      receiver.reset();
                                      state->append(" and closed");
                                    },
                                .on_closed = [&](const std::string&) { receiver_closed = true; }});
  sender->send(chunk(1, 1000));
  EXPECT_TRUE(run_until(
      io_, [&] { return sender_closed && receiver_closed; }, 2s));
}

}  // namespace
}  // namespace shoal
