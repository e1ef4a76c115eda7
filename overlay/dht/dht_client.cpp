#include "overlay/dht/dht_client.h"

#include "overlay/dht/dht_codec.h"
#include "overlay/dht/dht_server.h"

namespace shoal {

namespace asio = boost::asio;
using asio::ip::udp;

Result<std::unique_ptr<DhtClient>> DhtClient::open(asio::io_context& io, Endpoint node,
                                                   std::chrono::milliseconds timeout, int tries) {
  auto to = udp_endpoint(node);
  if (!to) return Error{to.error()};
  return std::unique_ptr<DhtClient>(new DhtClient(io, std::move(node), *to, timeout, tries));
}

DhtClient::DhtClient(asio::io_context& io, Endpoint node, udp::endpoint to,
                     std::chrono::milliseconds timeout, int tries)
    : io_(io),
      node_(std::move(node)),
      to_(to),
      socket_(io, udp::endpoint(to.protocol(), 0)),
      timeout_(timeout),
      tries_(tries),
      buffer_(kMaxDatagram + 1) {
  receive();
}

DhtClient::~DhtClient() { *alive_ = false; }

void DhtClient::ask(DhtMessage question, Done done) {
  uint64_t txid = rng_();
  while (txid == 0 || questions_.contains(txid)) txid = rng_();
  questions_[txid] = Question{std::move(question), std::move(done), tries_,
                              std::make_unique<asio::steady_timer>(io_)};
  send(txid);
}

void DhtClient::send(uint64_t txid) {
  Question& q = questions_.at(txid);
  --q.tries_left;
  auto bytes = std::make_shared<std::vector<uint8_t>>(encode_datagram({txid, q.msg}));
  socket_.async_send_to(asio::buffer(*bytes), to_, [bytes](auto, auto) {});
  q.timer->expires_after(timeout_);
  q.timer->async_wait([this, alive = alive_, txid](boost::system::error_code ec) {
    if (!*alive || ec) return;
    const auto it = questions_.find(txid);
    if (it == questions_.end()) return;
    if (it->second.tries_left > 0) return send(txid);
    Done done = std::move(it->second.done);
    questions_.erase(it);
    done(Error{"no answer from " + node_.to_string() + " after " + std::to_string(tries_) +
               " tries"});
  });
}

void DhtClient::receive() {
  socket_.async_receive_from(asio::buffer(buffer_), sender_,
                             [this, alive = alive_](boost::system::error_code ec, size_t n) {
                               if (!*alive || ec == asio::error::operation_aborted) return;
                               if (!ec && sender_ == to_) {
                                 if (auto d = decode_datagram({buffer_.data(), n})) {
                                   if (const auto it = questions_.find(d->txid);
                                       it != questions_.end()) {
                                     Done done = std::move(it->second.done);
                                     questions_.erase(it);
                                     done(std::move(d->msg));
                                     if (!*alive) return;  // `done` may end this client
                                   }
                                 }
                               }
                               receive();
                             });
}

}  // namespace shoal
