// Rates as users write them: bit rates, upload limits and the repair share.
// Good forms parse to the numbers they say; anything else is an error that
// quotes the text and shows the forms, never a silent zero, NaN or infinity.
#include "overlay/limits/upload_limit.h"

#include <gtest/gtest.h>

#include <string>

namespace shoal {
namespace {

TEST(ParseBitrate, TakesBitsPerSecondWithAnOptionalKOrM) {
  EXPECT_EQ(*parse_bitrate("2000000"), 2'000'000);
  EXPECT_EQ(*parse_bitrate("800k"), 800'000);
  EXPECT_EQ(*parse_bitrate("800K"), 800'000);
  EXPECT_EQ(*parse_bitrate("1.5M"), 1'500'000);
  EXPECT_EQ(*parse_bitrate("2m"), 2'000'000);
  EXPECT_EQ(*parse_bitrate("1"), 1);
}

TEST(ParseBitrate, RejectsWhatIsNotAPositiveRateWithAMessageShowingTheForms) {
  for (const char* bad : {"", "k", "M", "0", "0.5", "-5", "-1M", "+2M", " 2M", "2M ", "abc", "1.5y",
                          "1.5MM", "2Mbit", "nan", "inf", "infk", "1e13", "0x10"}) {
    const auto rate = parse_bitrate(bad);
    ASSERT_FALSE(rate) << "'" << bad << "' gave " << *rate;
    EXPECT_EQ(rate.error(), "bad bit rate '" + std::string(bad) + "' (e.g. 800k, 1.5M or 2000000)");
  }
}

TEST(ParseUploadLimit, TakesNoneZeroABitRateOrAMultipleOfTheStream) {
  const UploadLimit none = *parse_upload_limit("none");
  EXPECT_FALSE(none.bytes_per_second);
  EXPECT_FALSE(none.stream_multiple);
  EXPECT_EQ(parse_upload_limit("0")->bytes_per_second, 0.0);
  EXPECT_EQ(parse_upload_limit("2M")->bytes_per_second, 250'000.0);
  EXPECT_EQ(parse_upload_limit("1.5x")->stream_multiple, 1.5);
  EXPECT_EQ(parse_upload_limit("1.5X")->stream_multiple, 1.5);
  EXPECT_FALSE(parse_upload_limit("1.5x")->bytes_per_second);
}

TEST(ParseUploadLimit, RejectsGarbageNegativesAndNonNumbers) {
  for (const char* bad : {"", "x", "X", "1.5y", "1.5xx", "-1x", "-2M", "nanx", "infx", "x1.5",
                          "None", "unlimited", "0.5"}) {
    const auto limit = parse_upload_limit(bad);
    EXPECT_FALSE(limit) << "'" << bad << "' was taken";
    if (!limit) {
      EXPECT_EQ(limit.error(), "bad upload limit '" + std::string(bad) +
                                   "' (none, 0, a bit rate such as 2M, or a multiple of the "
                                   "stream rate such as 1.5x)");
    }
  }
}

TEST(ParseRepairShare, TakesNoneOrAMultipleOfTheStreamWithOrWithoutTheX) {
  EXPECT_EQ(*parse_repair_share("none"), std::nullopt);
  EXPECT_EQ(*parse_repair_share("0.3x"), 0.3);
  EXPECT_EQ(*parse_repair_share("0.3"), 0.3);
  EXPECT_EQ(*parse_repair_share("0"), 0.0);
  EXPECT_EQ(*parse_repair_share("2X"), 2.0);
}

TEST(ParseRepairShare, RejectsGarbageNegativesAndNonNumbers) {
  for (const char* bad : {"", "x", "-0.3", "-0.3x", "0.3y", "0.3xx", "nan", "inf", "abc", "30%"}) {
    const auto share = parse_repair_share(bad);
    EXPECT_FALSE(share) << "'" << bad << "' was taken";
    if (!share) {
      EXPECT_EQ(share.error(), "bad repair share '" + std::string(bad) +
                                   "' (none, or a multiple of the stream rate such as 0.3x)");
    }
  }
}

}  // namespace
}  // namespace shoal
