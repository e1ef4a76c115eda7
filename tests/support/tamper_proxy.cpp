// tamper_proxy: a polluting peer for tests. It stands between a viewer and
// the real source and corrupts every chunk it relays, whole or pushed:
//   --mode flip     flips one payload byte (a whole chunk's, or the first
//                   piece's of a pushed one): the signature no longer matches
//   --mode foreign  re-signs the chunk or the pushed chunk's head with another
//                   key (valid, wrong channel)
// It prints its own address first, then one line per viewer connection it
// saw closed: "closed by viewer after N tampered chunks".
#include <boost/asio.hpp>
#include <iostream>
#include <mutex>
#include <thread>

#include "media/chunk_signature.h"
#include "wire_client.h"

namespace asio = boost::asio;
using asio::ip::tcp;
using shoal::testing::WireClient;

namespace {

std::mutex out_mutex;

void relay(tcp::socket viewer_socket, shoal::Endpoint source, bool flip) {
  asio::io_context io;
  auto upstream = WireClient::connect(io, source);
  if (!upstream) return;
  WireClient viewer(std::move(viewer_socket));
  std::atomic<int> tampered = 0;
  const shoal::ChannelKey impostor = shoal::ChannelKey::generate();

  std::thread down([&] {
    while (auto m = upstream->receive()) {
      if (auto* p = std::get_if<shoal::PieceMsg>(&*m); p && flip && p->index == 0) {
        p->bytes.at(p->bytes.size() / 2) ^= 0x01;
        ++tampered;
      } else if (auto* h = std::get_if<shoal::ChunkHeadMsg>(&*m); h && !flip) {
        impostor.sign(h->head);
        ++tampered;
      } else if (auto* c = std::get_if<shoal::ChunkMsg>(&*m)) {
        shoal::Chunk forged = *c->chunk;
        if (flip) {
          forged.payload[forged.payload.size() / 2] ^= 0x01;
        } else {
          impostor.sign(forged);
        }
        c->chunk = std::make_shared<const shoal::Chunk>(std::move(forged));
        ++tampered;
      }
      if (!viewer.send(*m)) break;
    }
  });
  while (auto m = viewer.receive()) {
    if (!upstream->send(*m)) break;
  }
  {
    std::lock_guard lock(out_mutex);
    std::cout << "closed by viewer after " << tampered << " tampered chunks" << std::endl;
  }
  boost::system::error_code ignored;
  upstream->socket().shutdown(tcp::socket::shutdown_both, ignored);
  down.join();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 || std::string(argv[1]) != "--source" || std::string(argv[3]) != "--mode") {
    std::cerr << "usage: tamper_proxy --source HOST:PORT --mode flip|foreign\n";
    return 2;
  }
  const auto source = shoal::Endpoint::parse(argv[2]);
  const std::string mode = argv[4];
  if (!source || (mode != "flip" && mode != "foreign")) {
    std::cerr << "tamper_proxy: bad --source or --mode\n";
    return 2;
  }
  asio::io_context io;
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  std::cout << "127.0.0.1:" << acceptor.local_endpoint().port() << std::endl;
  while (true) {
    tcp::socket s(io);
    acceptor.accept(s);
    std::thread(relay, std::move(s), *source, mode == "flip").detach();
  }
}
