#include "source/source_node.h"

#include <utility>

#include "media/log.h"
#include "source/source_state.h"

namespace shoal {

namespace asio = boost::asio;

SourceNode::SourceNode(asio::io_context& io, ChannelKey key, const SourceOptions& options,
                       std::unique_ptr<Listener> listener, std::chrono::milliseconds latency)
    : io_(io),
      transport_(io, std::move(listener)),
      delayed_(transport_, latency),
      runner_(delayed_, key, options) {}

SourceNode::~SourceNode() {
  if (ingest_) ingest_->stop();
  if (ingest_thread_.joinable()) ingest_thread_.join();
}

void SourceNode::broadcast(std::unique_ptr<Ingest> ingest,
                           std::function<void(Result<std::monostate>)> on_end,
                           std::string state_path) {
  runner_.start();
  ingest_ = std::move(ingest);
  ingest_thread_ = std::thread([this, on_end = std::move(on_end), state_path] {
    bool told = false;
    auto result = ingest_->run([&, this](Chunk chunk) {
      if (!state_path.empty()) {
        auto saved = save_position(state_path, StreamPosition::after(chunk));
        if (!saved && !std::exchange(told, true))
          log_line(saved.error() + ": a restart would number chunks from an older position");
      }
      asio::post(io_, [this, chunk = std::move(chunk)]() mutable {
        runner_.publish(std::move(chunk));
      });
    });
    asio::post(io_, [on_end, result = std::move(result)] { on_end(result); });
  });
}

void SourceNode::stop() {
  if (ingest_) ingest_->stop();
  runner_.stop();
}

}  // namespace shoal
