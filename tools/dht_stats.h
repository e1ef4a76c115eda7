#pragma once
// A Chord node's stats as JSON: what a STATS question is answered with
// (`shoal dht stats --via`) and what `shoal dht --stats-json` writes. The
// engine only counts; the shape of the report is the tool's.

#include <nlohmann/json.hpp>

#include "overlay/dht/chord.h"

namespace shoal::cli {

// Its id (a decimal string: 160 bits do not fit a JSON number), address,
// ring size, neighbours' addresses, key count and every DhtStats counter.
nlohmann::json dht_stats_json(const ChordNode& node);

// dht_stats_json as STATS_RESULT's text, for DhtServerConfig::stats_text.
std::string dht_stats_text(const ChordNode& node);

}  // namespace shoal::cli
