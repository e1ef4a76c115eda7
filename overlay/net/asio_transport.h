#pragma once
// AsioTransport: the Transport of a real process. Connections are framed TCP
// Connections; dials resolve the host, leave from the node's own address
// (dial.h) and are given up on after 3 s (on_dial_failed), though the socket
// keeps trying for 30 s and a connection it makes then comes as on_dialled
// after all; accepted sockets come from the node's Listener. The clocks are
// the system's (wall) and steady_clock (monotonic).
//
// Threading: the io_context's thread. Lifetime: it may be destroyed with
// operations pending; their handlers then do nothing. Open connections are
// closed with it.

#include <boost/asio.hpp>
#include <map>
#include <memory>
#include <optional>

#include "overlay/net/connection.h"
#include "overlay/net/listener.h"
#include "overlay/transport/transport.h"

namespace shoal {

class AsioTransport : public Transport {
 public:
  // `listener` may be null: the node then accepts nobody. Dials leave from
  // `dial_from` when set.
  AsioTransport(boost::asio::io_context& io, std::unique_ptr<Listener> listener,
                std::optional<boost::asio::ip::address> dial_from = std::nullopt);
  ~AsioTransport() override;
  AsioTransport(const AsioTransport&) = delete;
  AsioTransport& operator=(const AsioTransport&) = delete;

  // Where it accepts connections, if it does.
  std::optional<Endpoint> local() const;

  void attach(LinkEvents& events) override { events_ = &events; }
  void start_accepting() override;
  void stop_accepting() override;
  void dial(const Endpoint& to) override;
  void write(ConnId conn, const Frame& frame) override;
  void close(ConnId conn) override;
  WallTime wall_now() const override;
  MonoTime mono_now() const override;
  std::unique_ptr<Timer> timer() override;
  void log(std::string_view line) override;

 private:
  void on_accepted(boost::asio::ip::tcp::socket socket);
  // Starts a Connection on a connected socket; its id.
  ConnId adopt(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& io_;
  std::unique_ptr<Listener> listener_;
  std::optional<boost::asio::ip::address> dial_from_;
  LinkEvents* events_ = nullptr;
  std::map<ConnId, std::shared_ptr<Connection>> conns_;
  uint64_t next_conn_ = 1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace shoal
