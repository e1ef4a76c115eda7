#include "overlay/net/port_mapper.h"

#include <arpa/inet.h>
#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <natpmp.h>
#include <sys/select.h>

#include <optional>

#include "media/log.h"

namespace shoal {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The request pending on `n` and its answer, within `limit` (libnatpmp
// alone would retry for a minute).
Result<natpmpresp_t> natpmp_answer(natpmp_t& n, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (true) {
    fd_set fds;
    FD_ZERO(&fds);
    FD_SET(n.s, &fds);
    timeval timeout{};
    getnatpmprequesttimeout(&n, &timeout);
    timeout.tv_sec = std::min<decltype(timeout.tv_sec)>(timeout.tv_sec, 1);
    select(n.s + 1, &fds, nullptr, nullptr, &timeout);
    natpmpresp_t r{};
    const int rc = readnatpmpresponseorretry(&n, &r);
    if (rc >= 0) return r;
    if (rc != NATPMP_TRYAGAIN) return Error{"NAT-PMP error " + std::to_string(rc)};
    if (Clock::now() >= deadline) return Error{"no NAT-PMP answer from the gateway"};
  }
}

// Maps TCP `port` to itself for `lease` (0: removes the mapping).
Result<PortMapper::Mapping> natpmp_map(uint16_t port, std::chrono::seconds lease) {
  natpmp_t n{};
  if (initnatpmp(&n, 0, 0) < 0) return Error{"no default gateway for NAT-PMP"};
  struct Closer {
    natpmp_t* n;
    ~Closer() { closenatpmp(n); }
  } closer{&n};
  PortMapper::Mapping m{.port = port, .by = "NAT-PMP"};
  if (lease.count() > 0) {
    if (sendpublicaddressrequest(&n) < 0) return Error{"cannot send a NAT-PMP request"};
    const auto address = natpmp_answer(n, 1500ms);
    if (!address) return Error{address.error()};
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &address->pnu.publicaddress.addr, text, sizeof(text));
    m.public_host = text;
  }
  const uint16_t outside = lease.count() > 0 ? port : 0;
  if (sendnewportmappingrequest(&n, NATPMP_PROTOCOL_TCP, port, outside,
                                static_cast<uint32_t>(lease.count())) < 0)
    return Error{"cannot send a NAT-PMP request"};
  const auto mapped = natpmp_answer(n, 1500ms);
  if (!mapped) return Error{mapped.error()};
  if (lease.count() > 0 && mapped->pnu.newportmapping.mappedpublicport != port) {
    const uint16_t offered = mapped->pnu.newportmapping.mappedpublicport;
    sendnewportmappingrequest(&n, NATPMP_PROTOCOL_TCP, port, 0, 0);
    (void)natpmp_answer(n, 500ms);  // best effort: it lapses anyway
    return Error{"the router offered port " + std::to_string(offered) + ", not " +
                 std::to_string(port)};
  }
  return m;
}

// A UPnP-IGD router found on the LAN, and what it answered.
class UpnpRouter {
 public:
  static Result<std::unique_ptr<UpnpRouter>> find() {
    int error = 0;
    UPNPDev* devices = upnpDiscover(2000, nullptr, nullptr, 0, 0, 2, &error);
    if (!devices) return Error{"no UPnP router answered"};
    std::unique_ptr<UpnpRouter> r(new UpnpRouter);
    const int found = UPNP_GetValidIGD(devices, &r->urls_, &r->data_, r->lan_, sizeof(r->lan_));
    freeUPNPDevlist(devices);
    r->has_urls_ = found != 0;
    if (found != 1) return Error{"no connected UPnP internet gateway"};
    return r;
  }
  ~UpnpRouter() {
    if (has_urls_) FreeUPNPUrls(&urls_);
  }

  Result<PortMapper::Mapping> map(uint16_t port, std::chrono::seconds lease) {
    char outside[40] = {};
    if (UPNP_GetExternalIPAddress(urls_.controlURL, data_.first.servicetype, outside) !=
        UPNPCOMMAND_SUCCESS)
      return Error{"the UPnP router did not tell its address"};
    const std::string p = std::to_string(port);
    const std::string secs = std::to_string(lease.count());
    const int rc = UPNP_AddPortMapping(urls_.controlURL, data_.first.servicetype, p.c_str(),
                                       p.c_str(), lan_, "shoal", "TCP", nullptr, secs.c_str());
    if (rc != UPNPCOMMAND_SUCCESS) return Error{"the UPnP router refused: error " + std::to_string(rc)};
    return PortMapper::Mapping{.public_host = outside, .port = port, .by = "UPnP"};
  }
  void unmap(uint16_t port) {
    const std::string p = std::to_string(port);
    UPNP_DeletePortMapping(urls_.controlURL, data_.first.servicetype, p.c_str(), "TCP", nullptr);
  }

 private:
  UpnpRouter() = default;
  UPNPUrls urls_{};
  IGDdatas data_{};
  char lan_[64] = {};
  bool has_urls_ = false;
};

}  // namespace

PortMapper::PortMapper(boost::asio::io_context& io, uint16_t port, DoneFn done)
    : io_(io), port_(port), done_(std::move(done)), thread_([this] { run(); }) {}

PortMapper::~PortMapper() {
  *alive_ = false;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool PortMapper::wait(std::chrono::seconds d) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, d, [this] { return stopping_; });
}

void PortMapper::run() {
  const auto tell = [this](std::function<void()> fn) {
    boost::asio::post(io_, [alive = alive_, fn = std::move(fn)] {
      if (*alive) fn();
    });
  };
  std::unique_ptr<UpnpRouter> upnp;
  auto mapped = natpmp_map(port_, kLease);
  if (!mapped) {
    const std::string natpmp_failed = mapped.error();
    auto router = UpnpRouter::find();
    if (router) {
      upnp = std::move(*router);
      mapped = upnp->map(port_, kLease);
    } else {
      mapped = Error{natpmp_failed + "; " + router.error()};
    }
  }
  tell([done = done_, mapped] { done(mapped); });
  if (!mapped) return;
  while (wait(kLease / 2)) {
    const auto renewed = upnp ? upnp->map(port_, kLease) : natpmp_map(port_, kLease);
    if (!renewed) tell([why = renewed.error()] { log_line("port mapping not renewed: " + why); });
  }
  if (upnp) {
    upnp->unmap(port_);
  } else {
    (void)natpmp_map(port_, std::chrono::seconds(0));  // best effort: it lapses anyway
  }
}

}  // namespace shoal
