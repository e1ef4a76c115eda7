#pragma once
// Framing and (de)serialization of Messages.
//
// Frame = 4-byte big-endian length + msgpack body `[type, [fields...]]`.
// Nothing from the wire is trusted. A body starts with 0x92 (an array of 2)
// and its type as a positive fixint, so its type's limits (frame_limits.h)
// are known from its first two bytes: its length is checked against them
// before the rest is read, and it is unpacked within them (bounded_unpack.h),
// so decoding allocates less than 4 times the body's size plus 64 KiB.
// Every failure is an error value (never an exception or a crash); a
// connection that sends a bad frame is closed by its owner.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "media/result.h"
#include "overlay/wire/frame_limits.h"
#include "overlay/wire/messages.h"

namespace shoal {

inline constexpr size_t kFrameHeader = 4;
inline constexpr size_t kBodyStart = 2;  // 0x92 and the type

// The whole frame (header included) for `m`.
std::vector<uint8_t> encode_frame(const Message& m);
// encode_frame(m).size(), counted without encoding: what a frame costs an
// uplink and the traffic figures, in a process and in the simulation.
size_t frame_size(const Message& m);

// Reads the body length from a 4-byte header; an error if it exceeds kMaxFrame
// or is zero.
Result<size_t> decode_frame_length(std::span<const uint8_t, kFrameHeader> header);

// Checks a body's first bytes (at least kBodyStart of them) and its length,
// from the frame's header, against its type's limits: the limits if they
// pass, else why not (unknown type, too long, not [type, [fields]]).
Result<FrameLimits> check_body_start(std::span<const uint8_t> start, size_t body_length);

// Decodes one frame body (without its header).
Result<Message> decode_body(std::span<const uint8_t> body);

// Decodes one complete frame (header + body); anything more or less is an error.
Result<Message> decode_frame(std::span<const uint8_t> frame);

}  // namespace shoal
