#include "sim/sim_network.h"

#include "sim/sim_transport.h"

namespace shoal::sim {

void SimNetwork::listen(const Endpoint& at, SimTransport& node) {
  listening_[at.to_string()] = &node;
}

void SimNetwork::unlisten(const Endpoint& at) { listening_.erase(at.to_string()); }

void SimNetwork::dial(SimTransport& from, const Endpoint& to) {
  const SimTime latency = this->latency(from.address().host, to.host);
  events_.after(latency, [this, &from, to, latency] {
    const auto it = listening_.find(to.to_string());
    if (it == listening_.end()) {
      events_.after(latency, [&from, to] { from.node_->on_dial_failed(to, {"connection refused"}); });
      return;
    }
    const Endpoint remote{from.address().host, next_port_};
    next_port_ = next_port_ == 65535 ? 32768 : next_port_ + 1;
    SimTransport& acceptor = *it->second;
    const ConnId accepted = acceptor.add_end(from, ConnId(0), latency);
    const ConnId dialled = from.add_end(acceptor, accepted, latency);
    acceptor.ends_.at(accepted).other_conn = dialled;
    acceptor.node_->on_accepted(accepted, remote);
    from.node_->on_dialled(dialled, to);
  });
}

}  // namespace shoal::sim
