#pragma once
// LatencyModel: the one-way latency between two simulated hosts, between MIN
// and MAX, consistent rather than independent noise. Each host has a place:
// an access delay a in [0, 1) (its last mile) and a position x on a ring of
// circumference 1 (where on the globe it is). Between hosts i and j
//
//   latency = MIN + (MAX - MIN) * ((a_i + a_j) / 4 + ring distance(x_i, x_j))
//
// The bracket lies in [0, 1) with mean 1/2, so latencies spread over the
// range around its middle. They are symmetric and hold the triangle
// inequality, as on the internet: hosts near each other are near everyone
// near them, and a host on a slow last mile is slow to all. MIN == MAX gives
// every link that one latency.
//
// A host's place is a pure function of its name and the seed, so a run
// repeats whatever order hosts appear in.

#include <cstdint>
#include <string_view>

#include "sim/event_queue.h"

namespace shoal::sim {

class LatencyModel {
 public:
  LatencyModel(SimTime min, SimTime max, uint64_t seed) : min_(min), max_(max), seed_(seed) {}

  SimTime between(std::string_view a, std::string_view b) const;
  SimTime min() const { return min_; }
  SimTime max() const { return max_; }

 private:
  struct Place {
    double access;  // [0, 1)
    double ring;    // [0, 1)
  };
  Place place(std::string_view host) const;

  SimTime min_, max_;
  uint64_t seed_;
};

}  // namespace shoal::sim
