#include "peer/engine.h"

#include <algorithm>
#include <bit>
#include <iterator>

#include "media/chunk_signature.h"
#include "overlay/wire/push_messages.h"

namespace shoal {

namespace {
// Whether a neighbour wants something of ours is judged on our newest chunks.
constexpr int kInterestSpan = 8;
// Neighbours dialled beyond the target for each stripe without a parent.
constexpr size_t kOrphanDials = 2;
// How far a viewer's map may run ahead of the source's as we last heard
// it (the source's word and the chunk take different paths), in chunks.
constexpr int kAheadOfSource = 8;
constexpr const char* kUnpublished = "it claims chunks the source has not published";
// A shorter lag leaves less time for each step: a stripe still coming down
// its tree is repaired, and the source asked, within the same share of it.
PeerConfig fitted_to_lag(PeerConfig config) {
  const auto third = std::chrono::duration_cast<std::chrono::milliseconds>(config.lag) / 3;
  config.repair_before = std::min(config.repair_before, third);
  config.scheduler.source_window = std::min(config.scheduler.source_window, third);
  return config;
}

}  // namespace

// Every part takes its settings from config_, fitted to the lag.
PeerEngine::PeerEngine(PeerConfig config)
    : config_(fitted_to_lag(config)),
      clock_(config_.wall_minus_mono),
      rng_(config_.seed),
      store_(config_.window_chunks),
      playout_(config_.lag),
      scheduler_(config_.scheduler, config_.seed + 1),
      choker_(config_.choker, config_.seed + 2),
      neighbours_({.self = config_.self,
                   .source = config_.source,
                   .target = config_.target_neighbours,
                   .max = config_.max_neighbours,
                   .replace_after = config_.replace_after,
                   .candidates = config_.candidates,
                   .client_server = config_.client_server}),
      uploader_({.max_age = config_.scheduler.request_timeout,
                 .pipe = config_.upload_pipe,
                 .max_wait = config_.max_upload_wait,
                 .upload = config_.upload}),
      tree_(config_.self, false, config_.tree, config_.seed + 3) {}

Actions PeerEngine::take() { return std::exchange(out_, {}); }

Actions PeerEngine::on_connected(ConnId conn, LinkKind kind, const Endpoint& remote, WallTime now) {
  const Hello hello{kProtocolVersion, config_.channel, config_.self, config_.listen_port,
                    remote.host, config_.inside_host};
  Neighbour* n = neighbours_.connected(conn, kind, remote, now, tree_.room_for_children());
  if (kind == LinkKind::dialled) watch_.reached(remote);
  out_.push_back(SendAction{conn, hello});
  if (!n) {
    // Full: point the newcomer at our neighbours instead.
    out_.push_back(SendAction{conn, neighbours_.everyone()});
    out_.push_back(SendAction{conn, ByeMsg{"neighbour set full"}});
    out_.push_back(DisconnectAction{conn, "neighbour set full", false});
    return take();
  }
  send_buffer_map(conn, *n, now);
  query_time(conn, *n, now);
  return take();
}

Actions PeerEngine::on_dial_failed(const Endpoint& to, DialFailure failure, WallTime now) {
  neighbours_.dial_failed(to, now);
  if (failure == DialFailure::local) {
    maintain_neighbours(now);
    return take();
  }
  if (watch_.unreachable(to, now)) {
    std::vector<ConnId> there;
    for (const auto& [conn, n] : neighbours_) {
      if (!n.is_source() && n.greeted && n.address.host == to.host) there.push_back(conn);
    }
    for (const ConnId c : there)
      punish(c, Offence::sybil, "its host hands out addresses where nobody listens", now,
             Proof::pattern);
  }
  ask_hole_punch(to, now);
  maintain_neighbours(now);
  return take();
}

// A viewer we cannot dial may sit behind a NAT: the source, linked to both
// of us, can have us dial each other at once. Once per address a while, and
// never for an address a punch itself gave.
void PeerEngine::ask_hole_punch(const Endpoint& to, WallTime now) {
  if (config_.client_server) return;
  const auto source = source_link();
  if (!source) return;
  std::erase_if(punched_, [&](const auto& e) { return now - e.second >= config_.punch_again_after; });
  if (!punched_.emplace(to.to_string(), now).second) return;
  out_.push_back(SendAction{*source, HolePunchMsg{{to.to_string()}}});
}

void PeerEngine::on_hole_punch(const HolePunchMsg& m, WallTime now) {
  for (const std::string& a : m.addrs) punched_.insert_or_assign(a, now);
  for (const Endpoint& to : neighbours_.dial_now(PexMsg{m.addrs, false}, now))
    out_.push_back(DialAction{to});
}

// Behind a NAT, most viewers worth dialling sit behind one too: the punch is
// asked at once rather than after the dial has timed out.
void PeerEngine::dial(const Endpoint& to, WallTime now) {
  out_.push_back(DialAction{to});
  if (!seen_as_.empty() && !config_.inside_host.empty() && seen_as_ != config_.inside_host)
    ask_hole_punch(to, now);
}

Actions PeerEngine::on_disconnected(ConnId conn, WallTime now) {
  judge_leaving(conn, now);
  if (!neighbours_.lost(conn, now)) return {};
  forget(conn, now);
  update_tree(now);
  request_missing(now);
  pump_uploads(now);
  return take();
}

Actions PeerEngine::on_peers_found(std::span<const Endpoint> peers, WallTime now) {
  if (config_.client_server) return {};
  neighbours_.learn(peers, now);
  maintain_neighbours(now);
  return take();
}

Actions PeerEngine::on_message(ConnId from, const Message& msg, WallTime now) {
  Neighbour* found = neighbours_.find(from);
  if (!found) return {};
  Neighbour& n = *found;
  n.last_heard = now;
  if (!n.greeted && !std::holds_alternative<Hello>(msg)) {
    drop(from, std::string(offence_name(Offence::garbage)) + ": " + message_name(msg) +
                   " before HELLO",
         false, now);
    return take();
  }
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Hello>) {
          on_hello(from, m, now);
        } else if constexpr (std::is_same_v<T, BufferMapMsg>) {
          if (!n.map.assign(m)) return punish(from, Offence::garbage, "malformed BUFFER_MAP", now);
          if (claims_unpublished(n)) return punish(from, Offence::liar, kUnpublished, now);
          n.spare_upload = m.spare_upload;
          if (n.is_source()) stream_.announce(m.stream_rate);
          if (const auto newest = n.map.newest(); n.is_source() && newest && m.newest_duration_ms)
            playout_.hint(*newest, m.newest_capture,
                          std::chrono::milliseconds(m.newest_duration_ms));
        } else if constexpr (std::is_same_v<T, HaveMsg>) {
          n.map.apply(m);
          if (claims_unpublished(n)) return punish(from, Offence::liar, kUnpublished, now);
        } else if constexpr (std::is_same_v<T, ChunkMsg>) {
          on_chunk(from, n, m.chunk, now);
        } else if constexpr (std::is_same_v<T, ChunkHeadMsg>) {
          on_head(from, m.head, now);
        } else if constexpr (std::is_same_v<T, PieceMsg>) {
          on_piece(from, m, now);
        } else if constexpr (std::is_same_v<T, StripesMsg>) {
          if (!tree_.heard(from, m, now))
            return punish(from, Offence::garbage, "malformed STRIPES", now);
        } else if constexpr (std::is_same_v<T, SubscribeMsg>) {
          on_subscribe(from, m, now);
        } else if constexpr (std::is_same_v<T, RequestMsg>) {
          on_request(from, n, m, now);
        } else if constexpr (std::is_same_v<T, RejectMsg>) {
          watch_.rejected(from, now);
          if (scheduler_.rejected(m.seq, from, now) && !n.is_source()) watch_.failed(from, now);
          prober_.rejected(m.seq, from);
        } else if constexpr (std::is_same_v<T, CancelMsg>) {
          // Answered all the same: a CANCEL sent as the wait ran out may
          // overtake the REJECT we were about to send, and a requester
          // takes a request left without a word for a liar's.
          if (uploader_.cancel(from, m.seq)) out_.push_back(SendAction{from, RejectMsg{m.seq}});
        } else if constexpr (std::is_same_v<T, ChokeMsg>) {
          n.unchoked_us = n.is_source();
          scheduler_.forget(from);
          prober_.forget(from);
        } else if constexpr (std::is_same_v<T, UnchokeMsg>) {
          n.unchoked_us = true;
        } else if constexpr (std::is_same_v<T, PexMsg>) {
          neighbours_.learn(m, now);
          if (m.parents && n.is_source()) {
            for (const Endpoint& to : neighbours_.dial_now(m, now)) dial(to, now);
            tree_.look_now(now + config_.parents_look);
          }
        } else if constexpr (std::is_same_v<T, TimeQueryMsg>) {
          on_time_query(from, m, now);
        } else if constexpr (std::is_same_v<T, TimeReplyMsg>) {
          on_time_reply(n, m, now);
        } else if constexpr (std::is_same_v<T, HolePunchMsg>) {
          if (n.is_source()) on_hole_punch(m, now);
        } else if constexpr (std::is_same_v<T, ByeMsg>) {
          drop(from, "remote left: " + m.reason, false, now);
        } else {
          punish(from, Offence::garbage, std::string(message_name(msg)) + " is not a peer message",
                 now);
        }
      },
      msg);
  follow_stream_rate();
  // The trees change only with what neighbours say of them (or on tick).
  if (std::holds_alternative<StripesMsg>(msg) || std::holds_alternative<SubscribeMsg>(msg) ||
      std::holds_alternative<ByeMsg>(msg))
    update_tree(now);
  play_due(now);
  request_missing(now);
  pump_uploads(now);
  return take();
}

