// WallTime on the wire: the bytes msgpack-cxx's chrono adaptor writes, read
// back with checked integers; out-of-range timestamps are malformed fields,
// never an overflow (these tests also run under UBSan).
#include "media/wire_time.h"

#include <gtest/gtest.h>

#include <limits>

#include "media/chunk.h"
#include "media/result.h"

namespace shoal {
namespace {

using std::chrono::milliseconds;
using Micros = std::chrono::time_point<std::chrono::system_clock, std::chrono::microseconds>;

template <typename T>
std::string packed(const T& v) {
  msgpack::sbuffer b;
  msgpack::pack(b, v);
  return {b.data(), b.size()};
}

// A timestamp extension packed by hand: `nsec` and `sec` as the 96-bit form.
std::string timestamp96(uint32_t nsec, int64_t sec) {
  msgpack::sbuffer b;
  msgpack::packer<msgpack::sbuffer> pk(b);
  char body[12];
  wire_time::store_be(body, nsec, 4);
  wire_time::store_be(body + 4, static_cast<uint64_t>(sec), 8);
  pk.pack_ext(12, -1);
  pk.pack_ext_body(body, 12);
  return {b.data(), b.size()};
}

Result<WallTime> read_time(const std::string& bytes) {
  try {
    return msgpack::unpack(bytes.data(), bytes.size())->as<WallTime>();
  } catch (const msgpack::type_error&) {
    return Error{"malformed"};
  }
}

TEST(WireTime, WritesTheBytesOfMsgpacksChronoAdaptorAndReadsThemBack) {
  const int64_t limit_ms = wire_time::kSecondsLimit * 1000;
  for (const int64_t ms :
       {int64_t{0}, int64_t{1}, int64_t{999}, int64_t{1000}, int64_t{-1}, int64_t{-1000},
        int64_t{-1001}, int64_t{1'700'000'000'123}, int64_t{4'294'967'295'000},
        int64_t{4'294'967'296'000}, limit_ms - 1, limit_ms, -limit_ms}) {
    const WallTime t{milliseconds(ms)};
    // msgpack's own adaptor still handles other durations: the reference.
    EXPECT_EQ(packed(t), packed(Micros(std::chrono::microseconds(ms * 1000)))) << ms;
    auto back = read_time(packed(t));
    if (ms == limit_ms) {
      EXPECT_FALSE(back) << "2^34 s is out of range";
    } else {
      ASSERT_TRUE(back) << ms;
      EXPECT_EQ(*back, t) << ms;
    }
  }
}

TEST(WireTime, HugeSecondsAreMalformedNotAnOverflow) {
  for (const int64_t sec :
       {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(),
        wire_time::kSecondsLimit, -wire_time::kSecondsLimit - 1}) {
    EXPECT_FALSE(read_time(timestamp96(0, sec))) << sec;
    EXPECT_FALSE(read_time(timestamp96(999'999'999, sec))) << sec;
  }
  EXPECT_TRUE(read_time(timestamp96(0, wire_time::kSecondsLimit - 1)));
  EXPECT_TRUE(read_time(timestamp96(0, -wire_time::kSecondsLimit)));
}

TEST(WireTime, NanosecondsOfASecondOrMoreAreMalformed) {
  EXPECT_FALSE(read_time(timestamp96(1'000'000'000, 1)));
  char body[8];
  wire_time::store_be(body, uint64_t{1'000'000'000} << 34 | 5, 8);  // the 64-bit form
  msgpack::sbuffer b;
  msgpack::packer<msgpack::sbuffer> pk(b);
  pk.pack_ext(8, -1);
  pk.pack_ext_body(body, 8);
  EXPECT_FALSE(read_time({b.data(), b.size()}));
}

TEST(WireTime, OtherExtensionsAndTypesAreMalformed) {
  msgpack::sbuffer b;
  msgpack::packer<msgpack::sbuffer> pk(b);
  pk.pack_ext(4, 5);  // not the timestamp type
  pk.pack_ext_body("\0\0\0\1", 4);
  EXPECT_FALSE(read_time({b.data(), b.size()}));
  EXPECT_FALSE(read_time(packed(int64_t{1'700'000'000'000})));
  b.clear();
  pk.pack_ext(3, -1);  // no timestamp has 3 bytes
  pk.pack_ext_body("\0\0\1", 3);
  EXPECT_FALSE(read_time({b.data(), b.size()}));
}

}  // namespace
}  // namespace shoal
