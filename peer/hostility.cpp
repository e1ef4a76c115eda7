#include "peer/hostility.h"

#include <algorithm>

namespace shoal {

namespace {

constexpr int kFloodRequests = 300;  // per neighbour and tick
constexpr std::chrono::milliseconds kGarbageEvery{500};
constexpr std::chrono::milliseconds kRedialEvery{500};
// A CANCEL this close to the end of a request's wait was its timeout (the
// request may have been held up more than the CANCEL); one earlier in the
// wait was for a chunk that came from elsewhere.
constexpr std::chrono::milliseconds kCancelSlack{200};
constexpr int kCancelSlackShare = 8;  // of the wait, at most
constexpr double kTrickle = 25;             // the slow uplink: what is asked / this
constexpr double kTrickleUnlimited = 8000;  // bytes/s, when no limit is asked

// No room for children, whatever the engine would say.
void no_room(StripesMsg& m) {
  std::ranges::fill(m.takes, static_cast<uint8_t>(kStripes + 1));
  m.slots = 0;
  m.pushing = 0;
}

// Every chunk of the window up to the newest it holds, claimed held: only
// chunks that exist, so that only asking for them finds the lie out.
void claim_all(BufferMapMsg& m) {
  uint32_t newest = 0;
  for (uint32_t i = 0; i < m.count; ++i) {
    if (m.have[i / 8] & (1u << (i % 8))) newest = i + 1;
  }
  for (uint32_t i = 0; i < newest; ++i) m.have[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
}

PieceMsg forged(const PieceMsg& piece) {
  PieceMsg f = piece;
  const auto data = piece.data();
  f.bytes.assign(data.begin(), data.end());
  f.whole = nullptr;
  if (!f.bytes.empty()) f.bytes[f.bytes.size() / 2] ^= 0xff;
  return f;
}

std::shared_ptr<const Chunk> forged(const Chunk& chunk) {
  auto f = std::make_shared<Chunk>(chunk);
  if (!f->payload.empty()) f->payload[f->payload.size() / 2] ^= 0xff;
  return f;
}

// Malformed or out of place, in turn.
Message garbage(size_t turn) {
  switch (turn % 3) {
    case 0:
      return BufferMapMsg{.base_seq = ChunkSeq(0), .count = 64, .have = {}, .random_access = {}};
    case 1:
      return StripesMsg{};
    default:
      return AnnounceMsg{};
  }
}

}  // namespace

std::vector<Endpoint> sybil_addresses(const std::string& host, size_t n, std::mt19937_64& rng) {
  std::uniform_int_distribution<uint16_t> port(40000, 59999);
  std::vector<Endpoint> out;
  for (size_t i = 0; i < n; ++i) out.push_back(Endpoint{host, port(rng)});
  return out;
}

void Hostility::offend(ConnId conn, WallTime now) {
  if (const auto v = viewers_.find(conn); v != viewers_.end())
    first_offence_.try_emplace(v->second.id, now);
}

void Hostility::heard(ConnId from, const Message& m, WallTime now) {
  if (const auto* hello = std::get_if<Hello>(&m)) {
    viewers_[from] = {hello->peer_id, hello->listen_port};
  } else if (const auto* r = std::get_if<RequestMsg>(&m)) {
    if (const auto v = viewers_.find(from); v != viewers_.end()) {
      const auto wait = r->wait().value_or(std::chrono::milliseconds(1000));
      v->second.waiting[r->seq] = {now + wait, std::min(kCancelSlack, wait / kCancelSlackShare)};
    }
  } else if (const auto* c = std::get_if<CancelMsg>(&m)) {
    const auto v = viewers_.find(from);
    if (v == viewers_.end()) return;
    const auto w = v->second.waiting.find(c->seq);
    if (w == v->second.waiting.end()) return;
    // Cancelled as its wait ran out, not because the chunk came from elsewhere.
    const bool in_vain = now >= w->second.until - w->second.slack;
    if (in_vain && (kind_ == Offence::liar || (kind_ == Offence::slow && w->second.begun)))
      offend(from, now);
    v->second.waiting.erase(w);
  }
}

bool Hostility::bend(ConnId to, Message& m, WallTime now) {
  // A viewer we choke forgets what it asked of us and waits for none of it
  // (so cannot find out that it was never coming).
  if (const auto v = viewers_.find(to); v != viewers_.end() && std::holds_alternative<ChokeMsg>(m))
    v->second.waiting.clear();
  switch (kind_) {
    case Offence::forge:
      if (auto* piece = std::get_if<PieceMsg>(&m)) {
        m = forged(*piece);
        offend(to, now);
      } else if (auto* chunk = std::get_if<ChunkMsg>(&m)) {
        chunk->chunk = forged(*chunk->chunk);
        offend(to, now);
      }
      return true;
    case Offence::liar:
      if (auto* map = std::get_if<BufferMapMsg>(&m)) claim_all(*map);
      if (auto* stripes = std::get_if<StripesMsg>(&m)) no_room(*stripes);
      return !std::holds_alternative<PieceMsg>(m) && !std::holds_alternative<ChunkMsg>(m) &&
             !std::holds_alternative<ChunkHeadMsg>(m) && !std::holds_alternative<RejectMsg>(m);
    case Offence::slow:
      if (auto* stripes = std::get_if<StripesMsg>(&m)) no_room(*stripes);
      if (const auto v = viewers_.find(to); v != viewers_.end()) {
        auto& waiting = v->second.waiting;
        if (const auto* piece = std::get_if<PieceMsg>(&m)) {
          if (const auto w = waiting.find(piece->seq); w != waiting.end()) w->second.begun = true;
        } else if (const auto* reject = std::get_if<RejectMsg>(&m)) {
          // A request turned away was answered: no offence, whatever comes after.
          waiting.erase(reject->seq);
        }
      }
      return true;
    case Offence::sybil:
    case Offence::flood:
    case Offence::garbage:
      return true;
  }
  return true;
}

Actions Hostility::tick(std::optional<ChunkSeq> newest, WallTime now) {
  Actions out;
  for (auto& [conn, v] : viewers_) {
    const size_t before = v.waiting.size();
    std::erase_if(v.waiting, [&](const auto& w) { return w.second.until + kCancelSlack <= now; });
    // No CANCEL came: the viewer stopped waiting, or (from the slow one) got it all in time.
    if (v.waiting.size() < before && kind_ == Offence::liar) offend(conn, now);
  }
  if (kind_ == Offence::flood) {
    for (const auto& [conn, v] : viewers_) {
      if (!newest) break;
      std::uniform_int_distribution<int> back(0, 30);
      for (int i = 0; i < kFloodRequests; ++i) {
        const ChunkSeq seq =
            ChunkSeq(newest->value - std::min<uint64_t>(newest->value, back(rng_)));
        out.push_back(SendAction{conn, RequestMsg{seq, 1000}});
      }
      offend(conn, now);
    }
    for (Redial& r : redials_) {
      if (r.next > now) continue;
      r.next = now + kRedialEvery;
      --r.left;
      out.push_back(DialAction{r.to});
    }
    std::erase_if(redials_, [](const Redial& r) { return r.left <= 0; });
  }
  if (kind_ == Offence::garbage && now - last_garbage_ >= kGarbageEvery) {
    last_garbage_ = now;
    for (const auto& [conn, v] : viewers_) {
      out.push_back(SendAction{conn, garbage(garbage_turn_++)});
      offend(conn, now);
    }
  }
  return out;
}

void Hostility::closed(ConnId conn, const std::string& host, WallTime now) {
  const auto v = viewers_.find(conn);
  if (v == viewers_.end()) return;
  const Endpoint to{host, v->second.listen_port};
  viewers_.erase(v);
  // Once per viewer: a redial it drops again must not start the storm over.
  if (kind_ != Offence::flood || to.port == 0 || !redialled_.insert(to.to_string()).second) return;
  redials_.push_back({to, now + kRedialEvery});
}

double Hostility::uplink(double asked) const {
  if (kind_ != Offence::slow) return asked;
  return asked > 0 ? asked / kTrickle : kTrickleUnlimited;
}

std::vector<Hostility::Offended> Hostility::offended() const {
  std::vector<Offended> out;
  for (const auto& [id, at] : first_offence_) out.push_back({id, at});
  return out;
}

}  // namespace shoal