void PeerEngine::on_hello(ConnId from, const Hello& m, WallTime now) {
  if (m.version != kProtocolVersion) {
    return drop(from, "protocol version " + std::to_string(m.version) + " is not supported", false,
                now);
  }
  if (m.channel != config_.channel) return drop(from, "HELLO for another channel", true, now);
  if (const auto d = neighbours_.hello(from, m)) {
    drop(d->conn, d->reason, d->ban, now);
    if (d->conn == from) return;
  }
  neighbours_.welcome(from);
  Neighbour* n = neighbours_.find(from);
  if (n->is_source() && !m.your_host.empty()) seen_as_ = m.your_host;
  if (!n->is_source()) send_pex(from, *n, now);
  // The source too: it points viewers at parents with room.
  out_.push_back(SendAction{from, tree_.state_for(from)});
}

void PeerEngine::on_chunk(ConnId from, Neighbour& n, const std::shared_ptr<const Chunk>& shared,
                          WallTime now) {
  const Chunk& chunk = *shared;
  if (!verify_chunk(config_.channel, chunk)) {
    ++stats_.chunks_rejected;
    return punish(from, Offence::forge, "bad signature on chunk " + std::to_string(chunk.seq.value),
                  now);
  }
  watch_.sent_data(from, now);
  n.received.add(chunk.payload.size(), now);
  const Assemblies::Taken taken = assemblies_.take(chunk.seq);
  if (store_.has(chunk.seq)) return;
  accept(from, n, shared, now);
  // Pieces that were waiting for the head are checked against the chunk: a
  // forger is found out whenever it sends.
  if (store_.has(chunk.seq)) {
    for (const Assemblies::Early& e : taken.early) on_piece(e.from, e.piece, now);
  }
  // Our children wait for the pieces that had not come down the tree.
  if (!in_time_to_relay(chunk.capture_time, now)) return;
  if (!taken.had_head) relay(head_of(chunk), false, now);
  const auto count = static_cast<uint32_t>(piece_count(chunk.payload.size()));
  for (uint32_t i = 0; i < count; ++i) {
    if (i < taken.held.size() && taken.held[i]) continue;
    relay(PieceMsg{.seq = chunk.seq, .index = i, .count = count, .whole = shared},
          chunk.capture_time, now);
  }
}

