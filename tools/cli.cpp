#include "tools/cli.h"

#include <charconv>
#include <iostream>

namespace shoal::cli {

std::optional<int> parse(Command& command, const std::vector<std::string>& args,
                         po::variables_map& vm) {
  command.options.add_options()("help,h", "show this help");
  po::options_description all;
  all.add(command.options).add(command.hidden);
  try {
    po::store(po::command_line_parser(args).options(all).positional(command.positional).run(), vm);
    if (vm.count("help")) {
      std::cout << "Usage: " << command.usage << "\n\n"
                << command.description << "\n\n"
                << command.options << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "Usage: " << command.usage << "\nerror: " << e.what() << " (see --help)\n";
    return 2;
  }
  return std::nullopt;
}

Result<int64_t> parse_bitrate(const std::string& text) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, value);
  double scale = 1;
  if (p != end && p + 1 == end) {
    switch (*p) {
      case 'k':
      case 'K':
        scale = 1e3;
        ++p;
        break;
      case 'm':
      case 'M':
        scale = 1e6;
        ++p;
        break;
      default:
        break;
    }
  }
  if (ec != std::errc() || p != end || value <= 0) {
    return Error{"bad bit rate '" + text + "' (e.g. 800k, 1.5M or 2000000)"};
  }
  return static_cast<int64_t>(value * scale);
}

}  // namespace shoal::cli
