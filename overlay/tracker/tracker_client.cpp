#include "overlay/tracker/tracker_client.h"

#include <algorithm>

#include "media/log.h"
#include "overlay/net/dial.h"

namespace shoal {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr std::chrono::seconds kReplyTimeout = 5s;
constexpr std::chrono::seconds kDefaultReannounce = 10s;
constexpr std::chrono::seconds kMaxReannounce = 1h;  // a tracker cannot silence us for longer
constexpr std::chrono::seconds kMaxBackoff = 15s;

}  // namespace

struct TrackerClient::Round {
  explicit Round(asio::io_context& io) : resolver(io), socket(io), deadline(io) {}
  tcp::resolver resolver;
  tcp::socket socket;
  asio::steady_timer deadline;
  std::shared_ptr<Connection> conn;
};

TrackerClient::TrackerClient(asio::io_context& io, Endpoint tracker, AnnounceMsg self,
                             PeersFn on_peers, std::optional<asio::ip::address> from)
    : io_(io),
      tracker_(std::move(tracker)),
      self_(self),
      on_peers_(std::move(on_peers)),
      from_(from) {}

TrackerClient::~TrackerClient() { stop(); }

void TrackerClient::start() {
  stopped_ = false;
  announce_now();
}

void TrackerClient::announce_now() {
  if (stopped_ || round_) return;
  next_.reset();  // cancels the scheduled round
  begin_round();
}

void TrackerClient::stop() {
  stopped_ = true;
  next_.reset();
  end_round();
}

std::shared_ptr<TrackerClient::Round> TrackerClient::current(
    const std::weak_ptr<Round>& weak) const {
  // round_ is the only owner, so a live round also means a live client.
  auto round = weak.lock();
  return round && round == round_ ? round : nullptr;
}

void TrackerClient::begin_round() {
  round_ = std::make_shared<Round>(io_);
  const std::weak_ptr<Round> weak = round_;
  round_->deadline.expires_after(kReplyTimeout);
  round_->deadline.async_wait([this, weak](boost::system::error_code ec) {
    if (!ec && current(weak)) {
      fail("gave no reply within " + std::to_string(kReplyTimeout.count()) + " s");
    }
  });
  round_->resolver.async_resolve(
      tracker_.host, std::to_string(tracker_.port),
      [this, weak](boost::system::error_code ec, const tcp::resolver::results_type& addresses) {
        const auto round = current(weak);
        if (!round) return;
        if (ec) return fail("unreachable: cannot resolve " + tracker_.host + ": " + ec.message());
        async_dial(round->socket, addresses, from_, 0, [this, weak](boost::system::error_code ec) {
          const auto round = current(weak);
          if (!round) return;
          if (ec) return fail("unreachable: " + ec.message());
          send_announce(*round, weak);
        });
      });
}

void TrackerClient::send_announce(Round& round, const std::weak_ptr<Round>& weak) {
  round.conn = Connection::start(std::move(round.socket),
                                 {.on_message =
                                      [this, weak](Message m, size_t) {
                                        if (current(weak)) on_reply(m);
                                      },
                                  .on_closed =
                                      [this, weak](const std::string& reason) {
                                        if (current(weak))
                                          fail("closed the connection without a reply: " + reason);
                                      }});
  round.conn->send(self_);
}

void TrackerClient::on_reply(const Message& m) {
  if (const auto* error = std::get_if<ErrorMsg>(&m)) {
    return fail("refused the announce: " + error->reason);
  }
  const auto* peers = std::get_if<PeersMsg>(&m);
  if (!peers) return fail(std::string("answered ") + message_name(m) + " instead of PEERS");
  std::vector<Endpoint> found;
  for (const std::string& a : peers->addrs) {
    if (auto ep = Endpoint::parse(a)) found.push_back(std::move(*ep));
  }
  const auto again =
      peers->reannounce_s > 0 ? std::chrono::seconds(peers->reannounce_s) : kDefaultReannounce;
  seen_as_ = peers->your_host;
  end_round();
  if (failing_) log_line("tracker " + tracker_.to_string() + " answers again");
  failing_ = false;
  backoff_ = 1s;
  schedule(std::min(again, kMaxReannounce));
  on_peers_(std::move(found));  // last: it may call stop() or announce_now()
}

void TrackerClient::fail(const std::string& what) {
  end_round();
  failing_ = true;
  log_line("tracker " + tracker_.to_string() + " " + what + "; retrying in " +
           std::to_string(backoff_.count()) + " s");
  schedule(backoff_);
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
}

void TrackerClient::end_round() {
  const auto round = std::move(round_);  // from here on its handlers see it is over
  round_.reset();
  if (round && round->conn) round->conn->close("announced");
}

void TrackerClient::schedule(std::chrono::seconds delay) {
  if (stopped_) return;
  next_ = std::make_shared<asio::steady_timer>(io_, delay);
  next_->async_wait([this, weak = std::weak_ptr(next_)](boost::system::error_code ec) {
    // next_ is the timer's only owner, so a live timer also means a live client.
    const auto timer = weak.lock();
    if (ec || !timer || timer != next_) return;
    next_.reset();
    begin_round();
  });
}

}  // namespace shoal
