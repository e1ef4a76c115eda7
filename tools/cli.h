#pragma once
// Shared pieces of the `shoal` subcommands: option parsing with --help and
// help texts. The rates users write (bit rates, upload limits, repair
// shares) are parsed beside UploadLimit, in overlay/limits/upload_limit.h.

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "media/result.h"
#include "overlay/limits/upload_limit.h"
#include "overlay/wire/endpoint.h"

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

// The source's --repair-share.
inline constexpr const char* kRepairShareHelp =
    "most the source uploads on request (repairs), as a multiple of the stream rate over "
    "the last 5 s: beyond it requests are turned away so that viewers repair each other "
    "(a chunk that left the source fewer than twice is still served); none: no limit";

// --max-per-address, shared by every node that accepts connections.
inline constexpr const char* kMaxPerAddressHelp =
    "most connections open at once from one IP address (raise it when many nodes share one "
    "address, e.g. behind a NAT)";

// Writes `stats` to `path` aside and renames it into place, so a reader never
// sees half a file; a failure is logged, not thrown.
void write_json_file(const std::string& path, const nlohmann::json& stats);

// Runs one subcommand; each returns the process exit code.
int source_main(const std::vector<std::string>& args);
int peer_main(const std::vector<std::string>& args);
int demo_main(const std::vector<std::string>& args);
int swarm_main(const std::vector<std::string>& args);
int simulate_main(const std::vector<std::string>& args);
int tracker_main(const std::vector<std::string>& args);
int dht_main(const std::vector<std::string>& args);
int dht_bench_main(const std::vector<std::string>& args);

}  // namespace shoal::cli
