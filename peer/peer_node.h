#pragma once
// PeerNode: a viewer in a process: the PeerRunner on the Asio transport.
// Neighbours are accepted on `listener` (none if null) and dials leave from
// `dial_from`; what arrives reaches the runner `latency` late (an emulated
// distance, DelayedTransport; zero: at once). Everything a viewer does is the
// runner's; this only builds it.
//
// Threading: everything runs on the io_context's thread.

#include <boost/asio.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "overlay/net/asio_transport.h"
#include "overlay/transport/delayed_transport.h"
#include "peer/peer_runner.h"

namespace shoal {

class PeerNode {
 public:
  PeerNode(boost::asio::io_context& io, const PeerOptions& options, PeerRunner::PlayFn on_play,
           std::unique_ptr<Listener> listener,
           std::optional<boost::asio::ip::address> dial_from = std::nullopt,
           std::chrono::milliseconds latency = {})
      : transport_(io, std::move(listener), dial_from),
        delayed_(transport_, latency),
        runner_(delayed_, options, on_play) {}
  PeerNode(const PeerNode&) = delete;
  PeerNode& operator=(const PeerNode&) = delete;

  PeerRunner& runner() { return runner_; }
  const PeerRunner& runner() const { return runner_; }
  // Where it accepts neighbours, if it does.
  std::optional<Endpoint> listening() const { return transport_.local(); }

 private:
  AsioTransport transport_;
  DelayedTransport delayed_;
  PeerRunner runner_;
};

}  // namespace shoal
