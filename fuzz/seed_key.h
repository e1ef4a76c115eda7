#pragma once
// The channel key of the seed corpora: fixed, so that heads and chunks in
// fuzz/corpus/ verify, and what the fuzzer assembles from them can be
// checked against their signatures.

#include "media/chunk_signature.h"

namespace shoal::fuzz {

inline const ChannelKey& seed_key() {
  static const ChannelKey key = ChannelKey::from_seed({1, 2, 3, 4, 5, 6, 7, 8});
  return key;
}

}  // namespace shoal::fuzz
