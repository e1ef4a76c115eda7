#include "peer/peer_options.h"

namespace shoal {

PeerConfig PeerOptions::make_config() const {
  return PeerConfig{.channel = channel,
                    .self = self,
                    .listen_port = listen_port,
                    .source = source,
                    .lag = lag,
                    .target_neighbours = dialled_neighbours(neighbours),
                    .max_neighbours = neighbours,
                    .upload = upload,
                    .client_server = client_server,
                    .inside_host = inside_host,
                    .seed = seed};
}

}  // namespace shoal
