#include "source/source_options.h"

#include <algorithm>

namespace shoal {

SourceConfig SourceOptions::make_config(const ChannelId& channel) const {
  const auto chunks = std::chrono::duration_cast<std::chrono::milliseconds>(window) / chunk;
  return SourceConfig{.channel = channel,
                      .self = self,
                      .window_chunks = static_cast<uint32_t>(std::max<int64_t>(chunks, 1)),
                      .repair_share = repair_share,
                      .upload = upload,
                      .seed = seed};
}

}  // namespace shoal
