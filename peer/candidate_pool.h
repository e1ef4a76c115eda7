#pragma once
// CandidatePool: addresses of other peers of the channel, learnt from the
// tracker and from PEX, that a peer may dial to fill its neighbour set.
//
// An address is offered again only after `retry` (doubling with each failed
// dial), is forgotten after `max_failures` failures in a row, and never
// offered while connected, nor while connected over another address that
// reaches the same peer (an alias: a host known by its loopback and its LAN
// address, say). The pool is bounded: when full, the address heard of least
// recently that is not connected makes room. Sans IO.

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "media/chunk.h"
#include "overlay/wire/endpoint.h"

namespace shoal {

struct CandidateConfig {
  size_t capacity = 200;
  std::chrono::milliseconds retry{5000};
  int max_failures = 4;
};

class CandidatePool {
 public:
  explicit CandidatePool(CandidateConfig config) : config_(config) {}

  void add(const Endpoint& address, WallTime now);
  // Up to `n` addresses to dial now, in random order; each counts as tried.
  std::vector<Endpoint> pick(size_t n, WallTime now, std::mt19937_64& rng);

  void connected(const Endpoint& address);
  // The connection ended (or the dial failed: `failed`); it may be retried later.
  void disconnected(const Endpoint& address, bool failed, WallTime now);
  // `address` reached the peer already linked at `linked` (a duplicate
  // connection): not offered while that link stands.
  void alias(const Endpoint& address, const Endpoint& linked);
  // Whether `address`, or another address of the same peer, is connected.
  bool linked(const Endpoint& address) const;
  // Never offer this address again (it is us, or it misbehaved).
  void ban(const Endpoint& address);

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    WallTime heard;
    WallTime retry_at;
    int failures = 0;
    bool connected = false;
    std::string alias_of;  // another address of the same peer
  };

  bool linked(const Entry& e) const;

  CandidateConfig config_;
  std::map<std::string, Entry> entries_;  // by "host:port"
  std::set<std::string> banned_;
};

}  // namespace shoal