void PeerEngine::cancel_elsewhere(ChunkSeq seq, const std::vector<ConnId>& conns, WallTime now) {
  for (const ConnId c : conns) {
    const Neighbour* n = neighbours_.find(c);
    if (!n) continue;
    out_.push_back(SendAction{c, CancelMsg{seq}});
    // What it sends of it after this still shows whether it trickles.
    if (!n->is_source()) watch_.stopped_waiting(c, seq, kAllStripes, now);
  }
}

void PeerEngine::accept(ConnId from, const Neighbour& n, const std::shared_ptr<const Chunk>& shared,
                        WallTime now) {
  const Chunk& chunk = *shared;
  const bool pushed = n.is_source() && !scheduler_.in_flight(chunk.seq);
  if (asked_of(chunk.seq, from, kAllStripes))
    watch_.answered(from);
  prober_.received(chunk.seq, from, kAllStripes);
  cancel_elsewhere(chunk.seq, scheduler_.received(chunk.seq, from, now), now);
  if (!store_.add(shared)) return;
  last_stored_ = now;
  stream_.add(chunk);
  stats_.arrival_ms.push_back((now - chunk.capture_time).count());
  if (pushed) uploader_.seeded(chunk.seq, store_.window_base());
  pending_haves_.seqs.push_back(chunk.seq);
  if (chunk.random_access()) pending_haves_.random_access.push_back(chunk.seq);
}

void PeerEngine::on_head(ConnId from, const ChunkHead& head, WallTime now) {
  // A head already held, or for a chunk no longer wanted, is not worth a
  // signature check (the costliest thing a relay does).
  if (store_.has(head.seq) || assemblies_.head_of(head.seq)) return;
  if (playout_.cursor() && head.seq < *playout_.cursor()) return;
  if (!verify_head(config_.channel, head)) {
    ++stats_.chunks_rejected;
    return punish(from, Offence::forge,
                  "bad signature on chunk " + std::to_string(head.seq.value) + "'s head", now);
  }
  auto early = assemblies_.head(head, now);
  if (!early) return;
  // A head that did not come down a tree (a pull's) reaches our children by
  // no other way.
  relay(head, tree_.is_parent(from), now);
  for (Assemblies::Early& e : *early) on_piece(e.from, e.piece, now);
}

void PeerEngine::on_piece(ConnId from, const PieceMsg& piece, WallTime now) {
  Neighbour* n = neighbours_.find(from);
  if (!n) return;
  watch_.sent_data(from, now);
  const uint32_t stripe = stripe_of(piece.index);
  const auto bit = static_cast<uint8_t>(1u << stripe);
  if (asked_of(piece.seq, from, bit)) watch_.sent_asked(from);
  if (!n->is_source() && tree_.parent(stripe) != from) {
    if (const auto offence = watch_.piece(from, piece.seq, stripe, piece.data().size(),
                                          stream_.rate(), n->spare_upload, now))
      return punish(from, *offence, "it trickles what it took to send", now, Proof::pattern);
  }
  // Too late to be used, but checked all the same against what we hold: a
  // forger is found out whenever it sends.
  if (const auto held = store_.get(piece.seq)) {
    const auto ours = piece_of(held->payload, piece.index);
    if (piece.count != piece_count(held->payload.size()) ||
        !std::ranges::equal(ours, piece.data())) {
      ++stats_.chunks_rejected;
      return punish(from, Offence::forge,
                    "piece " + std::to_string(piece.index) + " of chunk " +
                        std::to_string(piece.seq.value) + " differs from the signed chunk",
                    now);
    }
    // A probe may ask for a chunk held already (probe_suspects).
    if (prober_.held_piece(piece.seq, from, piece.index, piece.count)) watch_.answered(from);
    return;
  }
  if (playout_.cursor() && piece.seq < *playout_.cursor()) return;
  // Only a parent's pieces may wait for their head, so waiting is bounded.
  const ChunkHead* head = assemblies_.head_of(piece.seq);
  if (!head && tree_.parent(stripe_of(piece.index)) != from) return;
  const auto outcome = assemblies_.piece(from, piece, now);
  if (outcome == Assemblies::Outcome::forged) {
    ++stats_.chunks_rejected;
    return punish(from, Offence::forge,
                  "piece " + std::to_string(piece.index) + " of chunk " +
                      std::to_string(piece.seq.value) + " does not match its signed head",
                  now);
  }
  if (outcome != Assemblies::Outcome::kept && outcome != Assemblies::Outcome::complete) return;
  n->received.add(piece.data().size(), now);
  if (outcome == Assemblies::Outcome::kept && assemblies_.stripe_complete(piece.seq, stripe)) {
    if (asked_of(piece.seq, from, bit)) watch_.answered(from);
    prober_.received(piece.seq, from, bit);
    cancel_elsewhere(piece.seq, scheduler_.received(piece.seq, from, now, bit), now);
  }
  head = assemblies_.head_of(piece.seq);
  relay(piece, head->capture_time, now);
  if (outcome == Assemblies::Outcome::complete) accept(from, *n, assemblies_.finish(piece.seq), now);
}

