#pragma once
// What a sans-IO engine asks its runner to do. Engines never touch sockets or
// clocks; they return these, and the Asio runner carries them out in order.

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "media/chunk.h"
#include "overlay/ids.h"
#include "overlay/messages.h"

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

using Action = std::variant<SendAction, DisconnectAction, PlayAction>;
using Actions = std::vector<Action>;

}  // namespace shoal
