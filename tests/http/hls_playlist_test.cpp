// Live HLS from the chunks played: segments start at random-access chunks
// and last at least the target, the playlist slides, a skipped chunk or a
// jump in media time marks a discontinuity, and a segment's bytes are its chunks' payloads in order.
#include "http/hls_playlist.h"

#include <gtest/gtest.h>

namespace shoal {
namespace {

// Chunk `seq` of a stream of 500 ms chunks; `late_ms` after its place in
// media time (a publisher that was away that long).
std::shared_ptr<const Chunk> chunk(uint64_t seq, bool random_access, uint8_t byte = 0x47,
                                   int64_t late_ms = 0) {
  Chunk c;
  c.seq = ChunkSeq(seq);
  c.pts_us = (static_cast<int64_t>(seq) * 500 + late_ms) * 1000;
  c.duration_ms = 500;
  c.flags = random_access ? Chunk::kRandomAccess : 0;
  c.payload = {byte, byte};
  return std::make_shared<const Chunk>(c);
}

TEST(HlsPlaylist, GroupsChunksIntoSegmentsFromARandomAccessChunkOfAtLeastTheTarget) {
  HlsPlaylist hls;  // 2 s segments
  hls.play(chunk(0, false));  // no player starts here: left out
  EXPECT_FALSE(hls.playlist());
  for (uint64_t s = 1; s <= 8; ++s) hls.play(chunk(s, s % 2 == 1, static_cast<uint8_t>(s)));
  // 1-4 make 2 s and 5 is random-access: segment 0 is complete; 5-8 wait
  // for the next random-access chunk.
  EXPECT_EQ(*hls.playlist(),
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n"
            "#EXTINF:2.000,\nseg/0.ts\n");
  EXPECT_EQ(hls.segment(0), std::string({1, 1, 2, 2, 3, 3, 4, 4}));
  EXPECT_FALSE(hls.segment(1));
}

TEST(HlsPlaylist, SlidesOverTheLastSegmentsAndMarksAGapAsADiscontinuity) {
  HlsPlaylist hls(std::chrono::milliseconds(500), 2);
  for (uint64_t s = 0; s < 4; ++s) hls.play(chunk(s, true));
  hls.play(chunk(6, true));  // 4 and 5 were skipped
  hls.play(chunk(7, true));
  EXPECT_EQ(*hls.playlist(),
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:3\n"
            "#EXTINF:0.500,\nseg/3.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:0.500,\nseg/4.ts\n");
  EXPECT_FALSE(hls.segment(2)) << "slid out";
}

TEST(HlsPlaylist, AJumpInMediaTimeIsADiscontinuity) {
  HlsPlaylist hls(std::chrono::milliseconds(500), 3);
  for (uint64_t s = 0; s < 2; ++s) hls.play(chunk(s, true));
  hls.play(chunk(2, true, 0x47, 7000));  // the publisher was away 7 s; numbers go on
  hls.play(chunk(3, true, 0x47, 7000));
  EXPECT_EQ(*hls.playlist(),
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n"
            "#EXTINF:0.500,\nseg/0.ts\n#EXTINF:0.500,\nseg/1.ts\n#EXT-X-DISCONTINUITY\n"
            "#EXTINF:0.500,\nseg/2.ts\n");
}

}  // namespace
}  // namespace shoal
