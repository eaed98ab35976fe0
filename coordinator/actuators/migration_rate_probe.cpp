// How fast this machine migrates pages, measured on a child process that keeps writing its own
// memory, so the first move is costed with a measured rate rather than the budget.
#include <fcntl.h>
#include <numaif.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <memory>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "aurora/coordinator/actuators.hpp"
#include "aurora/unique_fd.hpp"

namespace aurora::coord {

namespace {

struct Unmapper {
  std::size_t length;
  void operator()(void* address) const { ::munmap(address, length); }
};
using Mapping = std::unique_ptr<void, Unmapper>;

// The child whose pages are moved: killed and reaped on every path out of the probe.
class ProbeChild {
 public:
  explicit ProbeChild(pid_t pid) : pid_(pid) {}
  ProbeChild(const ProbeChild&) = delete;
  ProbeChild& operator=(const ProbeChild&) = delete;
  ~ProbeChild() {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
};

// The child's whole life, after fork() of a multithreaded process: raw system calls and plain
// stores only. It first-touches every page (the mapping's policy puts them on the source node),
// says so on `ready`, then writes every page again and again until it is killed; it dies with
// its parent.
[[noreturn]] void run_probe_child(pid_t parent, int ready, volatile char* bytes, std::size_t length,
                                  std::size_t page) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(1);
  for (std::size_t offset = 0; offset < length; offset += page) bytes[offset] = 1;
  const char byte = 'r';
  if (::write(ready, &byte, 1) != 1) ::_exit(1);
  for (char round = 2;; ++round)
    for (std::size_t offset = 0; offset < length; offset += page) bytes[offset] = round;
}

}  // namespace

Result<MigrationProbe> probe_migration_rate(int from_node, int to_node, std::size_t bytes, int parallel_calls) {
  if (from_node == to_node || from_node < 0 || to_node < 0 || from_node >= 64 || to_node >= 64)
    return fail(ErrorKind::kBadInput, fmt::format("probe_migration_rate: nodes {} and {} must differ and be 0..63",
                                                  from_node, to_node));
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t length = std::max(page, bytes / page * page);
  void* address = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (address == MAP_FAILED)
    return fail(ErrorKind::kRuntime, fmt::format("page migration probe: mmap of {} bytes: {}", length, std::strerror(errno)));
  const Mapping mapping(address, Unmapper{length});
  // Base pages, as most of what the coordinator moves: a huge page moves in one go and would
  // make the rate look several times higher than it is for a process's scattered pages.
  ::madvise(address, length, MADV_NOHUGEPAGE);
  unsigned long from_mask = 1ul << from_node;
  // Preferred, not bound: a node that fills meanwhile gives pages elsewhere rather than make
  // the kernel reclaim or OOM-kill for them. The child inherits the mapping and its policy.
  if (::mbind(address, length, MPOL_PREFERRED, &from_mask, 8 * sizeof from_mask, 0) != 0)
    return fail(ErrorKind::kUnsupported, fmt::format("page migration probe: cannot place memory on node {} (mbind: {})",
                                                     from_node, std::strerror(errno)));
  // The pages belong to a child that keeps writing them, as a running process's are. Moving
  // the coordinator's own pages instead measured half the rate its moves of another process
  // then reached under the same load (13-18 against 25-42 MiB/s in the 2-node guest): every
  // page unmapped in its own address space was shot down on every CPU that its 16 calls ran on.
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0)
    return fail(ErrorKind::kRuntime, fmt::format("page migration probe: pipe: {}", std::strerror(errno)));
  UniqueFd ready_read(pipe_fds[0]), ready_write(pipe_fds[1]);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0)
    return fail(ErrorKind::kRuntime, fmt::format("page migration probe: fork: {}", std::strerror(errno)));
  if (pid == 0) run_probe_child(parent, ready_write.get(), static_cast<volatile char*>(address), length, page);
  const ProbeChild child(pid);
  ready_write.reset();
  pollfd ready{ready_read.get(), POLLIN, 0};
  char byte = 0;
  int polled;
  while ((polled = ::poll(&ready, 1, 30'000)) < 0 && errno == EINTR) {
  }
  if (polled <= 0 || ::read(ready_read.get(), &byte, 1) != 1)
    return fail(ErrorKind::kRuntime,
                fmt::format("page migration probe: the child placing {} MiB on node {} did not get ready in 30 s",
                            length >> 20, from_node));
  const std::size_t count = length / page;
  std::vector<void*> pages(count);
  for (std::size_t i = 0; i < count; ++i) pages[i] = static_cast<char*>(address) + i * page;
  std::vector<int> nodes(count, to_node), status(count, -1);
  // Split into slices moved side by side, as the actuator's lanes do (each call waits mostly
  // on other CPUs, and calls side by side overlap those waits: docs/performance.md).
  const std::size_t lanes = std::clamp<std::size_t>(static_cast<std::size_t>(std::max(1, parallel_calls)), 1, count);
  const std::size_t slice = (count + lanes - 1) / lanes;
  std::vector<long> lane_rc(lanes, 0);
  std::vector<int> lane_error(lanes, 0);
  const auto move_slice = [&](std::size_t lane) {
    const std::size_t first = lane * slice;
    if (first >= count) return;
    const std::size_t n = std::min(slice, count - first);
    lane_rc[lane] = ::syscall(SYS_move_pages, child.pid(), n, pages.data() + first, nodes.data() + first,
                              status.data() + first, MPOL_MF_MOVE);
    if (lane_rc[lane] < 0) lane_error[lane] = errno;
  };
  const auto start = std::chrono::steady_clock::now();
  {
    std::vector<std::jthread> helpers;
    std::size_t helped = 1;
    try {
      for (; helped < lanes; ++helped) helpers.emplace_back(move_slice, helped);
    } catch (const std::exception&) {
      // No thread to be had: the rest run here, one after another.
    }
    move_slice(0);
    for (std::size_t lane = helped; lane < lanes; ++lane) move_slice(lane);
  }  // the helpers join here
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  long rc = 0;
  int error = 0;
  for (std::size_t lane = 0; lane < lanes; ++lane)
    if (lane_rc[lane] < 0) {
      rc = lane_rc[lane];
      error = lane_error[lane];
    }
  if (rc < 0) {
    // ENODEV: the target node is not online or has no memory (mbind may accept it anyway).
    return fail(error == ENODEV ? ErrorKind::kUnsupported : ErrorKind::kRuntime,
                fmt::format("page migration probe: move_pages to node {}: {}", to_node, std::strerror(error)));
  }
  const auto moved = static_cast<std::size_t>(std::count(status.begin(), status.end(), to_node));
  if (moved == 0 || seconds <= 0)
    return fail(ErrorKind::kRuntime, fmt::format("page migration probe: none of {} pages reached node {} (full?)",
                                                 count, to_node));
  return MigrationProbe{moved * page, seconds};
}

}  // namespace aurora::coord
