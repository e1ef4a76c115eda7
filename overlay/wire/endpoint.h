#pragma once
// A HOST:PORT pair as users write it ("127.0.0.1:7000", "[::1]:7000",
// "localhost:0"). Port 0 asks the system for any free port when listening.

#include <cstdint>
#include <string>
#include <string_view>

#include "media/result.h"

namespace shoal {

struct Endpoint {
  std::string host;
  uint16_t port = 0;

  std::string to_string() const;
  static Result<Endpoint> parse(std::string_view text);
  bool operator==(const Endpoint&) const = default;
};

}  // namespace shoal
