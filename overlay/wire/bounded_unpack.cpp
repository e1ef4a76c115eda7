#include "overlay/wire/bounded_unpack.h"

#include <memory>
#include <string>

namespace shoal {
namespace {

// Counts declared values and depth; refuses (returns false, which stops the
// parser) at the first container beyond either limit.
class Counter : public msgpack::null_visitor {
 public:
  explicit Counter(UnpackLimits limits) : limits_(limits) {}

  bool start_array(uint32_t n) { return open(n); }
  bool end_array() { return close(); }
  bool start_map(uint32_t n) { return open(size_t{2} * n); }
  bool end_map() { return close(); }
  void parse_error(size_t, size_t) { refusal_ = "malformed msgpack"; }
  void insufficient_bytes(size_t, size_t) { refusal_ = "truncated"; }

  size_t declared() const { return declared_; }
  const char* refusal() const { return refusal_; }

 private:
  bool open(size_t n) {
    if (++depth_ > limits_.depth) {
      refusal_ = "nested too deep";
      return false;
    }
    if (n > limits_.values - declared_) {
      refusal_ = "too many values";
      return false;
    }
    declared_ += n;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }

  UnpackLimits limits_;
  size_t declared_ = 0;
  size_t depth_ = 0;
  const char* refusal_ = "malformed msgpack";
};

bool refer_to_input(msgpack::type::object_type, size_t, void*) { return true; }

}  // namespace

Result<msgpack::object_handle> unpack_bounded(std::span<const uint8_t> bytes, UnpackLimits limits) {
  const char* data = reinterpret_cast<const char*>(bytes.data());
  Counter counter(limits);
  size_t off = 0;
  if (!msgpack::parse(data, bytes.size(), off, counter)) return Error{counter.refusal()};
  if (off != bytes.size()) return Error{"trailing bytes"};

  // Exactly the arrays' and maps' elements: the zone never grows.
  auto zone = std::make_unique<msgpack::zone>(counter.declared() * sizeof(msgpack::object));
  try {
    off = 0;
    const msgpack::unpack_limit bound(limits.values, limits.values / 2, bytes.size(), bytes.size(),
                                      bytes.size(), limits.depth);
    msgpack::object root =
        msgpack::unpack(*zone, data, bytes.size(), off, refer_to_input, nullptr, bound);
    return msgpack::object_handle(root, std::move(zone));
  } catch (const std::exception& e) {  // cannot happen after the first pass; kept as a value
    return Error{std::string("malformed msgpack: ") + e.what()};
  }
}

}  // namespace shoal
