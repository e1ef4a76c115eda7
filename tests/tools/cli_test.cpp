// The command-line layer: options parsed with clear usage errors, optional
// HOST:PORT options, and the experiment options `shoal swarm` and `shoal
// simulate` share, with the defaults of ExperimentOptions.
#include "tools/cli.h"

#include <gtest/gtest.h>

#include "tools/experiment_options.h"

namespace shoal::cli {
namespace {

Command command() {
  Command cmd;
  cmd.usage = "shoal test [options]";
  cmd.options.add_options()("tracker", po::value<std::string>(), "HOST:PORT of a tracker");
  return cmd;
}

TEST(Parse, RunsTheCommandWhenTheArgumentsAreGood) {
  Command cmd = command();
  po::variables_map vm;
  EXPECT_EQ(parse(cmd, {"--tracker", "127.0.0.1:7000"}, vm), std::nullopt);
  EXPECT_EQ(vm["tracker"].as<std::string>(), "127.0.0.1:7000");
}

TEST(Parse, EndsWithExitCode2OnAnUnknownOptionOrAMissingValue) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--trackr", "x"}, {"--tracker"}}) {
    Command cmd = command();
    po::variables_map vm;
    EXPECT_EQ(parse(cmd, args, vm), 2) << args[0];
  }
}

TEST(OptionalEndpoint, IsNothingWhenTheOptionIsNotGiven) {
  Command cmd = command();
  po::variables_map vm;
  ASSERT_EQ(parse(cmd, {}, vm), std::nullopt);
  const auto at = optional_endpoint(vm, "tracker");
  ASSERT_TRUE(at);
  EXPECT_FALSE(*at);
}

TEST(OptionalEndpoint, IsTheHostAndPortGiven) {
  Command cmd = command();
  po::variables_map vm;
  ASSERT_EQ(parse(cmd, {"--tracker", "[::1]:7000"}, vm), std::nullopt);
  const auto at = optional_endpoint(vm, "tracker");
  ASSERT_TRUE(at);
  EXPECT_EQ(**at, (Endpoint{"::1", 7000}));
}

TEST(OptionalEndpoint, NamesTheOptionWhenTheAddressIsBad) {
  for (const char* bad : {"localhost", ":7000", "127.0.0.1:70000", "127.0.0.1:port"}) {
    Command cmd = command();
    po::variables_map vm;
    ASSERT_EQ(parse(cmd, {"--tracker", bad}, vm), std::nullopt);
    const auto at = optional_endpoint(vm, "tracker");
    ASSERT_FALSE(at) << bad;
    EXPECT_EQ(at.error().rfind("--tracker: bad address '" + std::string(bad) + "'", 0), 0u)
        << at.error();
  }
}

TEST(AddExperimentOptions, AnOptionNotGivenTakesTheExperimentsDefault) {
  Command cmd;
  experiment::ExperimentOptions o;
  add_experiment_options(cmd, o);
  // Whatever the fields hold now, parsing sets each to its option's default.
  o = {.peers = -1,
       .duration = -1,
       .peer_upload = "?",
       .source_upload = "?",
       .mode = "?",
       .free_riders = -1,
       .join_spread = -1,
       .warmup = -1,
       .lag_ms = -1,
       .chunk_ms = -1};
  po::variables_map vm;
  ASSERT_EQ(parse(cmd, {}, vm), std::nullopt);
  EXPECT_EQ(o, experiment::ExperimentOptions{});
  EXPECT_FALSE(vm.count("repair-share"));  // no default: the source's own
}

TEST(AddExperimentOptions, EachSharedOptionFillsItsField) {
  Command cmd;
  experiment::ExperimentOptions o;
  add_experiment_options(cmd, o);
  po::variables_map vm;
  ASSERT_EQ(parse(cmd, {"--peers",         "16",
                        "--duration",      "12.5",
                        "--peer-upload",   "0.5x-3x",
                        "--source-upload", "4x",
                        "--mode",          "client-server",
                        "--repair-share",  "0.2x",
                        "--free-riders",   "4",
                        "--join-spread",   "3",
                        "--warmup",        "1",
                        "--lag-ms",        "2500",
                        "--chunk-ms",      "700"},
                  vm),
            std::nullopt);
  EXPECT_EQ(o, (experiment::ExperimentOptions{.peers = 16,
                                              .duration = 12.5,
                                              .peer_upload = "0.5x-3x",
                                              .source_upload = "4x",
                                              .mode = "client-server",
                                              .repair_share = "0.2x",
                                              .free_riders = 4,
                                              .join_spread = 3,
                                              .warmup = 1,
                                              .lag_ms = 2500,
                                              .chunk_ms = 700}));
}

}  // namespace
}  // namespace shoal::cli
