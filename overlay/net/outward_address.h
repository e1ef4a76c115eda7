#pragma once
// The address other machines most likely reach this one at, for a node that
// listens on every interface and must say where: the local end of its route
// to the internet, found by "connecting" a UDP socket to a documentation
// address (nothing is sent). IPv4 first, then IPv6; nullopt without a route.

#include <optional>
#include <string>

namespace shoal {

std::optional<std::string> outward_address();

}  // namespace shoal
