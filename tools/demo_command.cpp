// `shoal demo`: the README's first command. A small swarm on the test
// pattern: a tracker, a source and a few headless viewers on loopback, each
// viewer's upload limited to twice the stream rate, then the offload report.
#include <algorithm>

#include "tools/cli.h"

namespace shoal::cli {

int demo_main(const std::vector<std::string>& args) {
  std::vector<std::string> swarm_args = args;
  // `shoal swarm` with these defaults, unless the command line sets them.
  for (const auto& [option, value] : {std::pair{"--peers", "8"},
                                      {"--duration", "20"},
                                      {"--peer-upload", "2x"}}) {
    const bool given = std::ranges::any_of(
        args, [&](const std::string& a) { return a == option || a.starts_with(std::string(option) + "="); });
    if (!given) swarm_args.insert(swarm_args.end(), {option, value});
  }
  return swarm_main(swarm_args);
}

}  // namespace shoal::cli
