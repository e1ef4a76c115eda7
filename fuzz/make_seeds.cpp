// Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/) from
// the real encoders: one frame of every message type, tracker and viewer
// connections, one datagram of every DHT type, channel URIs, and signed
// chunks cut into their heads and pieces. Run it again when a message
// changes: `build/fuzz/make_seeds fuzz/corpus`.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz/seed_key.h"
#include "overlay/dht/dht_codec.h"
#include "overlay/wire/codec.h"
#include "overlay/wire/push_messages.h"

namespace shoal {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

void write(const fs::path& dir, const std::string& name, const Bytes& bytes) {
  fs::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

Bytes frames(const std::vector<Message>& messages) {
  Bytes out;
  for (const auto& m : messages) {
    const auto f = encode_frame(m);
    out.insert(out.end(), f.begin(), f.end());
  }
  return out;
}

std::shared_ptr<const Chunk> signed_chunk(uint64_t seq, size_t packets) {
  Chunk c;
  c.seq = ChunkSeq(seq);
  c.capture_time = WallTime(std::chrono::milliseconds(1'700'000'000'000 + 500 * seq));
  c.pts_us = static_cast<int64_t>(seq) * 500'000;
  c.duration_ms = 500;
  c.flags = seq % 4 == 0 ? Chunk::kRandomAccess : 0;
  for (size_t i = 0; i < packets * 188; ++i) c.payload.push_back(static_cast<uint8_t>(i * 7 + seq));
  fuzz::seed_key().sign(c);
  return std::make_shared<const Chunk>(std::move(c));
}

std::vector<Message> one_of_each() {
  const ChannelId channel = fuzz::seed_key().channel();
  const auto chunk = signed_chunk(40, 8);
  return {
      Hello{.channel = channel,
            .peer_id = PeerId(77),
            .listen_port = 7001,
            .your_host = "203.0.113.9",
            .my_host = "192.168.1.10"},
      BufferMapMsg{ChunkSeq(10),
                   12,
                   {0xff, 0x0f},
                   {0x11, 0x01},
                   250'000,
                   160'000,
                   WallTime(std::chrono::milliseconds(1'800'000'005'000)),
                   500},
      HaveMsg{{ChunkSeq(11), ChunkSeq(12)}, {ChunkSeq(12)}},
      RequestMsg{ChunkSeq(5), 300, 0b0101},
      CancelMsg{ChunkSeq(6)},
      ChunkMsg{chunk},
      ChokeMsg{},
      UnchokeMsg{},
      PexMsg{{"127.0.0.1:7000", "[::1]:7001"}, true},
      ByeMsg{"shutting down"},
      AnnounceMsg{kProtocolVersion, channel, PeerId(78), 7002},
      PeersMsg{{"127.0.0.1:7003", "[2001:db8::1]:7004"}, 10, "198.51.100.7"},
      ErrorMsg{"listen_port must not be 0"},
      RejectMsg{ChunkSeq(8)},
      ChunkHeadMsg{head_of(*chunk)},
      PieceMsg{.seq = chunk->seq, .index = 1, .count = 4, .whole = chunk},
      StripesMsg{.home = 2,
                 .depth = {1, 2, 3, 255},
                 .takes = {0, 3, 5, 5},
                 .pushing = 0b0100,
                 .answer = 9,
                 .your_home = 2,
                 .slots = 5,
                 .ancestors = {1, 2, 4, 8},
                 .leaving = true},
      SubscribeMsg{
          .stripes = 0b0011, .heads = true, .home = 1, .slots = 4, .ask = 3, .from = ChunkSeq(9)},
      TimeQueryMsg{.sent = 123'456'789'012},
      TimeReplyMsg{.sent = 123'456'789'012,
                   .received_ms = 1'796'458'277'000,
                   .answered_ms = 1'796'458'277'001,
                   .error_ms = 12},
      HolePunchMsg{{"203.0.113.7:40001", "192.168.1.11:40001"}},
      OffenderMsg{.peer_id = PeerId(42), .offence = 1}};
}

void frame_seeds(const fs::path& dir) {
  for (const auto& m : one_of_each()) write(dir, message_name(m), encode_frame(m));
}

void tracker_seeds(const fs::path& dir) {
  const ChannelId channel = fuzz::seed_key().channel();
  ChannelId other = channel;
  other[0] ^= 1;
  std::vector<Message> announces;
  for (uint64_t p = 1; p <= 6; ++p) {
    announces.push_back(AnnounceMsg{kProtocolVersion, p % 3 ? channel : other, PeerId(p),
                                    static_cast<uint16_t>(7000 + p)});
  }
  write(dir, "announce", frames({announces[0]}));
  write(dir, "announces", frames(announces));
  write(dir, "announce_then_hello", frames({announces[0], one_of_each()[0], announces[1]}));
}

DhtNode node(uint64_t id, const std::string& address) { return {DhtId(Uint160(id)), address}; }

void dht_seeds(const fs::path& dir) {
  const DhtId key(Uint160(12345));
  const std::vector<DhtMessage> messages = {
      FindSuccessorMsg{key},
      FoundMsg{true, node(7, "127.0.0.1:7000")},
      GetStateMsg{},
      StateMsg{node(3, "127.0.0.1:7001"), {node(9, "127.0.0.1:7002"), node(11, "[::1]:7003")}},
      PingMsg{},
      PongMsg{},
      NotifyMsg{node(4, "127.0.0.1:7004")},
      StoreMsg{{{key, "127.0.0.1:9000", 30}, {key, "127.0.0.1:9001", 30}}, 1},
      StoredMsg{2},
      FetchMsg{key},
      ValuesMsg{{"127.0.0.1:9000", "127.0.0.1:9001"}},
      LeavingMsg{node(5, "127.0.0.1:7005"), node(3, "127.0.0.1:7001"), {node(9, "127.0.0.1:7002")}},
      LookupMsg{"channel"},
      LookupResultMsg{key, node(9, "127.0.0.1:7002"), 3},
      PutMsg{"channel", "127.0.0.1:9000", 30},
      PutResultMsg{key, node(9, "127.0.0.1:7002"), 2},
      GetMsg{"channel"},
      GetResultMsg{key, node(9, "127.0.0.1:7002"), 2, {"127.0.0.1:9000"}, "203.0.113.4"},
      StatsMsg{},
      StatsResultMsg{"{\"nodes\":3}"},
      DhtErrorMsg{"not joined"}};
  uint64_t txid = 1;
  for (const auto& m : messages) write(dir, dht_message_name(m), encode_datagram({txid++, m}));
}

void channel_uri_seeds(const fs::path& dir) {
  const std::string id = to_hex(fuzz::seed_key().channel());
  const std::vector<std::string> texts = {
      "shoal://" + id + "?source=127.0.0.1:7000",
      "shoal://" + id + "?source=[::1]:7000&tracker=tracker.example:6969&dht=10.0.0.1:4000",
      "shoal://" + id + "?dht=10.0.0.1:4000&future=1&source=host:1", "[2001:db8::1]:65535",
      "localhost:0"};
  for (size_t i = 0; i < texts.size(); ++i)
    write(dir, "uri" + std::to_string(i), Bytes(texts[i].begin(), texts[i].end()));
}

void pieces_seeds(const fs::path& dir) {
  // As pushed, as requested (some stripes), whole, and pieces before their head.
  const auto small = signed_chunk(1, 20);   // 3760 bytes: 4 pieces
  const auto large = signed_chunk(2, 200);  // 37 600 bytes: 8 pieces
  write(dir, "pushed", frames(push_messages(small)));
  write(dir, "requested_stripes", frames(push_messages(large, true, 0b0110)));
  write(dir, "whole", frames({ChunkMsg{small}, RequestMsg{ChunkSeq(2)}}));
  auto early = push_messages(small);
  std::rotate(early.begin(), early.begin() + 1, early.end());  // the head comes last
  write(dir, "early", frames(early));
}

}  // namespace
}  // namespace shoal

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds DIR (fuzz/corpus)\n");
    return 2;
  }
  const std::filesystem::path root = argv[1];
  shoal::frame_seeds(root / "frame");
  shoal::tracker_seeds(root / "tracker");
  shoal::dht_seeds(root / "dht");
  shoal::channel_uri_seeds(root / "channel_uri");
  shoal::pieces_seeds(root / "pieces");
  return 0;
}