bool PeerEngine::in_time_to_relay(WallTime capture, WallTime now) const {
  return capture + config_.lag - now >= config_.relay_before;
}

void PeerEngine::relay(const PieceMsg& piece, WallTime capture, WallTime now) {
  if (!in_time_to_relay(capture, now)) return;
  const size_t bytes = piece.data().size();
  PieceMsg pushed = piece;
  pushed.repair = pushed.ends_request = false;
  for (const ConnId to : tree_.children(stripe_of(piece.index))) {
    Neighbour* t = neighbours_.find(to);
    if (!t || t->map.has(piece.seq)) continue;
    t->sent.add(bytes, now);
    push(to, pushed, now);
  }
}

void PeerEngine::push(ConnId to, Message m, WallTime now) {
  if (const auto* piece = std::get_if<PieceMsg>(&m)) uploader_.pushing(piece->data().size(), now);
  out_.push_back(SendAction{to, std::move(m)});
}

void PeerEngine::relay(const ChunkHead& head, bool to_head_children, WallTime now) {
  if (!in_time_to_relay(head.capture_time, now)) return;
  for (const ConnId to : to_head_children ? tree_.head_children() : tree_.children_all()) {
    if (const Neighbour* t = neighbours_.find(to); t && !t->map.has(head.seq))
      out_.push_back(SendAction{to, ChunkHeadMsg{head}});
  }
}

void PeerEngine::on_subscribe(ConnId from, const SubscribeMsg& m, WallTime now) {
  const StripeMask before = tree_.state_for(from).pushing;
  const StripeTree::Answer answer = tree_.subscribe(from, m);
  out_.push_back(SendAction{from, tree_.state_for(from)});
  for (const ConnId c : answer.displaced) out_.push_back(SendAction{c, tree_.state_for(c)});
  catch_up(from, m.from, answer.pushing & static_cast<StripeMask>(~before), now);
}

// A new child needs the chunks it could still start at, or the rest of
// those it was receiving from another parent. They go behind the pieces
// pushed down the trees: a burst of them for one child would hold up the
// stream to every other child's subtree.
void PeerEngine::catch_up(ConnId to, ChunkSeq from, StripeMask stripes, WallTime now) {
  const Neighbour* n = neighbours_.find(to);
  if (!n || stripes == 0) return;
  const auto send = [&](Message m) {
    if (auto* piece = std::get_if<PieceMsg>(&m)) piece->repair = true;
    push(to, std::move(m), now);
  };
  for (auto chunk = store_.newest(); chunk && chunk->seq >= from;
       chunk = store_.get(chunk->seq + (-1))) {
    if (now - chunk->capture_time > config_.lag - config_.start_margin) break;
    if (n->map.has(chunk->seq)) continue;
    for (Message& m : push_messages(chunk, false, stripes)) send(std::move(m));
    if (chunk->seq.value == 0) break;
  }
  // A child that moved (it holds chunks) lost what its old parent had not
  // yet passed on of the chunks under way: those pieces too. A newcomer
  // is better off pulling its start than waiting for chunks under way.
  if (!n->map.newest()) return;
  for (Message& m : assemblies_.so_far(from, stripes)) send(std::move(m));
}

// The oldest chunk a new parent should catch us up from in `stripes`: the
// first from the playout cursor on that we lack some of.
ChunkSeq PeerEngine::catch_up_from(StripeMask stripes) const {
  const auto newest = store_.map().newest();
  if (!newest) return ChunkSeq(0);
  ChunkSeq s = playout_.cursor().value_or(*newest);
  for (; s <= *newest; s = s.next()) {
    if (store_.has(s)) continue;
    const StripeMask missing = assemblies_.missing_stripes(s);
    if (missing == 0 || (missing & stripes) != 0) return s;
  }
  return s;
}

