#pragma once
// What a sans-IO engine asks its runner to do. Engines never touch sockets or
// clocks; they return these, and the Asio runner carries them out in order.

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "media/chunk.h"
#include "overlay/wire/endpoint.h"
#include "overlay/wire/ids.h"
#include "overlay/wire/messages.h"

namespace shoal {

struct SendAction {
  ConnId to;
  Message msg;
};

struct DisconnectAction {
  ConnId conn;
  std::string reason;
  bool ban = false;  // never talk to this address again in this session
};

// Hand this chunk to the player now.
struct PlayAction {
  std::shared_ptr<const Chunk> chunk;
};

// Open a connection to this peer; the runner reports back with
// on_connected or on_dial_failed.
struct DialAction {
  Endpoint to;
};

using Action = std::variant<SendAction, DisconnectAction, PlayAction, DialAction>;
using Actions = std::vector<Action>;

}  // namespace shoal
