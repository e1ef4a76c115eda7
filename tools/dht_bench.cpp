// `shoal dht bench`: N Chord nodes in this process, each on its own UDP
// socket on loopback, asked through the same client protocol as `shoal dht
// lookup`. Measures lookup hops and correctness against the true successor,
// then kills a share of the nodes at once (their sockets close with no
// handoff, as with SIGKILL) and measures how long until every lookup is
// right again and whether every stored value is still readable.
#include <boost/asio.hpp>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "overlay/dht/dht_client.h"
#include "overlay/dht/dht_server.h"
#include "tools/cli.h"
#include "tools/dht_stats.h"

namespace shoal::cli {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Bench {
  boost::asio::io_context io;
  Ring ring = *Ring::make(160);
  std::vector<std::unique_ptr<DhtServer>> nodes;  // null once killed
  std::vector<std::unique_ptr<DhtClient>> clients;
  std::mt19937_64 rng{1};

  std::vector<size_t> live() const {
    std::vector<size_t> out;
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (nodes[i]) out.push_back(i);
    }
    return out;
  }
  DhtId successor_of(const DhtId& key) const {
    std::optional<DhtId> best;
    for (const auto& n : nodes) {
      if (n && (!best || ring.distance(key, n->node().self().id) < ring.distance(key, *best)))
        best = n->node().self().id;
    }
    return *best;
  }
  // Whether every live node's successor and predecessor are the true ones.
  bool ring_is_right() const {
    std::vector<DhtId> ids;
    for (const auto& n : nodes) {
      if (n) ids.push_back(n->node().self().id);
    }
    std::ranges::sort(ids);
    for (const auto& n : nodes) {
      if (!n) continue;
      const ChordNode& c = n->node();
      const auto at = std::ranges::find(ids, c.self().id) - ids.begin();
      const DhtId& next = ids[static_cast<size_t>(at + 1) % ids.size()];
      const DhtId& prev =
          ids[static_cast<size_t>(at + static_cast<long>(ids.size()) - 1) % ids.size()];
      if (!c.joined() || c.successors().front().id != next || !c.predecessor() ||
          c.predecessor()->id != prev)
        return false;
    }
    return true;
  }
  // Asks every question at once; the answers, in order (nullopt: none).
  std::vector<std::optional<DhtMessage>> ask(const std::vector<std::pair<size_t, DhtMessage>>& qs) {
    std::vector<std::optional<DhtMessage>> answers(qs.size());
    size_t left = qs.size();
    for (size_t i = 0; i < qs.size(); ++i) {
      clients[qs[i].first]->ask(qs[i].second, [&, i](Result<DhtMessage> r) {
        if (r) answers[i] = std::move(*r);
        --left;
      });
    }
    while (left > 0) io.run_for(5ms);
    return answers;
  }
  struct Round {
    size_t asked = 0, right = 0;
    double mean_hops = 0;
  };
  Round lookups(size_t count) {
    std::vector<std::pair<size_t, DhtMessage>> qs;
    std::vector<DhtId> keys;
    const auto alive = live();
    for (size_t i = 0; i < count; ++i) {
      const std::string key = "lookup-" + std::to_string(rng());
      keys.push_back(ring.hash(key));
      qs.push_back({alive[rng() % alive.size()], LookupMsg{key}});
    }
    const auto answers = ask(qs);
    Round r{.asked = count};
    uint64_t hops = 0;
    for (size_t i = 0; i < count; ++i) {
      const auto* found = answers[i] ? std::get_if<LookupResultMsg>(&*answers[i]) : nullptr;
      if (!found) continue;
      hops += found->hops;
      if (found->owner.id == successor_of(keys[i])) ++r.right;
    }
    r.mean_hops = static_cast<double>(hops) / static_cast<double>(count);
    return r;
  }
  size_t readable(size_t keys) {
    std::vector<std::pair<size_t, DhtMessage>> qs;
    const auto alive = live();
    for (size_t k = 0; k < keys; ++k)
      qs.push_back({alive[rng() % alive.size()], GetMsg{"value-" + std::to_string(k)}});
    const auto answers = ask(qs);
    size_t ok = 0;
    for (size_t k = 0; k < keys; ++k) {
      const auto* got = answers[k] ? std::get_if<GetResultMsg>(&*answers[k]) : nullptr;
      if (got && got->values == std::vector<std::string>{"contact-" + std::to_string(k)}) ++ok;
    }
    return ok;
  }
};

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

