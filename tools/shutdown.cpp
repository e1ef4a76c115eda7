#include "tools/shutdown.h"

#include <csignal>
#include <cstdlib>

namespace shoal::cli {

Shutdown::Shutdown(boost::asio::io_context& io, std::chrono::milliseconds grace,
                   std::function<void(const std::string&)> leave)
    : io_(io), signals_(io, SIGINT, SIGTERM), deadline_(io), grace_(grace), leave_(std::move(leave)) {
  wait_for_signal();
}

void Shutdown::wait_for_signal() {
  signals_.async_wait([this](boost::system::error_code ec, int signal) {
    if (ec) return;
    if (begun_) std::_Exit(128 + signal);  // asked twice: no more waiting
    begin("interrupted");
    wait_for_signal();
  });
}

void Shutdown::begin(const std::string& why) {
  if (begun_) return;
  begun_ = true;
  deadline_.expires_after(grace_);
  deadline_.async_wait([this](boost::system::error_code ec) {
    if (!ec) io_.stop();
  });
  leave_(why);
}

}  // namespace shoal::cli
