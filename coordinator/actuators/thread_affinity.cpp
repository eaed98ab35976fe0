#include <sched.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "aurora/coordinator/actuators.hpp"
#include "aurora/cpu_list.hpp"

namespace aurora::coord {

Result<std::vector<int>> get_thread_affinity(int tid) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(tid, sizeof(set), &set) != 0) {
    if (errno == ESRCH) return fail(ErrorKind::kNotFound, fmt::format("thread {} exited", tid));
    return fail(ErrorKind::kRuntime, fmt::format("sched_getaffinity({}): {}", tid, std::strerror(errno)));
  }
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  return cpus;
}

Result<void> set_thread_affinity(int tid, const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (int c : cpus)
    if (c >= 0 && c < CPU_SETSIZE) CPU_SET(c, &set);
  if (::sched_setaffinity(tid, sizeof(set), &set) != 0) {
    if (errno == ESRCH) return fail(ErrorKind::kNotFound, fmt::format("thread {} exited", tid));
    if (errno == EINVAL)
      return fail(ErrorKind::kBadInput, fmt::format("sched_setaffinity({}, {}): no allowed CPU in the mask (its cpuset forbids them)",
                                                    tid, format_cpu_list(cpus)));
    return fail(errno == EPERM ? ErrorKind::kPermission : ErrorKind::kRuntime,
                fmt::format("sched_setaffinity({}, {}): {}", tid, format_cpu_list(cpus), std::strerror(errno)));
  }
  return {};
}

}  // namespace aurora::coord
