#include "aurora/coordinator/journal.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>

namespace aurora::coord {

Result<Journal> Journal::open(const std::string& path) {
  std::error_code ec;
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec)
    return fail(ErrorKind::kRuntime, fmt::format("journal directory {}: {} (set coordinator.journal_path or --journal)",
                                                 parent.string(), ec.message()));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail(errno == EACCES ? ErrorKind::kPermission : ErrorKind::kRuntime,
                fmt::format("journal {}: {} (set coordinator.journal_path or --journal)", path, std::strerror(errno)));
  return Journal(path, UniqueFd(fd));
}

Result<void> Journal::append(const nlohmann::json& record) {
  const std::string line = record.dump() + "\n";
  std::size_t written = 0;
  while (written < line.size()) {
    const ssize_t n = ::write(fd_.get(), line.data() + written, line.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return fail(ErrorKind::kRuntime, fmt::format("journal {}: write failed: {}; no action taken", path_, std::strerror(errno)));
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd_.get()) != 0)
    return fail(ErrorKind::kRuntime, fmt::format("journal {}: fsync failed: {}; no action taken", path_, std::strerror(errno)));
  return {};
}

std::string Journal::next_id() {
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return fmt::format("{}-{}-{}", now, ::getpid(), sequence_++);
}

Result<std::vector<nlohmann::json>> Journal::read(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorKind::kNotFound, fmt::format("journal {}: cannot open (nothing was ever applied?)", path));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::vector<nlohmann::json> records;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    auto record = nlohmann::json::parse(lines[i], nullptr, false);
    if (record.is_discarded() || !record.is_object() || !record.contains("id") || !record.contains("phase")) {
      if (i + 1 == lines.size()) break;  // torn final line: the writer was killed mid-write
      return fail(ErrorKind::kBadInput, fmt::format("journal {}:{}: not a journal record", path, i + 1));
    }
    records.push_back(std::move(record));
  }
  return records;
}

std::vector<nlohmann::json> pending_actions(const std::vector<nlohmann::json>& records, int pid) {
  std::map<std::string, nlohmann::json> intent;
  std::map<std::string, std::string> last_phase;
  std::vector<std::string> order;
  for (const auto& r : records) {
    const std::string id = r.value("id", "");
    const std::string phase = r.value("phase", "");
    if (phase == "intent") {
      intent[id] = r;
      order.push_back(id);
    } else if (phase == "done" && r.contains("undo") && intent.count(id)) {
      // What the action learned as it ran (a migration: where each moved page was) refines
      // the intent's undo.
      for (const auto& [key, value] : r["undo"].items()) intent[id]["undo"][key] = value;
    }
    last_phase[id] = phase;
    // A failure that applied nothing leaves nothing to undo.
    if (phase == "failed" && !r.value("partial", false)) last_phase[id] = "reverted";
  }
  std::vector<nlohmann::json> out;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    if (last_phase[*it] == "reverted") continue;
    const auto& r = intent[*it];
    if (pid != 0 && r.value("pid", 0) != pid) continue;
    out.push_back(r);
  }
  return out;
}

}  // namespace aurora::coord
