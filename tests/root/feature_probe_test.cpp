// Real BPF on this kernel: the feature probe loads each program and reports what works.
#include "aurora/feature_probe.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

namespace aurora {
namespace {

TEST(FeatureProbeRoot, SchedSwitchAttachesAndFires) {
  if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: root tests need root to load BPF programs";
  const auto statuses = make_live_feature_probe()->probe();
  ASSERT_EQ(statuses.size(), 7u);
  const ProbeStatus* raw_tp = find_probe(statuses, "raw_tp/sched_switch");
  ASSERT_NE(raw_tp, nullptr);
  EXPECT_TRUE(raw_tp->active) << raw_tp->reason;
  // The probe sleeps while attached, so it must have seen its own context switches.
  EXPECT_EQ(raw_tp->reason.find("; 0 context switches"), std::string::npos) << raw_tp->reason;
  for (const ProbeStatus& s : statuses) EXPECT_FALSE(s.reason.empty()) << s.name;
}

TEST(FeatureProbeRoot, RefusedFentryIsReportedNotFatal) {
  if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: root tests need root to load BPF programs";
  const auto statuses = make_live_feature_probe()->probe();
  const ProbeStatus* fentry = find_probe(statuses, "fentry/task_numa_fault");
  ASSERT_NE(fentry, nullptr);
  // Either it works (multi-node guest) or the reason says what failed and what falls back.
  if (!fentry->active) {
    EXPECT_NE(fentry->reason.find("falls back"), std::string::npos) << fentry->reason;
  }
}

}  // namespace
}  // namespace aurora
