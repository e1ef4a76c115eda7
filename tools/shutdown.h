#pragma once
// Shutdown: how a `shoal` process ends on SIGINT or SIGTERM, whatever state
// its neighbours are in. The first signal (or begin(), when the run is over)
// calls `leave` (say BYE, leave the ring, hand children over) and allows it
// `grace`; then the io_context stops, so that a neighbour that never answers
// cannot hold the process. A second signal ends the process at once, with
// exit code 128 + the signal.
//
// Threading: the io_context's thread.

#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <string>

namespace shoal::cli {

class Shutdown {
 public:
  // `leave` gets the reason to log ("interrupted", or what begin() was given).
  Shutdown(boost::asio::io_context& io, std::chrono::milliseconds grace,
           std::function<void(const std::string& why)> leave);

  // Leaves as on a signal; only the first call (or signal) counts.
  void begin(const std::string& why);
  bool begun() const { return begun_; }

 private:
  void wait_for_signal();

  boost::asio::io_context& io_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer deadline_;
  std::chrono::milliseconds grace_;
  std::function<void(const std::string&)> leave_;
  bool begun_ = false;
};

}  // namespace shoal::cli