void PeerEngine::update_tree(WallTime now) {
  if (config_.client_server) return;
  for (auto& [conn, m] : tree_.choose(now)) {
    m.from = catch_up_from(m.stripes);
    out_.push_back(SendAction{conn, m});
  }
  if (const auto rate = stream_.rate(); rate && uploader_.capacity())
    uploader_.reserve(static_cast<double>(tree_.pushes()) * *rate / kStripes);
  tree_changed_ = tree_.take_changed() || tree_changed_;
  if (!tree_changed_ || now - last_stripes_sent_ < config_.stripes_interval) return;
  tree_changed_ = false;
  last_stripes_sent_ = now;
  tell_stripes();
}

void PeerEngine::tell_stripes() {
  for (const auto& [conn, n] : neighbours_) {
    if (n.greeted) out_.push_back(SendAction{conn, tree_.state_for(conn)});
  }
}

void PeerEngine::forget(ConnId conn, WallTime now) {
  scheduler_.forget(conn);
  prober_.forget(conn);
  choker_.forget(conn);
  uploader_.forget(conn);
  tree_.forget(conn, now);
  watch_.forget(conn);
}

void PeerEngine::on_request(ConnId from, const Neighbour& n, const RequestMsg& r, WallTime now) {
  if (n.is_source()) return;
  if (watch_.requested(from, now))
    return punish(from, Offence::flood, "more requests in a second than any viewer needs", now);
  // Said at once, so that the requester asks elsewhere rather than waiting
  // for its timeout.
  if (!uploader_.request(from, r, n.we_unchoke, store_.has(r.seq),
                         stream_.mean_chunk_bytes(), now))
    out_.push_back(SendAction{from, RejectMsg{r.seq}});
}

Actions PeerEngine::on_chunk_sent(ConnId to, WallTime now) {
  uploader_.sent(to);
  pump_uploads(now);
  return take();
}

void PeerEngine::pump_uploads(WallTime now) {
  // Every request gets an answer: one whose requester stopped waiting, a REJECT.
  for (const QueuedRequest& r : uploader_.drop_stale(now)) {
    if (neighbours_.contains(r.from)) out_.push_back(SendAction{r.from, RejectMsg{r.seq}});
  }
  while (const auto r = uploader_.next(now)) {
    Neighbour* n = neighbours_.find(r->from);
    auto chunk = store_.get(r->seq);
    if (!n || !chunk) {
      uploader_.sent(r->from);
      if (n) out_.push_back(SendAction{r->from, RejectMsg{r->seq}});
      continue;
    }
    // In pieces, so pushes down the trees overtake it piece by piece.
    for (Message& m : push_messages(chunk, true, r->stripes)) {
      if (const auto* piece = std::get_if<PieceMsg>(&m)) {
        n->sent.add(piece->data().size(), now);
        uploader_.sending(piece->data().size(), now);
      }
      out_.push_back(SendAction{r->from, std::move(m)});
    }
  }
}

bool PeerEngine::tell_room(WallTime now) {
  const auto rate = stream_.rate();
  if (!rate) return false;
  const bool room = static_cast<double>(uploader_.spare(now)) >= *rate;
  if (room == had_room_ || now - room_told_ < config_.room_notice_every) return false;
  had_room_ = room;
  room_told_ = now;
  return true;
}

void PeerEngine::send_buffer_map(ConnId to, Neighbour& n, WallTime now) {
  BufferMapMsg m = store_.to_message();
  m.spare_upload = uploader_.spare(now);
  out_.push_back(SendAction{to, std::move(m)});
  n.last_map_sent = now;
}

void PeerEngine::query_time(ConnId to, Neighbour& n, WallTime now) {
  n.last_time_query = now;
  n.time_query = clock_.local(now).time_since_epoch().count();
  out_.push_back(SendAction{to, TimeQueryMsg{*n.time_query}});
}

// Answered only with a reading of the channel's clock, not of our own.
void PeerEngine::on_time_query(ConnId from, const TimeQueryMsg& q, WallTime now) {
  const auto error = clock_.error(clock_.local(now));
  if (!error) return;
  const int64_t at = now.time_since_epoch().count();
  out_.push_back(SendAction{from, TimeReplyMsg{q.sent, at, at, static_cast<uint32_t>(error->count())}});
}

// Only the answer to the query outstanding counts: an old or unasked one
// would measure a round trip that never was.
void PeerEngine::on_time_reply(Neighbour& n, const TimeReplyMsg& r, WallTime now) {
  if (n.time_query != r.sent || r.answered_ms < r.received_ms) return;
  n.time_query.reset();
  clock_.add({.sent = MonoTime(MonoTime::duration(r.sent)),
              .received = WallTime(std::chrono::milliseconds(r.received_ms)),
              .answered = WallTime(std::chrono::milliseconds(r.answered_ms)),
              .back = clock_.local(now),
              .error = std::chrono::milliseconds(r.error_ms)});
}

void PeerEngine::send_pex(ConnId to, Neighbour& n, WallTime now) {
  n.last_pex_sent = now;
  if (config_.client_server) return;
  PexMsg pex = neighbours_.pex_for(to, rng_);
  if (!pex.addrs.empty()) out_.push_back(SendAction{to, std::move(pex)});
}

