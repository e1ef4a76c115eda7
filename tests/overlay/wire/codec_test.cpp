// The wire codec must turn every malformed input into an error value: no crash,
// no exception, no allocation driven by a lying length. CI also runs these
// tests under AddressSanitizer and UndefinedBehaviorSanitizer.
#include "overlay/wire/codec.h"

#include <gtest/gtest.h>

#include <random>

namespace shoal {
namespace {

Chunk sample_chunk() {
  Chunk c;
  c.seq = ChunkSeq(42);
  c.capture_time = WallTime(std::chrono::milliseconds(1'700'000'000'123));
  c.pts_us = 1'234'567;
  c.duration_ms = 500;
  c.flags = Chunk::kRandomAccess;
  c.payload.assign(188 * 3, 0x47);
  c.signature.fill(7);
  return c;
}

// Decodes a body packed by hand with `pack`: frames the encoder never writes.
template <typename Pack>
Result<Message> decode_hand_packed(Pack pack) {
  msgpack::sbuffer b;
  msgpack::packer<msgpack::sbuffer> pk(b);
  pack(pk);
  return decode_body(std::span(reinterpret_cast<const uint8_t*>(b.data()), b.size()));
}

std::vector<Message> one_of_each() {
  Hello hello;
  hello.channel.fill(9);
  hello.peer_id = PeerId(77);
  hello.listen_port = 7001;
  return {hello,
          BufferMapMsg{ChunkSeq(10),
                       12,
                       {0xff, 0x0f},
                       {0x11, 0x01},
                       250'000,
                       160'000,
                       WallTime(std::chrono::milliseconds(1'800'000'005'000)),
                       500},
          HaveMsg{{ChunkSeq(11), ChunkSeq(12)}, {ChunkSeq(12)}},
          RequestMsg{ChunkSeq(5)},
          CancelMsg{ChunkSeq(6)},
          ChunkMsg{std::make_shared<const Chunk>(sample_chunk())},
          ChokeMsg{},
          UnchokeMsg{},
          PexMsg{{"127.0.0.1:7000", "[::1]:7001"}},
          ByeMsg{"shutting down"},
          AnnounceMsg{kProtocolVersion, hello.channel, PeerId(78), 7002},
          PeersMsg{{"127.0.0.1:7003"}, 15},
          ErrorMsg{"listen_port must not be 0"},
          RejectMsg{ChunkSeq(8)},
          ChunkHeadMsg{head_of(sample_chunk())},
          PieceMsg{.seq = ChunkSeq(42), .index = 0, .count = 1, .bytes = {0x47, 0x47}},
          StripesMsg{.home = 2,
                     .depth = {1, 2, 3, 255},
                     .takes = {0, 3, 5, 5},
                     .pushing = 0b0100,
                     .answer = 9,
                     .your_home = 2,
                     .slots = 5,
                     .ancestors = {1, 2, 4, 8}},
          SubscribeMsg{.stripes = 0b0011, .heads = true, .home = 1, .slots = 4, .ask = 3},
          TimeQueryMsg{.sent = 123'456'789'012},
          TimeReplyMsg{.sent = 123'456'789'012,
                       .received_ms = 1'796'458'277'000,
                       .answered_ms = 1'796'458'277'001,
                       .error_ms = 12},
          HolePunchMsg{{"203.0.113.7:40001", "192.168.1.11:40001"}},
          OffenderMsg{.peer_id = PeerId(42), .offence = 1}};
}

TEST(Codec, EveryMessageRoundTrips) {
  const auto messages = one_of_each();
  ASSERT_EQ(messages.size(), std::variant_size_v<Message>);
  for (const auto& m : messages) {
    const auto frame = encode_frame(m);
    auto back = decode_frame(frame);
    ASSERT_TRUE(back) << message_name(m) << ": " << back.error();
    EXPECT_EQ(back->index(), m.index());
    EXPECT_EQ(encode_frame(*back), frame) << message_name(m);
  }
}

TEST(Codec, AFrameSizeIsCountedWithoutEncoding) {
  for (const auto& m : one_of_each()) EXPECT_EQ(frame_size(m), encode_frame(m).size()) << message_name(m);
}

TEST(Codec, ChunkFieldsSurviveTheWire) {
  const Chunk c = sample_chunk();
  auto back = decode_frame(encode_frame(ChunkMsg{std::make_shared<const Chunk>(c)}));
  ASSERT_TRUE(back);
  const Chunk& d = *std::get<ChunkMsg>(*back).chunk;
  EXPECT_EQ(d.seq, c.seq);
  EXPECT_EQ(d.capture_time, c.capture_time);
  EXPECT_EQ(d.pts_us, c.pts_us);
  EXPECT_EQ(d.duration_ms, c.duration_ms);
  EXPECT_EQ(d.flags, c.flags);
  EXPECT_EQ(d.payload, c.payload);
  EXPECT_EQ(d.signature, c.signature);
}

TEST(Codec, APieceCutFromAWholeChunkGoesOutAsItsBytesAndComesBackAsThem) {
  const auto whole = std::make_shared<const Chunk>(sample_chunk());
  const auto count = static_cast<uint32_t>(piece_count(whole->payload.size()));
  const PieceMsg cut{.seq = ChunkSeq(42), .index = count - 1, .count = count, .whole = whole};
  const auto frame = encode_frame(cut);
  EXPECT_EQ(frame_size(cut), frame.size());
  auto back = decode_frame(frame);
  ASSERT_TRUE(back) << back.error();
  const PieceMsg& p = std::get<PieceMsg>(*back);
  EXPECT_EQ(p.whole, nullptr);
  const auto expected = piece_of(whole->payload, count - 1);
  EXPECT_EQ(p.bytes, std::vector<uint8_t>(expected.begin(), expected.end()));
  EXPECT_TRUE(p.last());
}

TEST(Codec, APieceWithoutBytesIsAnError) {
  EXPECT_FALSE(decode_hand_packed([](auto& pk) {
    pk.pack_array(2);
    pk.pack(16);  // PIECE
    pk.pack_array(4);
    pk.pack(1);
    pk.pack(0);
    pk.pack(1);
    pk.pack(std::string("not bin"));
  }));
}

TEST(Codec, EveryTruncationIsAnError) {
  for (const auto& m : one_of_each()) {
    const auto frame = encode_frame(m);
    for (size_t n = 0; n < frame.size(); ++n) {
      EXPECT_FALSE(decode_frame(std::span(frame).first(n))) << message_name(m) << " cut at " << n;
    }
  }
}

TEST(Codec, TruncatedBodyBehindAnHonestHeaderIsAnError) {
  const auto frame = encode_frame(ChunkMsg{std::make_shared<const Chunk>(sample_chunk())});
  const auto body = std::span(frame).subspan(kFrameHeader);
  for (size_t n = 0; n < body.size(); ++n) EXPECT_FALSE(decode_body(body.first(n)));
}

TEST(Codec, OversizedLengthIsRejectedBeforeReadingTheBody) {
  const std::array<uint8_t, 4> huge{0x7f, 0xff, 0xff, 0xff};
  auto n = decode_frame_length(huge);
  ASSERT_FALSE(n);
  EXPECT_NE(n.error().find("exceeds"), std::string::npos);
  const std::array<uint8_t, 4> just_over{0x00, 0x40, 0x00, 0x01};
  EXPECT_FALSE(decode_frame_length(just_over));
  const std::array<uint8_t, 4> zero{0, 0, 0, 0};
  EXPECT_FALSE(decode_frame_length(zero));
}

TEST(Codec, UnknownTypeIsAnError) {
  auto r = decode_hand_packed([](auto& pk) {
    pk.pack_array(2);
    pk.pack(99);
    pk.pack_array(0);
  });
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("unknown message type 99"), std::string::npos);
}

TEST(Codec, WrongFieldTypeIsAnError) {
  EXPECT_FALSE(decode_hand_packed([](auto& pk) {
    pk.pack_array(2);
    pk.pack(4);  // REQUEST
    pk.pack_array(1);
    pk.pack(std::string("not a number"));
  }));
}

TEST(Codec, ChunkFrameWithoutAChunkIsAnError) {
  EXPECT_FALSE(decode_hand_packed([](auto& pk) {
    pk.pack_array(2);
    pk.pack(6);  // CHUNK
    pk.pack_array(1);
    pk.pack_nil();
  }));
}

TEST(Codec, ChunkFrameWithoutFieldsIsAnError) {
  // [6, []]: found by fuzz/fuzz_frame; it decoded to a CHUNK with no chunk.
  EXPECT_FALSE(decode_body(std::vector<uint8_t>{0x92, 0x06, 0x90}));
}

TEST(Codec, WrongSizedChannelIdIsAnError) {
  EXPECT_FALSE(decode_hand_packed([](auto& pk) {
    pk.pack_array(2);
    pk.pack(1);  // HELLO
    pk.pack_array(4);
    pk.pack(1);
    pk.pack(std::vector<uint8_t>(31, 1));  // one byte short of a public key
    pk.pack(7);
    pk.pack(0);
  }));
}

TEST(Codec, FieldsAddedByALaterVersionAreIgnored) {
  auto r = decode_hand_packed([](auto& pk) {
    pk.pack_array(2);
    pk.pack(4);  // REQUEST
    pk.pack_array(4);
    pk.pack(17);
    pk.pack(250);
    pk.pack(0);
    pk.pack(std::string("future field"));
  });
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(std::get<RequestMsg>(*r).seq, ChunkSeq(17));
  EXPECT_EQ(std::get<RequestMsg>(*r).wait_ms, 250u);
}

TEST(Codec, FieldsAnEarlierVersionLacksTakeTheirDefaults) {
  auto r = decode_hand_packed([](auto& pk) {
    pk.pack_array(2);
    pk.pack(4);  // REQUEST without wait_ms
    pk.pack_array(1);
    pk.pack(17);
  });
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(std::get<RequestMsg>(*r).wait_ms, 0u);  // not said
}

TEST(Codec, HugeContainerHeaderDoesNotAllocate) {
  // An array header claiming 2^32-1 elements in a few bytes.
  const std::vector<uint8_t> body{0x92, 0x03, 0xdd, 0xff, 0xff, 0xff, 0xff};
  EXPECT_FALSE(decode_body(body));
}

TEST(Codec, RandomBytesAreErrorsOrValidMessages) {
  std::mt19937 rng(1234);
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> body(1 + rng() % 64);
    for (auto& x : body) x = static_cast<uint8_t>(rng());
    if (i % 2) body[0] = 0x92;  // make half of them start like a real frame
    if (decode_body(body)) ++decoded;
  }
  EXPECT_LT(decoded, 20000);
}

TEST(Codec, MutatedValidFramesNeverCrash) {
  std::mt19937 rng(99);
  for (const auto& m : one_of_each()) {
    const auto frame = encode_frame(m);
    for (int i = 0; i < 2000; ++i) {
      auto copy = frame;
      copy[kFrameHeader + rng() % (copy.size() - kFrameHeader)] = static_cast<uint8_t>(rng());
      (void)decode_frame(copy);
    }
  }
}

TEST(Codec, TheLargestHonestMessagesFitTheirLimits) {
  std::vector<std::string> v6(kPeersAddresses, "[2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff]:65535");
  HaveMsg have;
  for (uint64_t s = 0; s < kHaveSeqs / 2; ++s) {
    have.seqs.push_back(ChunkSeq(~s));
    have.random_access.push_back(ChunkSeq(~s));
  }
  Chunk big = sample_chunk();
  big.payload.assign(4 * 1024 * 1024 - 200, 0x47);
  ChunkHead head = head_of(big);
  head.pieces.resize(kMaxPieces);
  const std::vector<Message> largest = {
      PeersMsg{v6, 10, "2001:db8::1"},
      PexMsg{std::vector<std::string>(v6.begin(), v6.begin() + kPexAddresses), true},
      HolePunchMsg{std::vector<std::string>(v6.begin(), v6.begin() + kHolePunchAddresses)},
      have,
      ChunkHeadMsg{head},
      ChunkMsg{std::make_shared<const Chunk>(big)},
      BufferMapMsg{.base_seq = ChunkSeq(1),
                   .count = 200'000,
                   .have = std::vector<uint8_t>(25'000, 0xff),
                   .random_access = std::vector<uint8_t>(25'000, 0x11)}};
  for (const auto& m : largest) {
    const auto frame = encode_frame(m);
    EXPECT_TRUE(decode_frame(frame)) << message_name(m) << " of " << frame.size() << " bytes";
  }
}

TEST(Codec, EachTypeHasItsOwnSizeLimit) {
  HaveMsg have;
  have.seqs.assign(kHaveSeqs, ChunkSeq(~uint64_t{0}));  // 9 bytes each: over 8 KiB
  ASSERT_TRUE(decode_frame(encode_frame(have)));
  const auto limits = frame_limits(3);
  ASSERT_TRUE(limits);
  std::vector<uint8_t> start{0x92, 0x03};
  auto r = check_body_start(start, limits->body_bytes + 1);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("HAVE frame of"), std::string::npos) << r.error();
  EXPECT_TRUE(check_body_start(start, limits->body_bytes));
  start[1] = 6;  // CHUNK
  EXPECT_TRUE(check_body_start(start, kMaxFrame));
  start[1] = 16;  // PIECE: a piece is at most 8 KiB
  EXPECT_FALSE(check_body_start(start, 1 << 20));
  start[1] = 0;
  EXPECT_FALSE(check_body_start(start, 10));
}

TEST(Codec, TooManyValuesForTheTypeAreAnError) {
  HaveMsg have;
  have.seqs.assign(kHaveSeqs + frame_limits(3)->values, ChunkSeq(1));
  auto r = decode_frame(encode_frame(have));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("too many values"), std::string::npos) << r.error();
  PexMsg pex;
  pex.addrs.assign(100, "1.2.3.4:5");
  EXPECT_FALSE(decode_frame(encode_frame(pex)));
}

TEST(Codec, ABodyStartsWithItsTypeAsAPositiveFixint) {
  // REQUEST{5}, its type packed as a uint8 and the array as an array16: the
  // same value, but not what an encoder writes.
  EXPECT_TRUE(decode_body(std::vector<uint8_t>{0x92, 0x04, 0x91, 0x05}));
  EXPECT_FALSE(decode_body(std::vector<uint8_t>{0x92, 0xcc, 0x04, 0x91, 0x05}));
  EXPECT_FALSE(decode_body(std::vector<uint8_t>{0xdc, 0x00, 0x02, 0x04, 0x91, 0x05}));
}

TEST(Codec, ATimestampPastTheRangeIsAnErrorNotAnOverflow) {
  // BUFFER_MAP whose newest_capture is a 96-bit timestamp of 2^63-1 s; under
  // UBSan msgpack's chrono adaptor reported "9223372036854775807 * 1000
  // cannot be represented".
  const std::vector<uint8_t> body{0x92, 0x02, 0x97, 0x00, 0x00, 0xc4, 0x00, 0xc4, 0x00,
                                  0x00, 0x00, 0xc7, 0x0c, 0xff, 0x00, 0x00, 0x00, 0x00,
                                  0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  auto r = decode_body(body);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("malformed"), std::string::npos) << r.error();
  // A chunk's capture time likewise.
  msgpack::sbuffer b;
  msgpack::packer<msgpack::sbuffer> pk(b);
  pk.pack_array(2);
  pk.pack(6);  // CHUNK
  pk.pack_array(1);
  pk.pack_array(7);
  pk.pack(1);
  pk.pack_ext(12, -1);
  pk.pack_ext_body("\x00\x00\x00\x00\x80\x00\x00\x00\x00\x00\x00\x00", 12);  // -2^63 s
  pk.pack(0);
  pk.pack(500);
  pk.pack(0);
  pk.pack(std::vector<uint8_t>(188, 0x47));
  pk.pack(Signature{});
  EXPECT_FALSE(decode_body(std::span(reinterpret_cast<const uint8_t*>(b.data()), b.size())));
}

}  // namespace
}  // namespace shoal
