#pragma once
// SourceHistory: the source's load second by second, for `shoal swarm` and
// `shoal simulate` plots (--plot) and the status page's charts: how many
// viewers it had, what it uploaded and what viewers said they received in
// each second. The SourceRunner records it once a second on its transport's
// clock, so a real process and the simulation keep it alike; it ends up in
// the source's stats JSON (`history`).
//
// Bounded: the newest kMaxSeconds seconds; older ones are dropped.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <nlohmann/json.hpp>

namespace shoal {

class SourceHistory {
 public:
  static constexpr size_t kMaxSeconds = 3600;

  struct Second {
    int64_t end_s = 0;             // the second ends this many seconds after the source started
    size_t viewers = 0;            // at its end
    uint64_t bytes_uploaded = 0;   // CHUNK and PIECE frame bytes the source sent in it
    uint64_t bytes_delivered = 0;  // payload bytes viewers said (HAVE) they came to hold in it
  };

  // Records the second ending `end_s` after the start, from the source's
  // running totals (SourceStats::bytes_uploaded, bytes_delivered): the
  // differences from the totals of the last call, or from 0 at the first.
  void record(int64_t end_s, size_t viewers, uint64_t total_uploaded, uint64_t total_delivered);

  const std::deque<Second>& seconds() const { return seconds_; }

  // {"end_s": [...], "viewers": [...], "bytes_uploaded": [...],
  //  "bytes_delivered": [...]}: a column per field, a row per second, oldest first.
  nlohmann::json to_json() const;

 private:
  std::deque<Second> seconds_;
  uint64_t total_uploaded_ = 0;
  uint64_t total_delivered_ = 0;
};

}  // namespace shoal
