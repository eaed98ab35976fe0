// bpf/locality.bpf.c's raw_tp sched_switch twin driven through BPF_PROG_TEST_RUN: the program
// runs in the kernel on a chosen CPU without attaching to anything, so only the test's calls
// reach its maps. Needs root to load BPF (SKIPPED otherwise).
//
// What this kernel allows: raw_tp programs run under BPF_PROG_TEST_RUN with a context of raw
// u64 arguments and BPF_F_TEST_RUN_ON_CPU. A test cannot pass a real task_struct pointer, so
// prev/next are NULL: the program's CO-RE probe reads then yield pid 0, which is the idle
// task. That exercises the per-CPU state (switch count, slice start, idle not charged as busy,
// no thread entry for idle); the per-thread paths are covered by the root tests on real tasks.
#include <sched.h>
#include <unistd.h>

#include <vector>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include "aurora_shared.h"
#include "bpf/bpf_handles.hpp"
#include "locality.skel.h"

namespace aurora {
namespace {

using LocalitySkeleton = bpf::UniqueSkeleton<locality, locality__destroy>;

class LocalityTestRun : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "SKIPPED: loading BPF programs needs root";
    if (libbpf_num_possible_cpus() < 2) GTEST_SKIP() << "SKIPPED: needs two CPUs";
    skeleton_.reset(locality__open());
    ASSERT_TRUE(skeleton_);
    bpf_program* program = nullptr;
    bpf_object__for_each_program(program, skeleton_->obj)
      bpf_program__set_autoload(program, program == skeleton_->progs.switch_raw);
    ASSERT_EQ(locality__load(skeleton_.get()), 0);
  }

  // One sched_switch(preempt, prev, next, prev_state) on `cpu`, through the kernel.
  void run_switch(int cpu, unsigned long long prev_state) {
    unsigned long long args[4] = {0, 0, 0, prev_state};
    LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args),
                .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = static_cast<__u32>(cpu));
    ASSERT_EQ(bpf_prog_test_run_opts(bpf_program__fd(skeleton_->progs.switch_raw), &opts), 0)
        << "BPF_PROG_TEST_RUN of raw_tp/sched_switch refused: " << errno;
    EXPECT_EQ(opts.retval, 0u);
  }

  std::vector<aurora_cpu_state> cpu_states() {
    std::vector<aurora_cpu_state> states(libbpf_num_possible_cpus());
    const __u32 key = 0;
    EXPECT_EQ(bpf_map_lookup_elem(bpf_map__fd(skeleton_->maps.cpu_state), &key, states.data()),
              0);
    return states;
  }

  std::size_t thread_entries() {
    std::size_t count = 0;
    __u32 key = 0, next = 0;
    const void* previous = nullptr;
    while (bpf_map_get_next_key(bpf_map__fd(skeleton_->maps.threads), previous, &next) == 0) {
      ++count;
      key = next;
      previous = &key;
    }
    return count;
  }

  LocalitySkeleton skeleton_;
};

TEST_F(LocalityTestRun, SwitchCountsOnTheChosenCpuOnly) {
  run_switch(1, 1);
  run_switch(1, 0);
  run_switch(1, 1);
  const auto states = cpu_states();
  EXPECT_EQ(states[1].context_switches, 3u);
  EXPECT_EQ(states[0].context_switches, 0u);
  EXPECT_GT(states[1].last_switch_ns, 0u);
  EXPECT_EQ(states[0].last_switch_ns, 0u);
}

TEST_F(LocalityTestRun, IdleIsNeitherBusyNorTracked) {
  run_switch(1, 0);
  run_switch(1, 0);
  const auto states = cpu_states();
  EXPECT_EQ(states[1].busy_ns, 0u);          // prev was the idle task (pid 0)
  EXPECT_EQ(states[1].current_tid, 0u);
  EXPECT_EQ(states[1].current_tracked, 0u);
  EXPECT_EQ(thread_entries(), 0u);
}

}  // namespace
}  // namespace aurora
