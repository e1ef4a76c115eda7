#include "overlay/net/upload_limiter.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "overlay/net/connection.h"
#include "run_until.h"

namespace shoal {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

using testing::run_until;

void run_for(asio::io_context& io, Clock::duration d) {
  io.restart();
  io.run_for(d);
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// --- The limiter alone ---------------------------------------------------

TEST(UploadLimiter, GrantsInOrderOfAsking) {
  asio::io_context io;
  UploadLimiter limiter(io, 100'000);
  std::string order;
  limiter.acquire(20'000, [&] { order += 'a'; });
  limiter.acquire(20'000, [&] { order += 'b'; });
  limiter.acquire(1, [&] { order += 'c'; });  // small, but asked last
  EXPECT_TRUE(order.empty()) << "never called from inside acquire";
  ASSERT_TRUE(run_until(
      io, [&] { return order.size() == 3; }, 2s));
  EXPECT_EQ(order, "abc");
  EXPECT_EQ(limiter.bytes_granted(), 40'001u);
}

TEST(UploadLimiter, AFrameLargerThanTheBucketGoesOutAtOnceAndLeavesDebt) {
  asio::io_context io;
  UploadLimiter limiter(io, 100'000);  // bucket: 16 KiB
  const auto t0 = Clock::now();
  double first = -1, second = -1;
  limiter.acquire(50'000, [&] { first = seconds_since(t0); });
  limiter.acquire(1'000, [&] { second = seconds_since(t0); });
  ASSERT_TRUE(run_until(
      io, [&] { return second >= 0; }, 2s));
  EXPECT_LT(first, 0.1);
  // (50 000 - 16 384 + 1 000) bytes at 100 kB/s: about 0.35 s.
  EXPECT_GT(second, 0.3);
  EXPECT_LT(second, 0.7);
}

TEST(UploadLimiter, ChargedBytesDelayTheWaiters) {
  asio::io_context io;
  UploadLimiter limiter(io, 100'000);
  const auto t0 = Clock::now();
  limiter.charge(50'000);
  double granted = -1;
  limiter.acquire(1'000, [&] { granted = seconds_since(t0); });
  ASSERT_TRUE(run_until(
      io, [&] { return granted >= 0; }, 2s));
  EXPECT_GT(granted, 0.3);
  EXPECT_LT(granted, 0.7);
  EXPECT_EQ(limiter.bytes_charged(), 50'000u);
  EXPECT_EQ(limiter.bytes_granted(), 1'000u);
}

TEST(UploadLimiter, ACancelledWaiterIsNeverCalledAndGivesUpItsTurn) {
  asio::io_context io;
  UploadLimiter limiter(io, 100'000);
  limiter.charge(16 * 1024);  // empty bucket: everyone waits
  bool cancelled_called = false, next_called = false;
  const auto ticket = limiter.acquire(10'000, [&] { cancelled_called = true; });
  limiter.acquire(1'000, [&] { next_called = true; });
  limiter.cancel(ticket);
  limiter.cancel(ticket);  // twice: ignored
  EXPECT_EQ(limiter.waiting(), 1u);
  // The next waiter goes when its own 1 000 bytes are there (~10 ms), not
  // after the cancelled 10 000 (~100 ms).
  const auto t0 = Clock::now();
  ASSERT_TRUE(run_until(
      io, [&] { return next_called; }, 1s));
  EXPECT_LT(seconds_since(t0), 0.08);
  run_for(io, 150ms);
  EXPECT_FALSE(cancelled_called);
  EXPECT_EQ(limiter.bytes_granted(), 1'000u);
}

TEST(UploadLimiter, DestroyingTheLimiterDropsItsWaitersUncalled) {
  asio::io_context io;
  auto limiter = std::make_unique<UploadLimiter>(io, 10'000);
  limiter->charge(16 * 1024);
  bool called = false;
  limiter->acquire(1'000, [&] { called = true; });
  limiter.reset();
  run_for(io, 200ms);
  EXPECT_FALSE(called);
}

TEST(UploadLimiter, RaisingTheRateReschedulesTheWaiters) {
  asio::io_context io;
  UploadLimiter limiter(io, 1'000);
  limiter.charge(16 * 1024);
  bool called = false;
  limiter.acquire(1'000, [&] { called = true; });  // 1 s away at 1 kB/s
  limiter.set_rate(1'000'000);
  EXPECT_EQ(limiter.rate(), 1'000'000);
  const auto t0 = Clock::now();
  ASSERT_TRUE(run_until(
      io, [&] { return called; }, 2s));
  EXPECT_LT(seconds_since(t0), 0.2);
}

TEST(UploadLimiter, RateZeroReleasesEveryoneAtOnce) {
  asio::io_context io;
  UploadLimiter limiter(io, 1'000);
  limiter.charge(16 * 1024);
  int called = 0;
  for (int i = 0; i < 5; ++i) limiter.acquire(100'000, [&] { ++called; });
  limiter.set_rate(0);
  const auto t0 = Clock::now();
  ASSERT_TRUE(run_until(
      io, [&] { return called == 5; }, 2s));
  EXPECT_LT(seconds_since(t0), 0.1);
}

// --- Connections sharing a limiter over loopback TCP -----------------------

constexpr size_t kPayload = 30'000;

// A sender Connection (with the limiter) and a receiver Connection that
// counts the chunks arriving.
struct Link {
  std::shared_ptr<Connection> sender;
  std::shared_ptr<Connection> receiver;
  size_t chunks_in = 0;
  bool sender_closed = false;
  bool receiver_closed = false;
};

class LimitedLinks : public ::testing::Test {
 protected:
  LimitedLinks() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {}

  void connect(int n, const std::shared_ptr<UploadLimiter>& limiter) {
    links_.resize(n);
    for (int i = 0; i < n; ++i) {
      tcp::socket out(io_);
      out.connect(acceptor_.local_endpoint());
      tcp::socket in = acceptor_.accept();
      Link& link = links_[i];
      link.sender = Connection::start(
          std::move(out),
          {.on_message = [](Message) {},
           .on_closed = [&link](const std::string&) { link.sender_closed = true; }});
      link.sender->set_upload_limiter(limiter);
      link.receiver = Connection::start(
          std::move(in),
          {.on_message =
               [this, i, &link](Message m) {
                 if (!std::holds_alternative<ChunkMsg>(m)) return;
                 ++link.chunks_in;
                 arrivals_.push_back(i);
               },
           .on_closed = [&link](const std::string&) { link.receiver_closed = true; }});
    }
  }

  void send_chunks(int link, size_t count) {
    for (size_t i = 0; i < count; ++i) {
      ChunkMsg m;
      m.chunk.seq = ChunkSeq(i);
      m.chunk.payload.assign(kPayload, 0x47);
      links_[link].sender->send(m);
    }
  }

  bool all_arrived(size_t per_link) const {
    for (const Link& l : links_) {
      if (l.chunks_in < per_link) return false;
    }
    return true;
  }

  size_t bytes_in(int link) const { return links_[link].chunks_in * kPayload; }

  void TearDown() override {
    for (Link& l : links_) l.receiver->close("test over");
    EXPECT_TRUE(run_until(
        io_,
        [&] {
          for (const Link& l : links_) {
            if (!l.sender_closed || !l.receiver_closed) return false;
          }
          return true;
        },
        2s));
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::vector<Link> links_;
  std::vector<int> arrivals_;  // the link of each chunk, in order of arrival
};

TEST_F(LimitedLinks, TwoConnectionsShareTheRateFirstComeFirstServed) {
  auto limiter = std::make_shared<UploadLimiter>(io_, 400'000);
  connect(2, limiter);
  send_chunks(0, 20);  // 2 x 600 kB
  send_chunks(1, 20);
  const auto t0 = Clock::now();
  ASSERT_TRUE(run_until(
      io_, [&] { return all_arrived(20); }, 6s));
  // 1.2 MB less the first 40 kB burst, at 400 kB/s: about 2.9 s.
  const double took = seconds_since(t0);
  EXPECT_GT(took, 2.4);
  EXPECT_LT(took, 4.5);

  // Neither link had all its data before the other had half of its own.
  for (int link : {0, 1}) {
    size_t own = 0, other = 0;
    for (int from : arrivals_) {
      (from == link ? own : other) += 1;
      if (own == 20) break;
    }
    EXPECT_GE(other, 10u) << "link " << link;
  }
  const uint64_t chunk_bytes =
      links_[0].sender->traffic().chunk_out + links_[1].sender->traffic().chunk_out;
  EXPECT_EQ(limiter->bytes_granted(), chunk_bytes);
}

TEST_F(LimitedLinks, UnlimitedIsFast) {
  auto limiter = std::make_shared<UploadLimiter>(io_, 0);
  connect(2, limiter);
  send_chunks(0, 20);
  send_chunks(1, 20);
  const auto t0 = Clock::now();
  ASSERT_TRUE(run_until(
      io_, [&] { return all_arrived(20); }, 6s));
  EXPECT_LT(seconds_since(t0), 1.0);
}

TEST_F(LimitedLinks, ANewRateTakesEffectMidRun) {
  auto limiter = std::make_shared<UploadLimiter>(io_, 50'000);
  connect(1, limiter);
  send_chunks(0, 20);  // 600 kB: 12 s at 50 kB/s
  const auto t0 = Clock::now();
  run_for(io_, 300ms);
  EXPECT_LE(bytes_in(0), 2 * kPayload);  // 16 KiB of burst and 300 ms at 50 kB/s
  limiter->set_rate(1'000'000);
  ASSERT_TRUE(run_until(
      io_, [&] { return all_arrived(20); }, 6s));
  // About 0.3 s, then the remaining ~570 kB at 1 MB/s.
  const double took = seconds_since(t0);
  EXPECT_GT(took, 0.6);
  EXPECT_LT(took, 2.0);
}

TEST_F(LimitedLinks, ClosingAConnectionWhileItWaitsIsSafe) {
  auto limiter = std::make_shared<UploadLimiter>(io_, 20'000);
  connect(2, limiter);
  send_chunks(0, 5);
  ASSERT_TRUE(run_until(
      io_, [&] { return links_[0].chunks_in == 1; }, 2s));
  ASSERT_EQ(limiter->waiting(), 1u);  // link 0's second chunk

  // The remote end goes away: the sender shuts, cancels its wait, and its
  // owner lets go of it.
  links_[0].receiver->close("gone");
  ASSERT_TRUE(run_until(
      io_, [&] { return links_[0].sender_closed; }, 2s));
  EXPECT_EQ(limiter->waiting(), 0u);
  EXPECT_EQ(links_[0].sender->queued_chunks(), 0u);
  links_[0].sender.reset();

  // The limiter carries on for the others.
  send_chunks(1, 1);
  ASSERT_TRUE(run_until(
      io_, [&] { return links_[1].chunks_in == 1; }, 4s));
}

}  // namespace
}  // namespace shoal
