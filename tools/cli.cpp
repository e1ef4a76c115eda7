#include "tools/cli.h"

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

void write_json_file(const std::string& path, const nlohmann::json& stats) {
  const std::string partial = path + ".partial";
  std::ofstream(partial) << stats.dump(2) << "\n";
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) log_line("cannot write " + path + ": " + ec.message());
}

}  // namespace shoal::cli
