#pragma once
// NullPlayer: the Player of a viewer that decodes nothing (SinkKind::kNone).
//
// A benchmark runs dozens of viewers on one machine, which cannot decode that
// many streams in real time; the decoders' contention for the CPU would then
// be measured instead of the swarm. Such a viewer still verifies, orders and
// plays out every chunk on its deadline; the first chunk handed over stands
// for the first frame, so startup delay leaves out only the decode itself.

#include "player/player.h"

namespace shoal {

class NullPlayer final : public Player {
 public:
  void push(std::span<const uint8_t>) override {
    if (!first_) first_ = std::chrono::steady_clock::now();
  }
  uint64_t frames_decoded() const override { return 0; }
  std::optional<std::chrono::steady_clock::time_point> first_frame_time() const override {
    return first_;
  }
  std::vector<std::string> poll_messages() override { return {}; }

 private:
  std::optional<std::chrono::steady_clock::time_point> first_;
};

}  // namespace shoal
