#include "tools/memory_trim.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace shoal::cli {

MemoryTrim::MemoryTrim(boost::asio::io_context& io, std::chrono::seconds every)
    : timer_(io), every_(every) {
  arm();
}

void MemoryTrim::arm() {
  timer_.expires_after(every_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    arm();
  });
}

}  // namespace shoal::cli
