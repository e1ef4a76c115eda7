#include "overlay/wire/endpoint.h"

#include <charconv>

namespace shoal {

std::string Endpoint::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<Endpoint> Endpoint::parse(std::string_view text) {
  const auto bad = [&](const char* why) {
    return Error{"bad address '" + std::string(text) + "': " + why + " (expected HOST:PORT)"};
  };
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad("no port");
  std::string_view host = text.substr(0, colon), port = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) return bad("no host");
  // Brackets only wrap an IPv6 address; inside a host they would not print
  // back as they came (the round trip fuzz/fuzz_channel_uri checks).
  if (host.find_first_of("[]") != std::string_view::npos) return bad("brackets inside the host");
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535) {
    return bad("port must be a number from 0 to 65535");
  }
  return Endpoint{std::string(host), static_cast<uint16_t>(value)};
}

}  // namespace shoal
