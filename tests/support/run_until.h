#pragma once
// Drives an io_context in short slices until a condition holds, for tests of
// real sockets on loopback.

#include <boost/asio/io_context.hpp>
#include <chrono>

namespace shoal::testing {

// Runs `io` until `done` holds or `timeout` passes; whether it held.
template <typename Pred>
bool run_until(boost::asio::io_context& io, Pred done, std::chrono::steady_clock::duration timeout) {
  using namespace std::chrono_literals;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(2ms);
  }
  return done();
}

}  // namespace shoal::testing
