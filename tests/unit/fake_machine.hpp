// FakeMachine: writes the sysfs files of a NUMA machine into a FakeTree, in the kernel's own
// formats, so topology tests can describe real machine shapes in a few lines:
//
//   FakeTree tree;
//   FakeMachine m(tree);
//   m.online_nodes("0-1");
//   m.node(0, "0-3", 8 << 20, 6 << 20, "10 21");
//   m.cpu(0, /*package=*/0, /*core=*/0, /*siblings=*/"0,4");
#pragma once

#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "fake_tree.hpp"

class FakeMachine {
 public:
  explicit FakeMachine(const FakeTree& tree) : tree_(tree) {}

  void online_cpus(const std::string& list) const {
    tree_.write("/sys/devices/system/cpu/online", list + "\n");
  }
  void online_nodes(const std::string& list) const {
    tree_.write("/sys/devices/system/node/online", list + "\n");
    tree_.write("/sys/devices/system/node/possible", list + "\n");
  }
  void has_cpu(const std::string& list) const {
    tree_.write("/sys/devices/system/node/has_cpu", list + "\n");
  }

  // A node directory as the kernel writes it: cpulist, distance row, a meminfo with the usual
  // lines around MemTotal/MemFree, and 2 MiB + 1 GiB hugepage pools.
  void node(int id, const std::string& cpulist, std::uint64_t total_kb, std::uint64_t free_kb,
            const std::string& distance_row, std::uint64_t huge_2m = 0,
            std::uint64_t huge_2m_free = 0, std::uint64_t huge_1g = 0) const {
    const std::string dir = fmt::format("/sys/devices/system/node/node{}", id);
    tree_.write(dir + "/cpulist", cpulist + "\n");
    tree_.write(dir + "/distance", distance_row + "\n");
    tree_.write(dir + "/meminfo",
                fmt::format("Node {0} MemTotal:       {1} kB\n"
                            "Node {0} MemFree:        {2} kB\n"
                            "Node {0} MemUsed:        {3} kB\n"
                            "Node {0} SwapCached:            0 kB\n"
                            "Node {0} Active:           132424 kB\n"
                            "Node {0} HugePages_Total:  {4}\n"
                            "Node {0} HugePages_Free:   {5}\n",
                            id, total_kb, free_kb, total_kb - free_kb, huge_2m, huge_2m_free));
    tree_.write(dir + "/hugepages/hugepages-2048kB/nr_hugepages", fmt::format("{}\n", huge_2m));
    tree_.write(dir + "/hugepages/hugepages-2048kB/free_hugepages",
                fmt::format("{}\n", huge_2m_free));
    tree_.write(dir + "/hugepages/hugepages-2048kB/surplus_hugepages", "0\n");
    tree_.write(dir + "/hugepages/hugepages-1048576kB/nr_hugepages", fmt::format("{}\n", huge_1g));
    tree_.write(dir + "/hugepages/hugepages-1048576kB/free_hugepages",
                fmt::format("{}\n", huge_1g));
    tree_.write(dir + "/hugepages/hugepages-1048576kB/surplus_hugepages", "0\n");
  }

  void cpu(int id, int package, int core, const std::string& thread_siblings) const {
    const std::string dir = fmt::format("/sys/devices/system/cpu/cpu{}/topology", id);
    tree_.write(dir + "/physical_package_id", fmt::format("{}\n", package));
    tree_.write(dir + "/core_id", fmt::format("{}\n", core));
    tree_.write(dir + "/thread_siblings_list", thread_siblings + "\n");
    tree_.write(fmt::format("/sys/devices/system/cpu/cpu{}/online", id), "1\n");
  }
  // An offline CPU keeps its directory and an `online` file of 0; x86 removes its topology.
  void offline_cpu(int id) const {
    tree_.write(fmt::format("/sys/devices/system/cpu/cpu{}/online", id), "0\n");
  }

  void cache(int cpu, int index, int level, const std::string& type, const std::string& size,
             const std::string& shared_cpu_list) const {
    const std::string dir = fmt::format("/sys/devices/system/cpu/cpu{}/cache/index{}", cpu, index);
    tree_.write(dir + "/level", fmt::format("{}\n", level));
    tree_.write(dir + "/type", type + "\n");
    tree_.write(dir + "/size", size + "\n");
    tree_.write(dir + "/shared_cpu_list", shared_cpu_list + "\n");
  }
  // x86 server core: private L1d/L1i/L2 shared by the SMT threads, and an L3.
  void x86_caches(int cpu, const std::string& core_threads, const std::string& l2_size,
                  const std::string& l3_size, const std::string& l3_shared) const {
    cache(cpu, 0, 1, "Data", "48K", core_threads);
    cache(cpu, 1, 1, "Instruction", "32K", core_threads);
    cache(cpu, 2, 2, "Unified", l2_size, core_threads);
    cache(cpu, 3, 3, "Unified", l3_size, l3_shared);
  }

  // The bitmask files hwloc's Linux backend needs besides the *_list files aurora reads
  // ("3" = CPUs 0-1, "c" = CPUs 2-3).
  void hwloc_masks(int cpu, const std::string& core_mask, const std::string& package_mask) const {
    const std::string dir = fmt::format("/sys/devices/system/cpu/cpu{}/topology", cpu);
    tree_.write(dir + "/core_cpus", core_mask + "\n");
    tree_.write(dir + "/thread_siblings", core_mask + "\n");
    tree_.write(dir + "/package_cpus", package_mask + "\n");
    tree_.write(dir + "/core_siblings", package_mask + "\n");
  }
  void node_cpumap(int node, const std::string& mask) const {
    tree_.write(fmt::format("/sys/devices/system/node/node{}/cpumap", node), mask + "\n");
  }

  void pci(const std::string& address, const std::string& class_code, int node) const {
    const std::string dir = "/sys/bus/pci/devices/" + address;
    tree_.write(dir + "/class", class_code + "\n");
    tree_.write(dir + "/numa_node", fmt::format("{}\n", node));
    tree_.write(dir + "/vendor", "0x8086\n");
  }

  // A CXL memory expander exposed as system RAM: region -> dax_region -> dax device.
  void cxl_region(int region, int target_node) const {
    tree_.write(fmt::format("/sys/bus/cxl/devices/region{0}/dax_region{0}/dax{0}.0/target_node",
                            region),
                fmt::format("{}\n", target_node));
    tree_.mkdir(fmt::format("/sys/bus/cxl/devices/mem{}", region));
  }

 private:
  const FakeTree& tree_;
};
