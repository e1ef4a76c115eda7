#pragma once
// Ed25519 signing of chunks (libsodium). The signature covers the channel id,
// seq, capture time, pts, duration, flags, the payload size and a BLAKE2b-256
// digest of the digests of its pieces (chunk_head.h), so no field of a chunk
// can be changed without detection, and a chunk's head can be verified
// before its pieces come.
//
// A ChannelKey is the source's key pair; its public half is the channel id.

#include <filesystem>
#include <optional>
#include <span>
#include <string>

#include "media/chunk.h"
#include "media/chunk_head.h"
#include "media/result.h"

namespace shoal {

class ChannelKey {
 public:
  // A fresh random key.
  static ChannelKey generate();
  // Loads the key stored at `path`, or creates one there (mode 0600) if the file
  // does not exist, so a channel id stays the same across broadcasts.
  static Result<ChannelKey> load_or_create(const std::filesystem::path& path);
  // Derives a key from a 32-byte seed (tests).
  static ChannelKey from_seed(const std::array<uint8_t, 32>& seed);

  const ChannelId& channel() const { return public_key_; }
  void sign(Chunk& chunk) const;
  // A head made by hand (tests: a forger's head).
  void sign(ChunkHead& head) const;

 private:
  ChannelKey() = default;
  std::array<uint8_t, 32> seed_{};
  ChannelId public_key_{};
  std::array<uint8_t, 64> secret_key_{};
};

// True if `chunk.signature` is a valid signature of the chunk by `channel`.
bool verify_chunk(const ChannelId& channel, const Chunk& chunk);
// True if `head` is well formed and signed by `channel`: its pieces can then
// be checked against its digests one by one.
bool verify_head(const ChannelId& channel, const ChunkHead& head);

std::string to_hex(std::span<const uint8_t> bytes);
std::optional<ChannelId> channel_from_hex(std::string_view hex);

}  // namespace shoal
