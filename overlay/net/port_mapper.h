#pragma once
// PortMapper: asks the home router to forward the node's listening port to
// it, so that viewers behind other NATs can dial it. It tries NAT-PMP
// (RFC 6886, libnatpmp) first, then UPnP-IGD (libminiupnpc). It asks for the
// same port outside as inside, so that the address the node is known by
// (where the source and tracker see it, at its listening port) stays true. A
// router that offers another port is refused. The mapping is renewed at
// half its lease and taken back when the mapper is destroyed.
//
// Threading: both libraries block (a NAT-PMP answer comes within ms, a UPnP
// discovery waits up to 2 s), so it works on a thread of its own. `done` is
// posted to the io_context once, with the mapping or why there is none.
// Destruction waits for that thread: a second or two while it removes the
// mapping.

#include <boost/asio.hpp>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "media/result.h"

namespace shoal {

class PortMapper {
 public:
  struct Mapping {
    std::string public_host;  // the router's outside address
    uint16_t port = 0;        // the same outside as inside
    std::string by;           // "NAT-PMP" or "UPnP"
  };
  using DoneFn = std::function<void(Result<Mapping>)>;

  PortMapper(boost::asio::io_context& io, uint16_t port, DoneFn done);
  ~PortMapper();
  PortMapper(const PortMapper&) = delete;
  PortMapper& operator=(const PortMapper&) = delete;

  // A lease asked of the router; renewed at half.
  static constexpr std::chrono::seconds kLease{3600};

 private:
  void run();
  // Waits up to `d`; false once stopping.
  bool wait(std::chrono::seconds d);

  boost::asio::io_context& io_;
  uint16_t port_;
  DoneFn done_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // read on the io thread
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace shoal
