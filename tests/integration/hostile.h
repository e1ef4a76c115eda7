#pragma once
// Hostile clients for integration tests: raw TCP connections from chosen
// loopback addresses, and waits for the server under test to close them.

#include <boost/asio.hpp>
#include <chrono>
#include <vector>

#include "overlay/wire/endpoint.h"

namespace shoal::testing {

// A connection to `to` from the local address `from` (any of 127.0.0.0/8
// reaches a loopback server, and the server tells them apart).
boost::asio::ip::tcp::socket dial(boost::asio::io_context& io, const Endpoint& to,
                                  const char* from = "127.0.0.1");

bool readable_within(boost::asio::ip::tcp::socket& socket, std::chrono::milliseconds timeout);

// Waits until `want` of `sockets` are closed by the server (reading and
// dropping whatever it sends first); how many were by the deadline.
size_t count_closed(std::vector<boost::asio::ip::tcp::socket>& sockets, size_t want,
                    std::chrono::milliseconds timeout);
bool closed_within(boost::asio::ip::tcp::socket socket, std::chrono::milliseconds timeout);

// Bytes no codec accepts: a frame of 8 bytes of 0xc1 (never valid msgpack).
std::vector<uint8_t> undecodable_frame();
// The first 64 KiB of a frame that announces a 64 MiB body.
std::vector<uint8_t> oversized_frame_start();

}  // namespace shoal::testing
