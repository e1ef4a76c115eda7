#pragma once
// The peer wire protocol's messages (docs/protocol.md). Each is a plain struct
// packed as a msgpack array of its fields; a frame carries `[type, [fields]]`.
// Fields added at the end by a later version are ignored by this one.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "media/chunk.h"
#include "media/chunk_head.h"
#include "overlay/wire/ids.h"

namespace shoal {

inline constexpr uint32_t kProtocolVersion = 1;

struct Hello {
  uint32_t version = kProtocolVersion;
  ChannelId channel{};
  PeerId peer_id;
  uint16_t listen_port = 0;  // 0: this node accepts no connections
  // The receiver's IP address as the sender sees it, "" if it cannot say:
  // from the source, where a viewer behind a NAT is reached.
  std::string your_host;
  // The sender's own IP address, on its side of any NAT ("" if it does not
  // say): viewers behind one NAT reach each other there.
  std::string my_host;
  MSGPACK_DEFINE(version, channel, peer_id, listen_port, your_host, my_host);
};

// Which chunks of [base_seq, base_seq + count) the sender holds, one bit each
// (bit i of byte i/8, least significant first), and which of them are
// random-access points where a player can start.
struct BufferMapMsg {
  ChunkSeq base_seq;
  uint32_t count = 0;
  std::vector<uint8_t> have;
  std::vector<uint8_t> random_access;
  // Upload the sender could still add, in bytes/s (0 from a peer that
  // uploads nothing); told, no longer read: the trees now place uploads.
  uint64_t spare_upload = 0;
  // The stream's rate in bytes/s as the source measures it, so that a peer
  // knows what "1.5x" means before its first chunk; 0 from peers or unknown.
  uint64_t stream_rate = 0;
  // Capture time and duration of the source's newest chunk (epoch and 0
  // from peers or if none): the stream's timeline, so that a newcomer can
  // choose where to start before its first chunk arrives.
  WallTime newest_capture{};
  uint32_t newest_duration_ms = 0;
  MSGPACK_DEFINE(base_seq, count, have, random_access, spare_upload, stream_rate, newest_capture,
                 newest_duration_ms);
};

// The most seqs a HAVE holds, both lists together (docs/protocol.md, "Limits").
inline constexpr size_t kHaveSeqs = 1024;

struct HaveMsg {  // batched announcement of newly held chunks
  std::vector<ChunkSeq> seqs;
  std::vector<ChunkSeq> random_access;  // the subset that are random-access points
  MSGPACK_DEFINE(seqs, random_access);
};

struct RequestMsg {
  ChunkSeq seq;
  // How long the requester waits for it before asking elsewhere; a chunk
  // that could not leave within this is not worth sending. 0: not said.
  uint32_t wait_ms = 0;
  std::optional<std::chrono::milliseconds> wait() const {
    if (wait_ms == 0) return std::nullopt;
    return std::chrono::milliseconds(wait_ms);
  }
  // 0: the whole chunk; else only the pieces of these stripes (bit s: stripe
  // s), those a tree did not bring.
  uint8_t stripes = 0;
  MSGPACK_DEFINE(seq, wait_ms, stripes);
};

struct CancelMsg {
  ChunkSeq seq;
  MSGPACK_DEFINE(seq);
};

// The sender will not serve this REQUEST (it chokes the requester, no longer
// holds the chunk, or its uplink is too busy to start it soon): ask elsewhere
// now rather than wait for a timeout. BitTorrent's Fast extension (BEP 6)
// has the same message.
struct RejectMsg {
  ChunkSeq seq;
  MSGPACK_DEFINE(seq);
};

// A chunk is immutable and shared, never copied per link: a node passes on
// the very object it stored, and in the simulation every viewer holds the
// one the source published. On the wire it is the chunk's fields; a frame
// decodes to a new chunk, never to none (see the adaptor below).
struct ChunkMsg {
  std::shared_ptr<const Chunk> chunk;
  MSGPACK_DEFINE(chunk);
};

// A pushed chunk comes as its head, then its pieces (media/chunk_head.h): a
// relay verifies the head, then each piece against it, and passes each on as
// it arrives.
struct ChunkHeadMsg {
  ChunkHead head;
  MSGPACK_DEFINE(head);
};

// One piece of a pushed chunk. In memory it may point into the whole chunk it
// was cut from (`whole`, when the sender holds it), so that pieces, like
// chunks, are shared, never copied per link: in the simulation every relay
// passes on the source's. On the wire it is [seq, index, count, bytes]; a
// decoded piece holds its bytes.
struct PieceMsg {
  ChunkSeq seq;
  uint32_t index = 0;
  uint32_t count = 0;  // pieces in the chunk
  std::shared_ptr<const Chunk> whole;
  std::vector<uint8_t> bytes;
  // Not on the wire. A repair of stripes a tree did not bring, or a new
  // child's catch-up, goes behind pushed pieces; the last piece sent for a
  // request ends it (the uploader may start the next).
  bool repair = false;
  bool ends_request = false;

