#pragma once
// DhtClient: asks one DHT node (LOOKUP, PUT, GET, STATS) over UDP. Each
// question goes under a fresh random txid and is sent again after `timeout`,
// `tries` times in all; the first answer with its txid from that node ends
// it, anything else is ignored. `done` is called once, with the answer or
// with why there is none.
//
// Threading: construct, call and destroy on the io_context's thread. It may
// be destroyed with questions pending: their handlers then do nothing.

#include <boost/asio.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <random>

#include "media/result.h"
#include "overlay/dht/dht_messages.h"
#include "overlay/wire/endpoint.h"

namespace shoal {

class DhtClient {
 public:
  using Done = std::function<void(Result<DhtMessage>)>;

  static Result<std::unique_ptr<DhtClient>> open(
      boost::asio::io_context& io, Endpoint node,
      std::chrono::milliseconds timeout = std::chrono::milliseconds(1000), int tries = 3);
  ~DhtClient();
  DhtClient(const DhtClient&) = delete;
  DhtClient& operator=(const DhtClient&) = delete;

  void ask(DhtMessage question, Done done);
  const Endpoint& node() const { return node_; }

 private:
  struct Question {
    DhtMessage msg;
    Done done;
    int tries_left = 0;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };
  DhtClient(boost::asio::io_context& io, Endpoint node, boost::asio::ip::udp::endpoint to,
            std::chrono::milliseconds timeout, int tries);
  void send(uint64_t txid);
  void receive();

  boost::asio::io_context& io_;
  Endpoint node_;
  boost::asio::ip::udp::endpoint to_;
  boost::asio::ip::udp::socket socket_;
  std::chrono::milliseconds timeout_;
  int tries_;
  std::mt19937_64 rng_{std::random_device{}()};
  std::map<uint64_t, Question> questions_;
  std::vector<uint8_t> buffer_;
  boost::asio::ip::udp::endpoint sender_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace shoal
