// /proc/PID/stat and /proc/PID/task/TID/stat (proc(5)).
#include <unistd.h>

#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "aurora/procfs.hpp"
#include "procfs/proc_file.hpp"

namespace aurora {

using procfs_detail::parse_int;

long clock_ticks_per_second() {
  static const long ticks = [] {
    const long value = ::sysconf(_SC_CLK_TCK);
    return value > 0 ? value : 100;
  }();
  return ticks;
}

std::uint64_t ticks_to_ns(std::uint64_t ticks, long ticks_per_second) {
  if (ticks_per_second <= 0) ticks_per_second = 100;
  const auto per_second = static_cast<std::uint64_t>(ticks_per_second);
  // Whole seconds and the remainder separately so ticks * 1e9 cannot overflow.
  return (ticks / per_second) * 1'000'000'000ull +
         (ticks % per_second) * 1'000'000'000ull / per_second;
}

namespace {

// Fields after the closing ')' of comm; fields_after[0] is field 3 (state) of proc(5).
constexpr size_t kState = 0, kPpid = 1, kMinflt = 7, kMajflt = 9, kUtime = 11, kStime = 12,
                 kNumThreads = 17, kStartTime = 19, kRss = 21, kProcessor = 36;

Result<TaskStat> parse_task_stat(std::string_view text, const std::string& file) {
  const auto bad = [&](std::string_view what) {
    return fail(ErrorKind::kBadInput, fmt::format("{}: malformed stat line ({})", file, what));
  };
  const size_t open = text.find('(');
  const size_t close = text.rfind(')');  // comm may itself contain ')'
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return bad("no '(comm)'");

  TaskStat stat;
  const auto pid = parse_int<int>(procfs_detail::trim(text.substr(0, open)));
  if (!pid) return bad("pid is not a number");
  stat.pid = *pid;
  stat.tid = *pid;
  stat.comm = std::string(text.substr(open + 1, close - open - 1));

  std::vector<std::string_view> fields;
  std::string_view rest = text.substr(close + 1);
  while (!rest.empty()) {
    const size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const size_t end = rest.find_first_of(" \n");
    fields.push_back(rest.substr(0, end));
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end);
  }
  if (fields.size() <= kProcessor)
    return bad(fmt::format("{} fields after comm, expected at least {}", fields.size(),
                           kProcessor + 1));
  if (fields[kState].size() != 1) return bad("state is not one character");
  stat.state = fields[kState][0];

  const auto u64 = [&](size_t index) { return parse_int<std::uint64_t>(fields[index]); };
  const auto ppid = parse_int<int>(fields[kPpid]);
  const auto minflt = u64(kMinflt), majflt = u64(kMajflt), utime = u64(kUtime),
             stime = u64(kStime), start = u64(kStartTime);
  const auto threads = parse_int<long>(fields[kNumThreads]);
  // rss is signed in the kernel (get_mm_rss can transiently be counted below zero).
  const auto rss = parse_int<long long>(fields[kRss]);
  const auto processor = parse_int<int>(fields[kProcessor]);
  if (!ppid || !minflt || !majflt || !utime || !stime || !start || !threads || !rss || !processor)
    return bad("a numeric field is not a number");
  stat.ppid = *ppid;
  stat.minor_faults = *minflt;
  stat.major_faults = *majflt;
  stat.utime_ticks = *utime;
  stat.stime_ticks = *stime;
  stat.num_threads = *threads;
  stat.start_time_ticks = *start;
  stat.rss_pages = *rss > 0 ? static_cast<std::uint64_t>(*rss) : 0;
  stat.processor = *processor;
  return stat;
}

}  // namespace

Result<TaskStat> read_task_stat(const HostRoot& root, int pid, int tid) {
  const std::string file = procfs_detail::task_dir(pid, tid) + "/stat";
  auto text = procfs_detail::read_pid_file(root, pid, file);
  if (!text) return tl::unexpected(text.error());
  auto stat = parse_task_stat(*text, root.path(file).string());
  if (!stat) return stat;
  // The stat of a thread names the thread in its first field; the process is `pid`.
  stat->pid = pid;
  if (tid < 0) stat->tid = pid;
  return stat;
}

}  // namespace aurora