void PeerEngine::follow_stream_rate() {
  const bool changed = uploader_.follow(stream_.rate());
  // Each child of our home stripe costs a stripe's rate of the uplink; an
  // uplink without a limit takes as many as a stripe tree needs of anyone.
  constexpr size_t kUnlimitedSlots = 4 * kStripes;
  const auto capacity = uploader_.capacity();
  const auto rate = stream_.rate();
  size_t slots = tree_.slots();
  if (!capacity) {
    slots = kUnlimitedSlots;
  } else if (rate && *rate > 0) {
    slots = static_cast<size_t>(config_.tree_share * *capacity / (*rate / kStripes));
  }
  if (!changed && slots == tree_.slots()) return;
  tree_.set_slots(slots);
}

void PeerEngine::choose_start(WallTime now) {
  // Deadlines read on our own clock could be seconds off.
  if (!clock_.synced()) return;
  std::vector<StartHolder> holders;
  for (const auto& [conn, n] : neighbours_) holders.push_back({n.is_source(), n.unchoked_us, &n.map});
  const StartConfig config{.start_margin = config_.start_margin,
                           .source_start_margin = config_.source_start_margin,
                           .window_chunks = config_.window_chunks};
  const std::vector<ChunkSeq> arriving = assemblies_.arriving_random_access();
  if (const auto start = choose_start_point(store_, playout_, holders, arriving, config, now)) {
    playout_.start_at(*start);
  }
}

void PeerEngine::play_due(WallTime now) {
  if (leaving_) return;
  for (PlayoutEvent& e : playout_.tick(now, store_, live_edge())) {
    ++stats_.chunks_due;
    if (!e.chunk) continue;
    ++stats_.chunks_on_time;
    stats_.played.push_back(e.seq);
    stats_.lag_ms.push_back((now - e.chunk->capture_time).count());
    out_.push_back(PlayAction{std::move(e.chunk)});
  }
  // A start that did not come in time gives way to a later one.
  if (!playout_.started()) choose_start(now);
}

// A claim beyond the live edge would lure the start point and the playout
// ahead of the stream.
bool PeerEngine::claims_unpublished(const Neighbour& n) const {
  if (n.is_source()) return false;
  const auto claimed = n.map.newest();
  const auto source = source_link();
  if (!claimed || !source) return false;
  const auto published = neighbours_.find(*source)->map.newest();
  return published && claimed->value > published->value + kAheadOfSource;
}

std::optional<ConnId> PeerEngine::source_link() const {
  for (const auto& [conn, n] : neighbours_) {
    if (n.is_source() && n.greeted) return conn;
  }
  return std::nullopt;
}

std::optional<ChunkSeq> PeerEngine::live_edge() const {
  std::optional<ChunkSeq> edge;
  if (const auto held = store_.newest()) edge = held->seq;
  for (const auto& [conn, n] : neighbours_) {
    if (const auto s = n.map.newest(); s && (!edge || *s > *edge)) edge = s;
  }
  return edge;
}

void PeerEngine::request_missing(WallTime now) {
  if (leaving_) return;
  std::vector<Candidate> candidates;
  std::optional<ChunkSeq> edge, edge_ra;
  for (const auto& [conn, n] : neighbours_) {
    if (!n.greeted) continue;
    if (const auto s = n.map.newest(); s && (!edge || *s > *edge)) edge = s;
    if (const auto s = n.map.newest_random_access(); s && (!edge_ra || *s > *edge_ra)) edge_ra = s;
    if (!n.unchoked_us) continue;
    candidates.push_back({conn, n.is_source() && !config_.client_server, &n.map,
                          n.is_source() || watch_.has_answered(conn),
                          !n.is_source() && watch_.failed_us(conn, now)});
  }
  std::vector<WantedChunk> wanted;
  if (!playout_.started()) choose_start(now);
  if (!playout_.started()) {
    // Nothing held yet: fetch a start point, which fixes the timeline.
    if (const auto probe = start_probe(candidates, edge_ra);
        probe && store_.map().empty() && !scheduler_.in_flight(*probe))
      wanted.push_back({*probe, std::nullopt});
  } else if (edge) {
    scheduler_.played_to(*playout_.cursor());
    const ChunkSeq last = std::min(*edge, *playout_.cursor() + (config_.fetch_ahead - 1));
    for (ChunkSeq s = *playout_.cursor(); s <= last; s = s.next()) {
      if (store_.has(s)) continue;
      const auto due = playout_.deadline(s, store_);
      if (due && *due < now) continue;  // too late: it will be skipped
      // Coming down the trees: pulled only if that is late, or if a stripe
      // it lacks has no parent to bring it.
      const StripeMask missing = assemblies_.missing_stripes(s);
      if (missing != 0 && (missing & tree_.parented()) == missing &&
          (!due || *due - now >= config_.repair_before))
        continue;
      const auto lacking =
          static_cast<uint8_t>((missing != 0 ? missing : kAllStripes) & ~scheduler_.in_flight_stripes(s));
      if (lacking != 0) wanted.push_back({s, due, lacking});
    }
  }
  for (const ChunkRequest& r : scheduler_.plan(now, wanted, candidates)) send_request(r, now);
  probe_suspects(now);
}

bool PeerEngine::asked_of(ChunkSeq seq, ConnId conn, uint8_t stripes) const {
  return scheduler_.asked_of(seq, conn, stripes) || prober_.asked_of(seq, conn, stripes);
}