int dht_bench_main(const std::vector<std::string>& args) {
  Command cmd;
  cmd.usage = "shoal dht bench [--nodes N] [--kill SHARE] [options]";
  cmd.description =
      "Runs N Chord nodes in this process, each on its own UDP socket on loopback, and asks\n"
      "them as `shoal dht lookup` does: mean lookup hops against 1/2 log2 N + 1, and lookups\n"
      "right against the true successor. Then stores values, kills --kill of the nodes at\n"
      "once (no handoff, as with SIGKILL), and reports how long until every lookup of a\n"
      "round is right again and how many values are still readable.";
  size_t n = 256, lookups = 1000, keys = 200, successors = 8;
  double kill = 0.25;
  int stabilize_ms = 500, deadline_s = 60;
  std::string json_path;
  cmd.options.add_options()("nodes", po::value(&n)->default_value(256), "ring size")(
      "kill", po::value(&kill)->default_value(0.25), "share of the nodes killed at once")(
      "lookups", po::value(&lookups)->default_value(1000), "lookups measured on the whole ring")(
      "keys", po::value(&keys)->default_value(200), "values stored before the kill")(
      "successors", po::value(&successors)->default_value(8),
      "successor-list length r (values live on r + 1 nodes); log2 N survives mass failures")(
      "stabilize-ms", po::value(&stabilize_ms)->default_value(500), "as `shoal dht`")(
      "deadline-sec", po::value(&deadline_s)->default_value(60),
      "longest wait for the ring to settle, or to recover")(
      "json", po::value(&json_path), "also write the figures as JSON to this file");
  po::variables_map vm;
  if (auto code = parse(cmd, args, vm)) return *code;
  if (n < 4 || n > 4096 || kill < 0 || kill >= 1 || successors < 2 || successors > kMaxSuccessors ||
      stabilize_ms < 10) {
    std::cerr << "shoal dht bench: --nodes 4..4096, --kill in [0, 1), --successors 2..16, "
                 "--stabilize-ms at least 10\n";
    return 2;
  }
  Bench b;
  ChordConfig chord{.ring = b.ring,
                    .successors = successors,
                    .stabilize_interval = std::chrono::milliseconds(stabilize_ms),
                    .fix_fingers_interval = std::chrono::milliseconds(2 * stabilize_ms)};
  const auto started = Clock::now();
  for (size_t i = 0; i < n; ++i) {
    chord.seed = i + 1;
    std::optional<Endpoint> bootstrap;
    if (i > 0) {
      const auto& via = b.nodes[b.rng() % i]->node().self().address;
      bootstrap = *Endpoint::parse(via);
    }
    auto s = DhtServer::start(b.io, {.listen = {"127.0.0.1", 0},
                                     .bootstrap = bootstrap,
                                     .log_notes = false,
                                     .chord = chord,
                                     .stats_text = dht_stats_text});
    if (!s) {
      std::cerr << "shoal dht bench: " << s.error() << "\n";
      return 1;
    }
    auto client = DhtClient::open(b.io, *Endpoint::parse((*s)->node().self().address), 1000ms, 3);
    b.clients.push_back(std::move(*client));
    b.nodes.push_back(std::move(*s));
    b.io.run_for(20ms);
  }
  while (!b.ring_is_right() && seconds_since(started) < deadline_s) b.io.run_for(100ms);
  const double settle_s = seconds_since(started);
  const bool settled = b.ring_is_right();
  b.io.run_for(std::chrono::milliseconds(4 * stabilize_ms));  // fingers
  const Bench::Round whole = b.lookups(lookups);
  const double bound = 0.5 * std::log2(static_cast<double>(n)) + 1;

  std::vector<std::pair<size_t, DhtMessage>> puts;
  for (size_t k = 0; k < keys; ++k) {
    puts.push_back(
        {b.rng() % n, PutMsg{"value-" + std::to_string(k), "contact-" + std::to_string(k), 3600}});
  }
  const auto put_answers = b.ask(puts);
  const auto stored = std::ranges::count_if(
      put_answers, [](const auto& a) { return a && std::holds_alternative<PutResultMsg>(*a); });
  b.io.run_for(1s);

  auto victims = b.live();
  std::ranges::shuffle(victims, b.rng);
  victims.resize(static_cast<size_t>(std::lround(kill * static_cast<double>(n))));
  for (size_t v : victims) {
    b.nodes[v]->stop();
    b.nodes[v].reset();
  }
  const auto killed_at = Clock::now();
  std::optional<double> recovered_s;
  std::vector<std::pair<double, Bench::Round>> rounds;  // seconds after the kill
  while (!recovered_s && seconds_since(killed_at) < deadline_s) {
    b.io.run_for(1s);
    const Bench::Round r = b.lookups(200);
    rounds.push_back({seconds_since(killed_at), r});
    if (r.right == r.asked) recovered_s = rounds.back().first;
  }
  const size_t readable = b.readable(keys);

  std::cout << std::fixed << std::setprecision(2) << "nodes                  " << n
            << " (r = " << successors << ", stabilize " << stabilize_ms << " ms)\n"
            << "ring settled           " << (settled ? "yes" : "NO") << " after " << settle_s
            << " s of joins\n"
            << "lookups right          " << whole.right << " / " << whole.asked << "\n"
            << "mean hops              " << whole.mean_hops << " (bound 1/2 log2 N + 1 = " << bound
            << ")\n"
            << "values stored          " << stored << " / " << keys << "\n"
            << "killed at once         " << victims.size() << "\n";
  for (const auto& [at, r] : rounds) {
    std::cout << "  " << std::setw(5) << at << " s after: " << r.right << " / " << r.asked
              << " lookups right\n";
  }
  std::cout << "recovered              "
            << (recovered_s ? std::to_string(*recovered_s) + " s after the kill" : "NO") << "\n"
            << "values readable        " << readable << " / " << stored << "\n";
  const nlohmann::json j = {{"nodes", n},
                            {"successors", successors},
                            {"stabilize_ms", stabilize_ms},
                            {"settled", settled},
                            {"settle_s", settle_s},
                            {"lookups", whole.asked},
                            {"lookups_right", whole.right},
                            {"mean_hops", whole.mean_hops},
                            {"hops_bound", bound},
                            {"values_stored", stored},
                            {"killed", victims.size()},
                            {"recovered_s", recovered_s ? nlohmann::json(*recovered_s) : nullptr},
                            {"values_readable", readable}};
  if (!json_path.empty()) write_json_file(json_path, j);
  const bool ok = settled && whole.right == whole.asked && whole.mean_hops <= bound &&
                  recovered_s && readable == static_cast<size_t>(stored);
  return ok ? 0 : 1;
}

}  // namespace shoal::cli
