#pragma once
// Shared pieces of the `shoal` subcommands: option parsing with --help, and
// parsing of user-written quantities such as bit rates.

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "media/result.h"
#include "overlay/wire/endpoint.h"
#include "overlay/limits/upload_limit.h"

namespace shoal::cli {

namespace po = boost::program_options;

struct Command {
  std::string usage;        // "shoal source --input <file|URL|testsrc> [options]"
  std::string description;  // one paragraph on what it does
  po::options_description options{"Options"};
  po::positional_options_description positional;
  po::options_description hidden;  // positional arguments, not listed under Options
};

// Parses `args` (without the program and subcommand names). Returns an exit
// code to end with: 0 after printing help, 2 after a usage error; or nullopt
// when the command should run.
std::optional<int> parse(Command& command, const std::vector<std::string>& args,
                         po::variables_map& vm);

// The HOST:PORT given as option `name`, if it was given.
Result<std::optional<Endpoint>> optional_endpoint(const po::variables_map& vm, const char* name);

// "800k", "1.5M", "2000000" (bits per second).
Result<int64_t> parse_bitrate(const std::string& text);

// An upload limit as users write it: "none", "0" (upload nothing), "2M"
// (bits per second, like --bitrate) or "1.5x" (times the stream's rate, which
// the source announces).
Result<UploadLimit> parse_upload_limit(const std::string& text);

// The source's --repair-share: "none" (no limit) or a multiple of the stream
// rate such as "0.3x" (the x may be left off).
Result<std::optional<double>> parse_repair_share(const std::string& text);
inline constexpr const char* kRepairShareHelp =
    "most the source uploads on request (repairs), as a multiple of the stream rate over "
    "the last 5 s: beyond it requests are turned away so that viewers repair each other "
    "(a chunk that left the source fewer than twice is still served); none: no limit";
// A swarm experiment passes its --repair-share to the source; in
// client-server mode the source is every viewer's only supplier, so none.
inline constexpr const char* kSwarmRepairShareHelp =
    "the source's --repair-share (default: the source's; none in client-server mode)";

// --max-per-address, shared by every node that accepts connections.
inline constexpr const char* kMaxPerAddressHelp =
    "most connections open at once from one IP address (raise it when many nodes share one "
    "address, e.g. behind a NAT)";

// Runs one subcommand; each returns the process exit code.
// Writes `stats` to `path` aside and renames it into place, so a reader never
// sees half a file; a failure is logged, not thrown.
void write_json_file(const std::string& path, const nlohmann::json& stats);

int source_main(const std::vector<std::string>& args);
int peer_main(const std::vector<std::string>& args);
int demo_main(const std::vector<std::string>& args);
int swarm_main(const std::vector<std::string>& args);
int simulate_main(const std::vector<std::string>& args);
int tracker_main(const std::vector<std::string>& args);
int dht_main(const std::vector<std::string>& args);
int dht_bench_main(const std::vector<std::string>& args);

}  // namespace shoal::cli
