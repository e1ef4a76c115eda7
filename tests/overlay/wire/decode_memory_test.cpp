// What decoding costs in memory: no input makes the frame or datagram decoder
// allocate more than 4 times its size plus 64 KiB (docs/protocol.md,
// "Limits"), nor take 100 ms. Allocations are counted by interposing malloc
// and free (operator new, msgpack's zone and everything else end there), so
// this test has an executable of its own, built without the sanitizers,
// whose allocators forbid it.
#include <gtest/gtest.h>
#include <malloc.h>

#include <chrono>
#include <random>

#include "overlay/dht/dht_codec.h"
#include "overlay/wire/codec.h"

extern "C" {
void* __libc_malloc(size_t);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void __libc_free(void*);
}

namespace {
bool counting = false;
int64_t live = 0;
int64_t peak = 0;

void note(int64_t bytes) {
  if (!counting) return;
  live += bytes;
  peak = std::max(peak, live);
}
int64_t usable(void* p) { return p ? static_cast<int64_t>(malloc_usable_size(p)) : 0; }
}  // namespace

extern "C" void* malloc(size_t n) {
  void* p = __libc_malloc(n);
  note(usable(p));
  return p;
}
extern "C" void* calloc(size_t n, size_t size) {
  void* p = __libc_calloc(n, size);
  note(usable(p));
  return p;
}
extern "C" void* realloc(void* p, size_t n) {
  const int64_t before = usable(p);
  void* q = __libc_realloc(p, n);
  if (q || n == 0) note(usable(q) - before);
  return q;
}
extern "C" void free(void* p) {
  note(-usable(p));
  __libc_free(p);
}

