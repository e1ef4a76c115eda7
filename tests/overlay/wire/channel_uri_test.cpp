#include "overlay/wire/channel_uri.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

const std::string kId(64, 'a');

TEST(ChannelUri, RoundTrips) {
  auto uri = ChannelUri::parse("shoal://" + kId + "?source=127.0.0.1:7000");
  ASSERT_TRUE(uri) << uri.error();
  EXPECT_EQ(uri->channel[0], 0xaa);
  EXPECT_EQ(uri->source, (Endpoint{"127.0.0.1", 7000}));
  EXPECT_EQ(uri->to_string(), "shoal://" + kId + "?source=127.0.0.1:7000");
}

TEST(ChannelUri, CarriesTheTracker) {
  auto uri = ChannelUri::parse("shoal://" + kId + "?tracker=h:1&source=[::1]:9");
  ASSERT_TRUE(uri) << uri.error();
  EXPECT_EQ(uri->source, (Endpoint{"::1", 9}));
  EXPECT_EQ(uri->source.to_string(), "[::1]:9");
  ASSERT_TRUE(uri->tracker);
  EXPECT_EQ(*uri->tracker, (Endpoint{"h", 1}));
  EXPECT_EQ(uri->to_string(), "shoal://" + kId + "?source=[::1]:9&tracker=h:1");
}

TEST(ChannelUri, CarriesADhtNode) {
  auto uri = ChannelUri::parse("shoal://" + kId + "?dht=127.0.0.1:6881&source=h:9");
  ASSERT_TRUE(uri) << uri.error();
  ASSERT_TRUE(uri->dht);
  EXPECT_EQ(*uri->dht, (Endpoint{"127.0.0.1", 6881}));
  EXPECT_FALSE(uri->tracker);
  EXPECT_EQ(uri->to_string(), "shoal://" + kId + "?source=h:9&dht=127.0.0.1:6881");
}

TEST(ChannelUri, IgnoresParametersOfLaterVersions) {
  auto uri = ChannelUri::parse("shoal://" + kId + "?relay=h:1&source=h:9&x");
  ASSERT_TRUE(uri) << uri.error();
  EXPECT_EQ(uri->source, (Endpoint{"h", 9}));
  EXPECT_FALSE(uri->tracker);
}

TEST(ChannelUri, RejectsWhatIsNotAChannel) {
  for (const std::string& bad : std::vector<std::string>{
           "http://x", "shoal://abc?source=h:1", "shoal://" + kId,
           "shoal://" + kId + "?source=nohost", "shoal://" + kId + "?source=h:70000",
           "shoal://" + kId + "?source=h:1&tracker=nohost",
           "shoal://" + kId + "?source=h:1&dht=nohost",
           "shoal://" + std::string(64, 'g') + "?source=h:1",
           "shoal://" + kId + "?source=[[x]]:1"}) {
    auto uri = ChannelUri::parse(bad);
    ASSERT_FALSE(uri) << bad;
    EXPECT_NE(uri.error().find("bad"), std::string::npos);
  }
}

TEST(Endpoint, AnAddressPrintsAsItParses) {
  for (const std::string text :
       {"127.0.0.1:7000", "[::1]:7000", "host.example:0", "[2001:db8::1]:65535"}) {
    auto e = Endpoint::parse(text);
    ASSERT_TRUE(e) << text;
    EXPECT_EQ(e->to_string(), text);
  }
  EXPECT_EQ(Endpoint::parse("[::1]:7000")->host, "::1");
  EXPECT_FALSE(Endpoint::parse("[[x]]:1"));  // "[x]" would print as "[x]:1", parsed as "x"
  EXPECT_FALSE(Endpoint::parse("a]b:1"));
}

}  // namespace
}  // namespace shoal