void PeerEngine::send_request(const ChunkRequest& r, WallTime now) {
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(r.expires - now);
  const uint8_t stripes = r.stripes == kAllStripes ? 0 : r.stripes;
  out_.push_back(SendAction{r.conn, RequestMsg{r.seq, static_cast<uint32_t>(wait.count()), stripes}});
}

void PeerEngine::probe_suspects(WallTime now) {
  const auto cursor = playout_.cursor();
  if (!cursor) return;
  for (const auto& [conn, n] : neighbours_) {
    if (!n.greeted || n.is_source() || !watch_.suspect(conn, now) || prober_.probing(conn, now))
      continue;
    const auto newest = n.map.newest();
    if (!newest) continue;
    // The newest chunk it claims that we lack: one it is likeliest to have.
    // Else the newest it claims at all, which an honest one sends or REJECTs
    // as surely: a liar whose claims fell behind our playout would never be
    // asked again, nor found out.
    std::optional<std::pair<ChunkSeq, uint32_t>> probe;
    const ChunkSeq top = std::min(*newest, *cursor + (config_.fetch_ahead - 1));
    for (int64_t back = 0; back <= top - *cursor; ++back) {
      const ChunkSeq s = top + (-back);
      if (store_.has(s) || !n.map.has(s)) continue;
      const uint8_t missing = assemblies_.missing_stripes(s);
      const auto stripe = static_cast<uint32_t>(std::countr_zero(
          static_cast<unsigned>(missing != 0 ? missing : kAllStripes)));
      if (scheduler_.asked_of(s, conn, static_cast<uint8_t>(1u << stripe))) continue;
      probe = {s, stripe};
      break;
    }
    if (!probe && !scheduler_.asked_of(*newest, conn)) probe = {*newest, 0};
    if (!probe) continue;
    if (const auto r = prober_.probe(conn, probe->first, probe->second, now)) send_request(*r, now);
  }
}

bool PeerEngine::interested(const Neighbour& n) const {
  const auto newest = store_.map().newest();
  if (!newest || n.is_source()) return false;
  for (int i = 0; i < kInterestSpan; ++i) {
    const ChunkSeq s = *newest + (-i);
    if (store_.has(s) && !n.map.has(s)) return true;
  }
  return false;
}

void PeerEngine::rechoke(WallTime now) {
  std::vector<NeighbourRate> rates;
  // A viewer that uploads nothing (a free rider) unchokes nobody.
  const bool uploads = uploader_.uploads();
  for (auto& [conn, n] : neighbours_) {
    if (!uploads || !n.greeted || n.is_source()) continue;
    const bool newcomer = now - n.connected_at < config_.choker.rechoke_interval;
    rates.push_back({conn, n.received.rate(now), interested(n), n.map.empty(), newcomer});
  }
  const Choker::Change change = choker_.tick(now, rates, uploader_.load(now));
  for (ConnId c : change.unchoke) set_unchoked(c, true);
  for (ConnId c : change.choke) {
    if (!tree_.uploads(c)) set_unchoked(c, false);
  }
  // Tit-for-tat within one stripe tree cannot be: a viewer's children never
  // give back. Every viewer that passes stripes on is served; the choker
  // shares what is left among those that do not (free riders).
  if (!uploads) return;
  for (auto& [conn, n] : neighbours_) {
    if (n.greeted && !n.is_source() && tree_.uploads(conn)) set_unchoked(conn, true);
  }
}

void PeerEngine::set_unchoked(ConnId conn, bool unchoked) {
  Neighbour* n = neighbours_.find(conn);
  if (!n || n->we_unchoke == unchoked) return;
  n->we_unchoke = unchoked;
  if (unchoked) {
    out_.push_back(SendAction{conn, UnchokeMsg{}});
  } else {
    out_.push_back(SendAction{conn, ChokeMsg{}});
    uploader_.forget(conn);
  }
}

void PeerEngine::maintain_neighbours(WallTime now) {
  if (const auto idle = neighbours_.to_replace(now))
    drop(*idle, "no chunk traded lately; trying another peer", false, now);
  std::vector<ConnId> silent;
  for (const auto& [conn, n] : neighbours_) {
    const bool busy = n.is_source() || tree_.is_parent(conn) || tree_.is_child(conn);
    const auto limit = busy ? config_.busy_silent_after : config_.silent_after;
    if (now - n.last_heard >= limit) silent.push_back(conn);
  }
  for (const ConnId c : silent) {
    const auto heard = now - neighbours_.find(c)->last_heard;
    drop(c, "silent for " + std::to_string(heard.count()) + " ms", false, now);
  }
  std::vector<ConnId> idle_children;
  for (auto& [conn, n] : neighbours_) {
    if (!n.for_tree) continue;
    // One we took a stripe from is kept as any parent is.
    if (tree_.is_child(conn) || tree_.is_parent(conn)) {
      n.for_tree = false;
    } else if (now - n.connected_at >= config_.child_grace && !watch_.suspect(conn, now)) {
      // A suspect stays till it answers or is found out (probes take a few
      // seconds): let go untold, it would come back to fail us again.
      idle_children.push_back(conn);
    }
  }
  for (const ConnId c : idle_children)
    drop(c, "taken in as a child but subscribed to nothing", false, now);
  // A stripe no neighbour can push us is worth a few more neighbours.
  const size_t extra = kOrphanDials * tree_.orphaned(now, config_.orphan_after);
  for (const Endpoint& to : neighbours_.to_dial(now, rng_, extra)) dial(to, now);
}