  std::span<const uint8_t> data() const {
    return whole ? piece_of(whole->payload, index) : std::span<const uint8_t>(bytes);
  }
  bool last() const { return index + 1 == count; }
};

// Push trees (peer/stripe_tree.h). A node tells each neighbour where it
// stands in the trees: its home stripe (kStripes: the source, root of all),
// per stripe its depth (hops from the source; 255: it receives none) and the
// lowest rank of child it takes now (5: none), and which stripes it pushes
// to that neighbour as of that neighbour's SUBSCRIBE number `answer`. The
// source deals each viewer its home (`your_home`; 5: none).
struct StripesMsg {
  uint8_t home = 0;
  std::vector<uint8_t> depth;
  std::vector<uint8_t> takes;
  uint8_t pushing = 0;  // bit s: stripe s
  uint32_t answer = 0;
  uint8_t your_home = 5;
  uint16_t slots = 0;  // children it takes in all: 0, a free rider
  // Per stripe, a Bloom filter of the node and its ancestors, so a node never
  // takes one of its own descendants as parent.
  std::vector<uint64_t> ancestors;
  // It leaves soon: its children should move, but their own depth stands.
  bool leaving = false;
  MSGPACK_DEFINE(home, depth, takes, pushing, answer, your_home, slots, ancestors, leaving);
};

// A child asks a neighbour to push it the stripes in `stripes` (all it wants
// of that one: 0 ends the subscription) and, if `heads`, the head of every
// chunk. `home` and `slots` say what it passes on, which ranks it among
// other children; `ask` numbers the request, echoed in the answer. A new
// parent first sends what it holds of those stripes from chunk `from` on
// (the catch-up), so a child that moved gets nothing twice.
struct SubscribeMsg {
  uint8_t stripes = 0;
  bool heads = false;
  uint8_t home = 0;
  uint16_t slots = 0;
  uint32_t ask = 0;
  ChunkSeq from;
  MSGPACK_DEFINE(stripes, heads, home, slots, ask, from);
};

struct ChokeMsg {
  MSGPACK_DEFINE();
};

struct UnchokeMsg {
  MSGPACK_DEFINE();
};

// The most addresses a PEX carries, and the most a receiver reads.
inline constexpr size_t kPexAddresses = 16;

struct PexMsg {
  std::vector<std::string> addrs;  // "host:port" of other peers of the channel
  // From the source: viewers near the top of the trees with room for the
  // receiver, worth dialling now (peer/stripe_tree.h).
  bool parents = false;
  MSGPACK_DEFINE(addrs, parents);
};

struct ByeMsg {
  std::string reason;
  MSGPACK_DEFINE(reason);
};

// The channel's clock (peer/channel_clock.h). A viewer asks a neighbour for
// its reading; `sent` is the asker's own clock, echoed back untouched.
struct TimeQueryMsg {
  int64_t sent = 0;
  MSGPACK_DEFINE(sent);
};

// The answer: the answerer's readings of the channel's clock when the query
// came and when it answered, ms since the epoch, and how far off they may be
// (0 from the source). A viewer that has no reading yet does not answer.
struct TimeReplyMsg {
  int64_t sent = 0;  // the query's
  int64_t received_ms = 0;
  int64_t answered_ms = 0;
  uint32_t error_ms = 0;
  MSGPACK_DEFINE(sent, received_ms, answered_ms, error_ms);
};

// Hole punching through NATs, with the source as the rendezvous (as
// BitTorrent's BEP 55). A viewer that could not dial a viewer asks the
// source with that viewer's address (`addrs[0]`); the source, linked to
// both, tells each to dial the other now, at the addresses it knows it by
// (where the source sees it, then inside their NAT if they share one). The
// two dials cross and a NAT that keeps ports lets both through.
inline constexpr size_t kHolePunchAddresses = 16;

struct HolePunchMsg {
  std::vector<std::string> addrs;  // "host:port"
  MSGPACK_DEFINE(addrs);
};

// A viewer tells the source it dropped a neighbour for misbehaving
// (peer/offence.h: `offence` is its number). Once enough viewers said so of
// one, the source takes it out of its trees: it pushes it nothing and
// points nobody at it as a parent.
struct OffenderMsg {
  PeerId peer_id;
  uint8_t offence = 0;
  MSGPACK_DEFINE(peer_id, offence);
};

// The tracker speaks the same framing: a node ANNOUNCEs itself and gets
// PEERS back, or ERROR with a reason a user can act on.
struct AnnounceMsg {
  uint32_t version = kProtocolVersion;
  ChannelId channel{};
  PeerId peer_id;
  uint16_t listen_port = 0;  // the tracker pairs it with the address it sees
  MSGPACK_DEFINE(version, channel, peer_id, listen_port);
};

// The most addresses a PEERS holds; a tracker's --max-reply above it is cut.
inline constexpr size_t kPeersAddresses = 256;

struct PeersMsg {
  std::vector<std::string> addrs;  // "host:port" of other live nodes of the channel
  uint32_t reannounce_s = 0;       // announce again within this, or expire
  std::string your_host;           // the announcer's IP as the tracker sees it
  MSGPACK_DEFINE(addrs, reannounce_s, your_host);
};

struct ErrorMsg {
  std::string reason;
  MSGPACK_DEFINE(reason);
};

// Variant index + 1 is the wire type code; append new messages at the end.
using Message =
    std::variant<Hello, BufferMapMsg, HaveMsg, RequestMsg, CancelMsg, ChunkMsg, ChokeMsg,
                 UnchokeMsg, PexMsg, ByeMsg, AnnounceMsg, PeersMsg, ErrorMsg, RejectMsg,
                 ChunkHeadMsg, PieceMsg, StripesMsg, SubscribeMsg, TimeQueryMsg, TimeReplyMsg,
                 HolePunchMsg, OffenderMsg>;

const char* message_name(const Message& m);

}  // namespace shoal

