#pragma once
// Outgoing TCP connections that leave from the address a node listens on.
//
// A node bound to a specific host (say 127.0.0.7, or one interface of a
// multi-homed machine) should also dial from it: the tracker then pairs its
// listen port with the right address, and acceptors count its connections
// against that address. This is what lets a whole swarm run on one machine
// with each node on its own 127.0.0.x, held to the same per-address limits
// as on the Internet. A wildcard host dials from wherever the kernel picks.
//
// Threading: on the socket's io_context thread.

#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <optional>

#include "overlay/wire/endpoint.h"

namespace shoal {

// The address to dial from for a node listening on `listen`: its host when
// that is a specific IP address, else none.
std::optional<boost::asio::ip::address> dial_from(const Endpoint& listen);

// Lets a socket share its port with the node's listener (SO_REUSEPORT), for
// dials from that port.
using ReusePort = boost::asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// Connects `socket` to the first of `to` that answers, from `from` where the
// destination can be reached from it (same family; loopback only to
// loopback), and from port `from_port` if not 0: the node's listening port,
// so that a NAT maps the dial as it maps what comes to that port, and two
// nodes behind NATs dialling each other at once meet (TCP simultaneous
// open). `done` gets the outcome.
void async_dial(boost::asio::ip::tcp::socket& socket,
                const boost::asio::ip::tcp::resolver::results_type& to,
                std::optional<boost::asio::ip::address> from, uint16_t from_port,
                std::function<void(boost::system::error_code)> done);

}  // namespace shoal
