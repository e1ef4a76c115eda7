// Frames wait for the uplink's tokens first come, first served; pushes down
// the trees (urgent) go ahead of requested data.
#include "overlay/limits/uplink_queue.h"

#include <gtest/gtest.h>

#include <string>

namespace shoal {
namespace {

using namespace std::chrono_literals;
const UplinkQueue::Clock::time_point t0 = UplinkQueue::Clock::time_point{} + 1h;

// Lets everything through, time passing as the rate needs.
void drain(UplinkQueue& q) {
  auto now = t0;
  while (q.waiting() > 0) {
    now += 1s;
    while (auto ready = q.pop_ready(now)) ready();
  }
}

struct Recorder {
  std::string order;
  std::function<void()> frame(char c) {
    return [this, c] { order += c; };
  }
};

TEST(UplinkQueue, FramesGoFirstComeFirstServed) {
  UplinkQueue q(1'000'000);
  Recorder r;
  q.add(1000, r.frame('a'));
  q.add(1000, r.frame('b'));
  q.add(1000, r.frame('c'));
  drain(q);
  EXPECT_EQ(r.order, "abc");
}

TEST(UplinkQueue, APushGoesAheadOfRequestedData) {
  UplinkQueue q(1'000'000);
  Recorder r;
  q.add(1000, r.frame('a'));
  q.add(1000, r.frame('b'));
  q.add(1000, r.frame('P'), true);
  q.add(1000, r.frame('Q'), true);
  drain(q);
  EXPECT_EQ(r.order, "PQab") << "pushes in their own order";
}

}  // namespace
}  // namespace shoal