// A CHUNK always carries a chunk: msgpack's own shared_ptr adaptor would turn
// nil into a null pointer, this one refuses it as a malformed frame, and so
// does ChunkMsg's for a CHUNK without fields (MSGPACK_DEFINE would leave the
// missing field null: found by fuzz/fuzz_frame).
namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
namespace adaptor {

template <>
struct convert<shoal::ChunkMsg> {
  const msgpack::object& operator()(const msgpack::object& o, shoal::ChunkMsg& v) const {
    if (o.type != type::ARRAY || o.via.array.size < 1) throw type_error();
    o.via.array.ptr[0].convert(v.chunk);
    return o;
  }
};

template <>
struct convert<std::shared_ptr<const shoal::Chunk>> {
  const msgpack::object& operator()(const msgpack::object& o,
                                    std::shared_ptr<const shoal::Chunk>& v) const {
    auto chunk = std::make_shared<shoal::Chunk>();
    o.convert(*chunk);  // throws on nil or any other wrong shape
    v = std::move(chunk);
    return o;
  }
};

template <>
struct convert<shoal::PieceMsg> {
  const msgpack::object& operator()(const msgpack::object& o, shoal::PieceMsg& v) const {
    if (o.type != type::ARRAY || o.via.array.size < 4) throw type_error();
    const msgpack::object* f = o.via.array.ptr;
    f[0].convert(v.seq);
    f[1].convert(v.index);
    f[2].convert(v.count);
    if (f[3].type != type::BIN) throw type_error();
    v.bytes.assign(f[3].via.bin.ptr, f[3].via.bin.ptr + f[3].via.bin.size);
    v.whole.reset();
    return o;
  }
};

template <>
struct pack<shoal::PieceMsg> {
  template <typename Stream>
  packer<Stream>& operator()(packer<Stream>& o, const shoal::PieceMsg& v) const {
    const auto data = v.data();
    o.pack_array(4);
    o.pack(v.seq);
    o.pack(v.index);
    o.pack(v.count);
    o.pack_bin(static_cast<uint32_t>(data.size()));
    return o.pack_bin_body(reinterpret_cast<const char*>(data.data()),
                           static_cast<uint32_t>(data.size()));
  }
};

template <>
struct pack<std::shared_ptr<const shoal::Chunk>> {
  template <typename Stream>
  packer<Stream>& operator()(packer<Stream>& o, const std::shared_ptr<const shoal::Chunk>& v) const {
    return o.pack(*v);
  }
};

}  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack
