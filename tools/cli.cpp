#include "tools/cli.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "media/log.h"

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

Result<std::optional<Endpoint>> optional_endpoint(const po::variables_map& vm, const char* name) {
  if (!vm.count(name)) return std::optional<Endpoint>();
  auto at = Endpoint::parse(vm[name].as<std::string>());
  if (!at) return Error{std::string("--") + name + ": " + at.error()};
  return std::optional<Endpoint>(*at);
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

Result<UploadLimit> parse_upload_limit(const std::string& text) {
  if (text == "none") return UploadLimit{};
  if (text == "0") return UploadLimit{.bytes_per_second = 0.0};
  if (text.size() > 1 && (text.back() == 'x' || text.back() == 'X')) {
    double multiple = 0;
    const char* end = text.data() + text.size() - 1;
    const auto [p, ec] = std::from_chars(text.data(), end, multiple);
    if (ec == std::errc() && p == end && multiple >= 0) {
      return UploadLimit{.stream_multiple = multiple};
    }
  }
  auto bits = parse_bitrate(text);
  if (!bits) {
    return Error{
        "bad upload limit '" + text +
        "' (none, 0, a bit rate such as 2M, or a multiple of the stream rate such as 1.5x)"};
  }
  return UploadLimit{.bytes_per_second = *bits / 8.0};
}

Result<std::optional<double>> parse_repair_share(const std::string& text) {
  if (text == "none") return std::optional<double>();
  const char* end = text.data() + text.size();
  if (!text.empty() && (text.back() == 'x' || text.back() == 'X')) --end;
  double multiple = 0;
  const auto [p, ec] = std::from_chars(text.data(), end, multiple);
  if (text.empty() || ec != std::errc() || p != end || multiple < 0) {
    return Error{"bad repair share '" + text +
                 "' (none, or a multiple of the stream rate such as 0.3x)"};
  }
  return std::optional(multiple);
}

void write_json_file(const std::string& path, const nlohmann::json& stats) {
  const std::string partial = path + ".partial";
  std::ofstream(partial) << stats.dump(2) << "\n";
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) log_line("cannot write " + path + ": " + ec.message());
}

}  // namespace shoal::cli
