#include "media/chunk_signature.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cstring>
#include <fstream>

namespace shoal {
namespace {

constexpr std::string_view kDomain = "shoal-chunk-v2";

struct SodiumInit {
  SodiumInit() {
    if (sodium_init() < 0) std::abort();  // libsodium cannot work at all: nothing to recover
  }
};
void ensure_sodium() { static SodiumInit once; }

void put_u64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

// The bytes a signature covers: fixed-size, so a digest of the pieces'
// digests stands in for the payload, and a head alone can be verified.
std::vector<uint8_t> signed_bytes(const ChannelId& channel, const ChunkHead& h) {
  std::vector<uint8_t> m;
  m.reserve(kDomain.size() + channel.size() + 5 * 8 + 1 + 32);
  m.insert(m.end(), kDomain.begin(), kDomain.end());
  m.insert(m.end(), channel.begin(), channel.end());
  put_u64(m, h.seq.value);
  put_u64(m, static_cast<uint64_t>(h.capture_time.time_since_epoch().count()));
  put_u64(m, static_cast<uint64_t>(h.pts_us));
  put_u64(m, h.duration_ms);
  m.push_back(h.flags);
  put_u64(m, h.size);
  Digest digest;
  crypto_generichash(digest.data(), digest.size(),
                     reinterpret_cast<const uint8_t*>(h.pieces.data()),
                     h.pieces.size() * sizeof(Digest), nullptr, 0);
  m.insert(m.end(), digest.begin(), digest.end());
  return m;
}

bool verify(const ChannelId& channel, const ChunkHead& head) {
  ensure_sodium();
  if (!head.well_formed()) return false;
  const auto m = signed_bytes(channel, head);
  return crypto_sign_verify_detached(head.signature.data(), m.data(), m.size(), channel.data()) ==
         0;
}

}  // namespace

ChannelKey ChannelKey::from_seed(const std::array<uint8_t, 32>& seed) {
  ensure_sodium();
  ChannelKey k;
  k.seed_ = seed;
  crypto_sign_seed_keypair(k.public_key_.data(), k.secret_key_.data(), seed.data());
  return k;
}

ChannelKey ChannelKey::generate() {
  ensure_sodium();
  std::array<uint8_t, 32> seed;
  randombytes_buf(seed.data(), seed.size());
  return from_seed(seed);
}

Result<ChannelKey> ChannelKey::load_or_create(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    std::ifstream in(path, std::ios::binary);
    std::array<uint8_t, 32> seed;
    in.read(reinterpret_cast<char*>(seed.data()), seed.size());
    if (!in || in.peek() != EOF) {
      return Error{"key file " + path.string() + " is not a Shoal key (expected 32 bytes)"};
    }
    return from_seed(seed);
  }
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  ChannelKey key = generate();
  const mode_t old_mask = ::umask(077);
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(key.seed_.data()), key.seed_.size());
  out.close();
  ::umask(old_mask);
  if (!out) return Error{"cannot write key file " + path.string()};
  return key;
}

void ChannelKey::sign(Chunk& chunk) const {
  const auto m = signed_bytes(public_key_, head_of(chunk));
  crypto_sign_detached(chunk.signature.data(), nullptr, m.data(), m.size(), secret_key_.data());
}

void ChannelKey::sign(ChunkHead& head) const {
  const auto m = signed_bytes(public_key_, head);
  crypto_sign_detached(head.signature.data(), nullptr, m.data(), m.size(), secret_key_.data());
}

bool verify_chunk(const ChannelId& channel, const Chunk& chunk) {
  return verify(channel, head_of(chunk));
}

bool verify_head(const ChannelId& channel, const ChunkHead& head) { return verify(channel, head); }

std::string to_hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    s.push_back(kDigits[b >> 4]);
    s.push_back(kDigits[b & 15]);
  }
  return s;
}

std::optional<ChannelId> channel_from_hex(std::string_view hex) {
  ChannelId id;
  if (hex.size() != id.size() * 2) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < id.size(); ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    id[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return id;
}

}  // namespace shoal
