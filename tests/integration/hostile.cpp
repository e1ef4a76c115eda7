#include "hostile.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <array>

namespace shoal::testing {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

tcp::socket dial(asio::io_context& io, const Endpoint& to, const char* from) {
  tcp::socket socket(io);
  boost::system::error_code ec;
  socket.open(tcp::v4(), ec);
  if (!ec) socket.bind({asio::ip::make_address(from), 0}, ec);
  if (!ec) socket.connect({asio::ip::make_address(to.host), to.port}, ec);
  EXPECT_FALSE(ec) << "connect from " << from << ": " << ec.message();
  return socket;
}

bool readable_within(tcp::socket& socket, std::chrono::milliseconds timeout) {
  pollfd p{socket.native_handle(), POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1;
}

size_t count_closed(std::vector<tcp::socket>& sockets, size_t want,
                    std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::vector<bool> closed(sockets.size(), false);
  size_t count = 0;
  while (count < want && Clock::now() < deadline) {
    std::vector<pollfd> fds;
    std::vector<size_t> index;
    for (size_t i = 0; i < sockets.size(); ++i) {
      if (closed[i]) continue;
      fds.push_back({sockets[i].native_handle(), POLLIN, 0});
      index.push_back(i);
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (::poll(fds.data(), fds.size(), static_cast<int>(std::max(left.count(), 0L))) <= 0) break;
    for (size_t k = 0; k < fds.size(); ++k) {
      if (fds[k].revents == 0) continue;
      std::array<uint8_t, 4096> buffer;
      boost::system::error_code ec;
      sockets[index[k]].read_some(asio::buffer(buffer), ec);
      if (ec) {
        closed[index[k]] = true;
        ++count;
      }
    }
  }
  return count;
}

bool closed_within(tcp::socket socket, std::chrono::milliseconds timeout) {
  std::vector<tcp::socket> one;
  one.push_back(std::move(socket));
  return count_closed(one, 1, timeout) == 1;
}

std::vector<uint8_t> undecodable_frame() {
  std::vector<uint8_t> frame{0, 0, 0, 8};
  frame.resize(12, 0xc1);
  return frame;
}

std::vector<uint8_t> oversized_frame_start() {
  std::vector<uint8_t> frame(64 * 1024, 0);
  frame[0] = 0x04;
  return frame;
}

}  // namespace shoal::testing
