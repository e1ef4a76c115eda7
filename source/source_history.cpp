#include "source/source_history.h"

namespace shoal {

void SourceHistory::record(int64_t end_s, size_t viewers, uint64_t total_uploaded,
                           uint64_t total_delivered) {
  seconds_.push_back({.end_s = end_s,
                      .viewers = viewers,
                      .bytes_uploaded = total_uploaded - total_uploaded_,
                      .bytes_delivered = total_delivered - total_delivered_});
  total_uploaded_ = total_uploaded;
  total_delivered_ = total_delivered;
  if (seconds_.size() > kMaxSeconds) seconds_.pop_front();
}

nlohmann::json SourceHistory::to_json() const {
  nlohmann::json end_s = nlohmann::json::array(), viewers = nlohmann::json::array(),
                 uploaded = nlohmann::json::array(), delivered = nlohmann::json::array();
  for (const Second& s : seconds_) {
    end_s.push_back(s.end_s);
    viewers.push_back(s.viewers);
    uploaded.push_back(s.bytes_uploaded);
    delivered.push_back(s.bytes_delivered);
  }
  return {{"end_s", std::move(end_s)},
          {"viewers", std::move(viewers)},
          {"bytes_uploaded", std::move(uploaded)},
          {"bytes_delivered", std::move(delivered)}};
}

}  // namespace shoal
