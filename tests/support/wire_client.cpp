#include "wire_client.h"

#include <map>

#include "peer/assemblies.h"

namespace shoal::testing {

namespace asio = boost::asio;
using asio::ip::tcp;

Result<WireClient> WireClient::connect(asio::io_context& io, const Endpoint& to) {
  tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({asio::ip::make_address(to.host, ec), to.port}, ec);
  if (ec) return Error{"connect to " + to.to_string() + ": " + ec.message()};
  return WireClient(std::move(socket));
}

bool WireClient::send(const Message& m) {
  boost::system::error_code ec;
  asio::write(socket_, asio::buffer(encode_frame(m)), ec);
  return !ec;
}

Result<Message> WireClient::receive() {
  std::array<uint8_t, kFrameHeader> header;
  boost::system::error_code ec;
  asio::read(socket_, asio::buffer(header), ec);
  if (ec) return Error{"read: " + ec.message()};
  auto n = decode_frame_length(header);
  if (!n) return Error{n.error()};
  std::vector<uint8_t> body(*n);
  asio::read(socket_, asio::buffer(body), ec);
  if (ec) return Error{"read: " + ec.message()};
  return decode_body(body);
}

std::vector<Chunk> fetch_chunks(const Endpoint& source, const ChannelId& channel,
                                const std::vector<ChunkSeq>& seqs) {
  asio::io_context io;
  auto client = WireClient::connect(io, source);
  if (!client) return {};
  client->send(Hello{kProtocolVersion, channel, PeerId(424242), 0});
  for (ChunkSeq s : seqs) client->send(RequestMsg{s});
  // A chunk comes whole or as its head and pieces.
  std::map<ChunkSeq, Chunk> got;
  Assemblies assemblies;
  while (got.size() < seqs.size()) {
    auto m = client->receive();
    if (!m) return {};
    if (auto* c = std::get_if<ChunkMsg>(&*m)) got[c->chunk->seq] = *c->chunk;
    if (auto* h = std::get_if<ChunkHeadMsg>(&*m)) assemblies.head(h->head, WallTime{});
    if (auto* p = std::get_if<PieceMsg>(&*m);
        p && assemblies.piece(ConnId{0}, *p, WallTime{}) == Assemblies::Outcome::complete)
      got[p->seq] = *assemblies.finish(p->seq);
  }
  std::vector<Chunk> out;
  for (ChunkSeq s : seqs) out.push_back(std::move(got[s]));
  return out;
}

}  // namespace shoal::testing