namespace shoal {
namespace {

using Bytes = std::vector<uint8_t>;

struct Cost {
  bool decoded = false;
  int64_t peak_bytes = 0;
  double ms = 0;
};

template <typename Decode>
Cost cost_of(Decode decode) {
  live = peak = 0;
  counting = true;
  const auto start = std::chrono::steady_clock::now();
  const bool decoded = decode();
  const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
  counting = false;
  return {decoded, peak, took.count()};
}

// Also recorded as a test property (--gtest_output=json:FILE shows them):
// the figures in docs/benchmarks.md.
Cost body_cost(const Bytes& body, const std::string& name = "") {
  const Cost c = cost_of([&] { return decode_body(body).ok(); });
  if (!name.empty()) {
    ::testing::Test::RecordProperty(name + "_input_bytes", std::to_string(body.size()));
    ::testing::Test::RecordProperty(name + "_peak_bytes", std::to_string(c.peak_bytes));
    ::testing::Test::RecordProperty(name + "_us", std::to_string(static_cast<int>(c.ms * 1000)));
  }
  return c;
}

int64_t allowance(size_t input_bytes) { return 4 * static_cast<int64_t>(input_bytes) + (64 << 10); }

// `[type, ...]` followed by `headers` copies of one container header.
Bytes nested(uint8_t type, Bytes header, int headers) {
  Bytes body{0x92, type};
  for (int i = 0; i < headers; ++i) body.insert(body.end(), header.begin(), header.end());
  return body;
}

// `[type, [nil, nil, ...]]`, `bytes` long.
Bytes nils(uint8_t type, size_t bytes) {
  const uint32_t n = static_cast<uint32_t>(bytes - 7);
  Bytes body{0x92, type, 0xdd, uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)};
  body.resize(bytes, 0xc0);
  return body;
}

TEST(DecodeMemory, NestedArrayHeadersAreRefusedCheaply) {
  const Bytes body = nested(3, {0xdc, 0xff, 0xff}, 13);  // 41 bytes; once 16 MiB
  const Cost c = body_cost(body, "arrays");
  EXPECT_FALSE(c.decoded);
  EXPECT_LE(c.peak_bytes, allowance(body.size()));
  EXPECT_LT(c.ms, 100);
}

TEST(DecodeMemory, NestedMapHeadersAreRefusedCheaply) {
  const Bytes body = nested(3, {0xde, 0xff, 0xff}, 18);  // 56 bytes; once 32 MiB
  const Cost c = body_cost(body, "maps");
  EXPECT_FALSE(c.decoded);
  EXPECT_LE(c.peak_bytes, allowance(body.size()));
}

TEST(DecodeMemory, AFrameOfNilsIsRefusedCheaply) {
  // 4 MiB of nils once took 126-140 MiB and 120-150 ms; in any type's frame.
  for (const uint8_t type : {6, 15, 16, 3, 1}) {
    for (const size_t bytes : {size_t{4} << 20, size_t{60} << 10, size_t{4000}}) {
      const Bytes body = nils(type, bytes);
      const Cost c =
          body_cost(body, "nils_type" + std::to_string(type) + "_" + std::to_string(bytes));
      EXPECT_FALSE(c.decoded) << int(type) << " " << bytes;
      EXPECT_LE(c.peak_bytes, allowance(body.size())) << int(type) << " " << bytes;
      EXPECT_LT(c.ms, 100) << int(type) << " " << bytes;
    }
  }
}

TEST(DecodeMemory, ATimestampPastTheRangeIsRefused) {
  // BUFFER_MAP with newest_capture a 96-bit timestamp of 2^63-1 s: it made
  // msgpack's chrono adaptor overflow.
  Bytes body{0x92, 0x02, 0x97, 0x00, 0x00, 0xc4, 0x00, 0xc4, 0x00, 0x00, 0x00, 0xc7, 0x0c,
             0xff, 0x00, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  const Cost c = body_cost(body, "timestamp");
  EXPECT_FALSE(c.decoded);
  EXPECT_LE(c.peak_bytes, allowance(body.size()));
  body[18] = 0x00;  // 2^56-1 s: still far out
  EXPECT_FALSE(decode_body(body));
  std::fill(body.begin() + 18, body.end(), 0);  // the epoch
  EXPECT_TRUE(decode_body(body)) << decode_body(body).error();
}

TEST(DecodeMemory, AWholeChunkCostsLittleMoreThanItsPayload) {
  auto chunk = std::make_shared<Chunk>();
  chunk->seq = ChunkSeq(1);
  chunk->payload.assign(4'000'000, 0x47);
  const auto frame = encode_frame(ChunkMsg{chunk});
  const Bytes body(frame.begin() + kFrameHeader, frame.end());
  const Cost c = body_cost(body, "chunk");
  EXPECT_TRUE(c.decoded);
  EXPECT_LE(c.peak_bytes, allowance(body.size()));
  EXPECT_LE(c.peak_bytes, static_cast<int64_t>(body.size()) + (64 << 10));  // one copy
}

TEST(DecodeMemory, RandomContainerSoupStaysWithinTheAllowance) {
  std::mt19937 rng(7);
  const uint8_t pieces[] = {0xdc, 0xdd, 0xde, 0xdf, 0x9f, 0x8f, 0xc0, 0xc4, 0xc5, 0xd9, 0xff, 0x00};
  for (int i = 0; i < 3000; ++i) {
    Bytes body{0x92, static_cast<uint8_t>(1 + rng() % 21)};
    const size_t n = 2 + rng() % 200;
    while (body.size() < n) body.push_back(rng() % 3 ? pieces[rng() % std::size(pieces)] : rng());
    const Cost c = body_cost(body);
    ASSERT_LE(c.peak_bytes, allowance(body.size())) << i;
  }
}

TEST(DecodeMemory, ADatagramOfNilsIsRefusedCheaply) {
  Bytes d{0x93, 0x01, 0x01, 0xdc, 0x1f, 0xf0};
  d.resize(kMaxDatagram, 0xc0);
  const Cost c = cost_of([&] { return decode_datagram(d).ok(); });
  EXPECT_FALSE(c.decoded);
  EXPECT_LE(c.peak_bytes, allowance(d.size()));
}

}  // namespace
}  // namespace shoal
