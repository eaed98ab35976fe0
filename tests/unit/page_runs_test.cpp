// Where a migration's moved pages were, as runs of consecutive pages on one node (revert's record).
#include <gtest/gtest.h>

#include "aurora/coordinator/actuators.hpp"

namespace aurora::coord {
namespace {

constexpr std::uint64_t kPage = 4096;

TEST(PageRuns, ConsecutivePagesOfOneNodeAreOneRun) {
  std::vector<PageRun> runs;
  for (std::uint64_t i = 0; i < 4; ++i) append_page_run(runs, 0x10000 + i * kPage, 0, kPage);
  EXPECT_EQ(runs, (std::vector<PageRun>{{0x10000, 4, 0}}));
}

TEST(PageRuns, AnotherNodeOrAGapStartsARun) {
  std::vector<PageRun> runs;
  append_page_run(runs, 0x10000, 0, kPage);
  append_page_run(runs, 0x11000, 1, kPage);  // interleaved: the next page was on node 1
  append_page_run(runs, 0x12000, 0, kPage);
  append_page_run(runs, 0x14000, 0, kPage);  // a page not moved in between
  append_page_run(runs, 0x15000, 0, kPage);
  EXPECT_EQ(runs, (std::vector<PageRun>{{0x10000, 1, 0}, {0x11000, 1, 1}, {0x12000, 1, 0}, {0x14000, 2, 0}}));
}

}  // namespace
}  // namespace aurora::coord
