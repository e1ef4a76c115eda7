#include "overlay/tracker_client.h"

#include "media/log.h"

namespace shoal {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

TrackerClient::TrackerClient(asio::io_context& io, Endpoint tracker, AnnounceMsg self,
                             PeersFn on_peers)
    : io_(io),
      tracker_(std::move(tracker)),
      self_(self),
      on_peers_(std::move(on_peers)),
      timer_(io) {}

void TrackerClient::start() { connect(); }

void TrackerClient::stop() {
  stopped_ = true;
  timer_.cancel();
  if (conn_) conn_->close("leaving");
}

void TrackerClient::connect() {
  if (stopped_) return;
  auto resolver = std::make_shared<tcp::resolver>(io_);
  auto socket = std::make_shared<tcp::socket>(io_);
  resolver->async_resolve(
      tracker_.host, std::to_string(tracker_.port),
      [this, resolver, socket](boost::system::error_code ec, tcp::resolver::results_type eps) {
        if (ec) return retry_later("cannot resolve: " + ec.message());
        asio::async_connect(*socket, eps, [this, socket](boost::system::error_code ec, auto) {
          if (stopped_) return;
          if (ec) return retry_later(ec.message());
          conn_ = Connection::start(
              std::move(*socket),
              {.on_message = [this](Message m) { on_message(m); },
               .on_closed =
                   [this](const std::string& reason) {
                     conn_.reset();
                     if (!stopped_ && !timer_armed_) retry_later("connection closed: " + reason);
                   }});
          announce();
        });
      });
}

void TrackerClient::announce() {
  if (!conn_) return connect();
  conn_->send(self_);
}

void TrackerClient::on_message(const Message& m) {
  if (const auto* peers = std::get_if<PeersMsg>(&m)) {
    backoff_ = 1s;
    std::vector<Endpoint> found;
    for (const std::string& a : peers->addrs) {
      if (auto ep = Endpoint::parse(a)) found.push_back(*ep);
    }
    on_peers_(std::move(found));
    announce_in(std::chrono::seconds(std::clamp<uint32_t>(peers->reannounce_s, 1, 300)));
  } else if (const auto* error = std::get_if<ErrorMsg>(&m)) {
    log_line("tracker " + tracker_.to_string() + " refused the announce: " + error->reason);
    announce_in(15s);
  } else {
    log_line("tracker " + tracker_.to_string() + " sent " + message_name(m) + "; ignoring it");
  }
}

void TrackerClient::announce_in(std::chrono::seconds delay) {
  timer_armed_ = true;
  timer_.expires_after(delay);
  timer_.async_wait([this](boost::system::error_code ec) {
    timer_armed_ = false;
    if (!ec && !stopped_) announce();
  });
}

void TrackerClient::retry_later(const std::string& why) {
  if (stopped_) return;
  log_line("tracker " + tracker_.to_string() + " unreachable: " + why + "; retrying in " +
           std::to_string(backoff_.count()) + " s");
  timer_armed_ = true;
  timer_.expires_after(backoff_);
  backoff_ = std::min(backoff_ * 2, std::chrono::seconds(15));
  timer_.async_wait([this](boost::system::error_code ec) {
    timer_armed_ = false;
    if (!ec) connect();
  });
}

}  // namespace shoal
