#pragma once
// Framing and (de)serialization of Messages.
//
// Frame = 4-byte big-endian length + msgpack body `[type, [fields...]]`.
// Nothing from the wire is trusted: the length is checked against kMaxFrame
// before anything is allocated, the body is unpacked with bounded container
// sizes, and every failure is an error value (never an exception or a crash).
// A connection that sends a bad frame is closed by its owner.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "media/result.h"
#include "overlay/wire/messages.h"

namespace shoal {

inline constexpr size_t kFrameHeader = 4;
inline constexpr size_t kMaxFrame = 4 << 20;  // body bytes

// The whole frame (header included) for `m`.
std::vector<uint8_t> encode_frame(const Message& m);
// encode_frame(m).size(), counted without encoding: what a frame costs an
// uplink and the traffic figures, in a process and in the simulation.
size_t frame_size(const Message& m);

// Reads the body length from a 4-byte header; an error if it exceeds kMaxFrame
// or is zero.
Result<size_t> decode_frame_length(std::span<const uint8_t, kFrameHeader> header);

// Decodes one frame body (without its header).
Result<Message> decode_body(std::span<const uint8_t> body);

// Decodes one complete frame (header + body); anything more or less is an error.
Result<Message> decode_frame(std::span<const uint8_t> frame);

}  // namespace shoal
