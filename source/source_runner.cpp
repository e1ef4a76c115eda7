#include "source/source_runner.h"

#include "overlay/wire/codec.h"

namespace shoal {

SourceRunner::SourceRunner(Transport& transport, ChannelKey key, const SourceOptions& options)
    : transport_(transport),
      key_(key),
      engine_(options.make_config(key.channel())),
      uplink_(transport, engine_.upload_capacity().value_or(0)),
      links_(transport, uplink_, "source", options.limits,
             {.on_chunk_sent = [this](ConnId conn) { run(engine_.on_chunk_sent(conn, now())); },
              .on_closed = [this](ConnId conn, const std::string& reason,
                                  const Links::Ended& ended) {
                on_link_closed(reason, ended);
                engine_.on_disconnected(conn);
              }}),
      keepalive_(transport.timer()),
      history_timer_(transport.timer()) {
  transport_.attach(*this);
}

void SourceRunner::start() {
  transport_.start_accepting();
  started_ = transport_.mono_now();
  history_timer_->arm(started_ + std::chrono::seconds(1), [this] { record_second(); });
  keep_alive();
}

void SourceRunner::keep_alive() {
  if (stopped_) return;
  run(engine_.tick(now()));
  keepalive_->arm(transport_.mono_now() + std::chrono::milliseconds(500), [this] { keep_alive(); });
}

void SourceRunner::stop() {
  if (stopped_) return;
  stopped_ = true;
  keepalive_->cancel();
  history_timer_->cancel();
  transport_.stop_accepting();
  links_.close_all("broadcast over");
}

void SourceRunner::publish(Chunk chunk) {
  if (stopped_) return;
  key_.sign(chunk);
  ++published_.chunks_published;
  published_.chunk_bytes_published += chunk.payload.size();
  published_.media_ms_published += chunk.duration_ms;
  auto shared = std::make_shared<const Chunk>(std::move(chunk));
  published_.copy_bytes += frame_size(ChunkMsg{shared});
  run(engine_.publish(std::move(shared), now()));
}

void SourceRunner::on_accepted(ConnId conn, const Endpoint& remote) {
  if (stopped_) return transport_.close(conn);
  if (links_.accept(conn, remote)) run(engine_.on_connected(conn, remote));
}

void SourceRunner::on_message(ConnId conn, const Message& m, size_t bytes) {
  if (links_.received(conn, m, bytes)) run(engine_.on_message(conn, m, now()));
}

void SourceRunner::on_link_closed(const std::string& reason, const Links::Ended& ended) {
  closed_ += ended.traffic;
  transport_.log("viewer " + ended.remote.to_string() + " left: " + reason);
}

void SourceRunner::run(Actions actions) {
  for (Action& action : actions) {
    if (auto* send = std::get_if<SendAction>(&action)) {
      links_.send(send->to, std::move(send->msg));
    } else if (auto* drop = std::get_if<DisconnectAction>(&action)) {
      if (!links_.contains(drop->conn)) continue;
      transport_.log("dropping " + links_.remote(drop->conn).to_string() + ": " + drop->reason);
      links_.close(drop->conn, drop->reason);
    }
  }
  // A limit relative to the stream follows the rate the engine publishes at.
  uplink_.set_rate(engine_.upload_capacity().value_or(0));
}

Traffic SourceRunner::traffic() const {
  Traffic total = closed_;
  links_.for_each([&](ConnId, bool, const Traffic& t) { total += t; });
  return total;
}

void SourceRunner::record_second() {
  const auto end =
      std::chrono::duration_cast<std::chrono::seconds>(transport_.mono_now() - started_);
  history_.record(end.count(), engine_.viewers(), traffic().chunk_out, engine_.bytes_delivered());
  history_timer_->arm(started_ + end + std::chrono::seconds(1), [this] { record_second(); });
}

SourceStats SourceRunner::stats() const {
  SourceStats s = published_;
  const Traffic total = traffic();
  s.bytes_uploaded = total.chunk_out;
  s.control_bytes_out = total.control_out;
  s.viewers = engine_.viewers();
  s.bytes_delivered = engine_.bytes_delivered();
  s.refused = links_.refused();
  s.history = history_;
  return s;
}

}  // namespace shoal
