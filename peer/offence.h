#pragma once
// Offence: how a neighbour misbehaved, as an honest viewer finds it out
// (peer/offender_watch.h and the engine's checks), and the kinds of hostile
// viewer `shoal swarm --hostile-kind` runs to test that (peer/hostility.h).
//
// - forge: a chunk or piece that fails its signature;
// - liar: requests for chunks it advertised go unanswered;
// - slow: it answers requests, too slowly for any to arrive in time;
// - flood: more requests than any viewer can need;
// - garbage: malformed or out-of-place messages;
// - sybil: the addresses it gives others (PEX) cannot be reached.

#include <array>
#include <optional>
#include <string_view>

#include "media/chunk.h"
#include "overlay/wire/ids.h"

namespace shoal {

enum class Offence { forge, liar, slow, flood, garbage, sybil };

inline constexpr std::array<Offence, 6> kOffences{Offence::forge, Offence::liar,    Offence::slow,
                                                  Offence::flood, Offence::garbage, Offence::sybil};

constexpr std::string_view offence_name(Offence o) {
  constexpr std::array<std::string_view, 6> names{"forge", "liar",    "slow",
                                                  "flood", "garbage", "sybil"};
  return names[static_cast<size_t>(o)];
}

constexpr std::optional<Offence> parse_offence(std::string_view name) {
  for (const Offence o : kOffences) {
    if (offence_name(o) == name) return o;
  }
  return std::nullopt;
}

// What convicted a neighbour: a message it sent (a forged piece, a
// malformed or out-of-place message, a flood, a map past the live edge), or
// a pattern (requests it let run out, false addresses on its host), which a
// loaded honest neighbour or a host with stale entries may show too.
enum class Proof { message, pattern };

// A neighbour an honest viewer dropped for an offence, when, and when it
// first showed a sign of it (for an offence that takes a pattern).
struct OffenderDropped {
  PeerId id;
  Offence offence;
  WallTime at;
  std::optional<WallTime> first_sign;
};

}  // namespace shoal
