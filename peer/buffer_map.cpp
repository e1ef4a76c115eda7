#include "peer/buffer_map.h"

namespace shoal {
namespace {

bool bit(const std::vector<uint8_t>& bits, uint32_t i) { return bits[i / 8] >> (i % 8) & 1; }
void set_bit(std::vector<uint8_t>& bits, uint32_t i) { bits[i / 8] |= uint8_t(1u << (i % 8)); }

}  // namespace

void BufferMap::add(ChunkSeq seq, bool random_access) { held_[seq] = random_access; }

std::optional<ChunkSeq> BufferMap::newest() const {
  if (held_.empty()) return std::nullopt;
  return held_.rbegin()->first;
}

std::optional<ChunkSeq> BufferMap::newest_random_access() const {
  for (auto it = held_.rbegin(); it != held_.rend(); ++it) {
    if (it->second) return it->first;
  }
  return std::nullopt;
}

void BufferMap::forget_before(ChunkSeq seq) { held_.erase(held_.begin(), held_.lower_bound(seq)); }

BufferMapMsg BufferMap::to_message(ChunkSeq base, uint32_t count) const {
  BufferMapMsg m{base, count, std::vector<uint8_t>((count + 7) / 8),
                 std::vector<uint8_t>((count + 7) / 8)};
  for (auto it = held_.lower_bound(base); it != held_.end() && it->first - base < count; ++it) {
    const auto i = static_cast<uint32_t>(it->first - base);
    set_bit(m.have, i);
    if (it->second) set_bit(m.random_access, i);
  }
  return m;
}

bool BufferMap::assign(const BufferMapMsg& m) {
  const size_t bytes = (size_t{m.count} + 7) / 8;
  if (m.count > kMaxCount || m.have.size() != bytes || m.random_access.size() != bytes) {
    return false;
  }
  held_.clear();
  for (uint32_t i = 0; i < m.count; ++i) {
    if (bit(m.have, i)) held_[m.base_seq + i] = bit(m.random_access, i);
  }
  return true;
}

void BufferMap::apply(const HaveMsg& m) {
  for (ChunkSeq s : m.seqs) held_.try_emplace(s, false);
  for (ChunkSeq s : m.random_access) held_[s] = true;
}

}  // namespace shoal
