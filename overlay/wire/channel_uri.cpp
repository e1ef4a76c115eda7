#include "overlay/wire/channel_uri.h"

#include "media/chunk_signature.h"

namespace shoal {
namespace {
constexpr std::string_view kScheme = "shoal://";
}

std::string ChannelUri::to_string() const {
  std::string text = std::string(kScheme) + to_hex(channel) + "?source=" + source.to_string();
  if (tracker) text += "&tracker=" + tracker->to_string();
  if (dht) text += "&dht=" + dht->to_string();
  return text;
}

Result<ChannelUri> ChannelUri::parse(std::string_view text) {
  const auto bad = [&](const std::string& why) {
    return Error{"bad channel URI '" + std::string(text) + "': " + why};
  };
  if (!text.starts_with(kScheme)) return bad("it must start with shoal://");
  std::string_view rest = text.substr(kScheme.size());
  const size_t q = rest.find('?');
  ChannelUri uri;
  const auto id = channel_from_hex(rest.substr(0, q));
  if (!id) return bad("the channel id must be 64 hex digits");
  uri.channel = *id;
  if (q == std::string_view::npos) return bad("no source= parameter");

  bool have_source = false;
  std::string_view query = rest.substr(q + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = param.substr(0, eq);
    if (key != "source" && key != "tracker" && key != "dht") continue;  // a later version's
    auto ep = Endpoint::parse(param.substr(eq + 1));
    if (!ep) return bad(std::string(key) + ": " + ep.error());
    if (key == "source") {
      uri.source = *ep;
      have_source = true;
    } else {
      (key == "tracker" ? uri.tracker : uri.dht) = *ep;
    }
  }
  if (!have_source) return bad("no source= parameter");
  return uri;
}

}  // namespace shoal
