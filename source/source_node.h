#pragma once
// SourceNode: the broadcaster in a process: the SourceRunner on the Asio
// transport, fed by an ingest thread that turns the input into chunks and
// posts them to the io_context.
//
// Threading: all methods are called on the io_context's thread; the ingest
// thread only posts to it.

#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "media/ingest.h"
#include "overlay/net/asio_transport.h"
#include "overlay/transport/delayed_transport.h"
#include "source/source_runner.h"

namespace shoal {

class SourceNode {
 public:
  // Serves viewers on `listener` once started; what arrives reaches the
  // runner `latency` late (an emulated distance, DelayedTransport).
  SourceNode(boost::asio::io_context& io, ChannelKey key, const SourceOptions& options,
             std::unique_ptr<Listener> listener, std::chrono::milliseconds latency = {});
  ~SourceNode();
  SourceNode(const SourceNode&) = delete;
  SourceNode& operator=(const SourceNode&) = delete;

  // Starts accepting viewers and ingest on its own thread; on_end runs on
  // the io thread when the input ends or fails. With a `state_path`, the
  // channel's position is saved there before each chunk is published
  // (source_state.h).
  void broadcast(std::unique_ptr<Ingest> ingest,
                 std::function<void(Result<std::monostate>)> on_end,
                 std::string state_path = {});
  // Stops ingest and closes every connection.
  void stop();

  SourceStats stats() const { return runner_.stats(); }
  // Where it serves viewers.
  Endpoint listening() const { return *transport_.local(); }

 private:
  boost::asio::io_context& io_;
  AsioTransport transport_;
  DelayedTransport delayed_;
  SourceRunner runner_;
  std::unique_ptr<Ingest> ingest_;
  std::thread ingest_thread_;
};

}  // namespace shoal
