#pragma once
// MemoryTrim: a long-running `shoal` process hands the memory it freed back
// to the system once a minute (glibc's malloc_trim). Chunks of 60-100 KB
// come and go all day in the main heap; without this the heap's freed but
// fragmented pages stay resident, and an hour's RSS crept up by a tenth
// while the live heap stayed flat (docs/benchmarks.md, the soak).
//
// Threading: the io_context's thread; it keeps a timer on it until destroyed.

#include <boost/asio.hpp>
#include <chrono>

namespace shoal::cli {

class MemoryTrim {
 public:
  explicit MemoryTrim(boost::asio::io_context& io,
                      std::chrono::seconds every = std::chrono::seconds(60));

 private:
  void arm();

  boost::asio::steady_timer timer_;
  std::chrono::seconds every_;
};

}  // namespace shoal::cli