// To the source too: it spends its rescue copies on chunks few viewers hold.
void PeerEngine::flush_haves() {
  if (pending_haves_.seqs.empty()) return;
  for (const auto& [conn, n] : neighbours_) {
    if (n.greeted) out_.push_back(SendAction{conn, pending_haves_});
  }
  pending_haves_ = {};
}

Actions PeerEngine::leave(WallTime now) {
  leaving_ = true;
  tree_.leave_all();
  tree_.take_changed();
  for (auto& [conn, m] : tree_.choose(now)) out_.push_back(SendAction{conn, m});
  tell_stripes();
  return take();
}

Actions PeerEngine::tick(WallTime now) {
  auto expired = scheduler_.expire(now);
  std::ranges::move(prober_.expire(now), std::back_inserter(expired));
  for (const ChunkRequest& r : expired) {
    const Neighbour* n = neighbours_.find(r.conn);
    if (!n) continue;
    out_.push_back(SendAction{r.conn, CancelMsg{r.seq}});
    if (n->is_source()) continue;
    if (const auto offence = watch_.expired(r.conn, r.seq, r.stripes, r.sent, now))
      punish(r.conn, *offence, "its chunks do not come when asked for", now, Proof::pattern);
  }
  for (const ConnId c : watch_.judge(now))
    punish(c, Offence::liar, "it let requests run out without a word", now, Proof::pattern);
  play_due(now);
  if (const auto cursor = playout_.cursor()) assemblies_.drop_before(*cursor);
  if (now - last_have_flush_ >= config_.have_interval) {
    flush_haves();
    last_have_flush_ = now;
  }
  // No chunk comes (the publisher is away): the source and the trees would
  // fall silent, and be dropped, but for a buffer map now and then.
  const bool paused =
      last_stored_ != WallTime{} && now - last_stored_ >= config_.keepalive_interval;
  const bool room_changed = tell_room(now);
  for (auto& [conn, n] : neighbours_) {
    if (!n.greeted) continue;
    const bool busy = n.is_source() || tree_.is_parent(conn) || tree_.is_child(conn);
    const auto every = paused && busy ? config_.keepalive_interval : config_.buffer_map_interval;
    if (room_changed || now - n.last_map_sent >= every) send_buffer_map(conn, n, now);
    if (!n.is_source() && now - n.last_pex_sent >= config_.pex_interval) send_pex(conn, n, now);
    if (now - n.last_time_query >= config_.time_query_interval) query_time(conn, n, now);
  }
  rechoke(now);
  maintain_neighbours(now);
  update_tree(now);
  request_missing(now);
  pump_uploads(now);
  return take();
}

WallTime PeerEngine::next_wakeup(WallTime now) const {
  WallTime next = now + config_.idle_tick;
  if (!pending_haves_.seqs.empty()) next = std::min(next, last_have_flush_ + config_.have_interval);
  if (const auto cursor = playout_.cursor(); cursor && !leaving_) {
    if (const auto due = playout_.deadline(*cursor, store_)) next = std::min(next, *due);
  }
  if (const auto expiry = scheduler_.next_expiry()) next = std::min(next, *expiry);
  if (const auto expiry = prober_.next_expiry()) next = std::min(next, *expiry);
  return std::max(next, now);
}

void PeerEngine::drop(ConnId conn, std::string reason, bool ban, WallTime now) {
  if (!ban) judge_leaving(conn, now);
  out_.push_back(DisconnectAction{conn, std::move(reason), ban});
  if (neighbours_.drop(conn, ban, now)) forget(conn, now);
}

// The source is never counted; only a forged chunk makes its link end for
// good (PeerRunner does not redial it).
void PeerEngine::punish(ConnId conn, Offence offence, const std::string& what, WallTime now,
                        Proof proof) {
  const Neighbour* n = neighbours_.find(conn);
  if (!n) return;
  const bool source = n->is_source();
  if (!source && n->greeted) convict(conn, *n, offence, proof, now);
  drop(conn, std::string(offence_name(offence)) + ": " + what, !source || offence == Offence::forge,
       now);
}

void PeerEngine::convict(ConnId conn, const Neighbour& n, Offence offence, Proof proof,
                         WallTime now) {
  neighbours_.ban(n.id);
  const auto sign = offence == Offence::sybil ? watch_.unreachable_since(n.address.host)
                                              : watch_.first_sign(conn, offence);
  stats_.offenders.push_back({n.id, offence, now, sign});
  // The source would go on pointing viewers at it as a parent. Only what
  // a message proves is told: a pattern may be an honest viewer's too.
  if (const auto to = source_link(); to && proof == Proof::message)
    out_.push_back(SendAction{*to, OffenderMsg{n.id, static_cast<uint8_t>(offence)}});
}

void PeerEngine::judge_leaving(ConnId conn, WallTime now) {
  const Neighbour* n = neighbours_.find(conn);
  if (n && n->greeted && !n->is_source() && watch_.closing(conn, now))
    convict(conn, *n, Offence::liar, Proof::pattern, now);
}

}  // namespace shoal
