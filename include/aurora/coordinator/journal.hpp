// The action journal: one JSON object per line, fsync'd before the action it describes is taken,
// carrying what is needed to undo it. `aurora-numa-monitor revert` reads it back; a monitor
// killed mid-action leaves an "intent" record that revert can still finish.
//
// Records: {"id","phase","time","kind","pid","start_time","cgroup","summary","undo","target",
// "message"}. phase is "intent" (written before acting), then "done", "failed" or "reverted".
// docs/coordinator.md describes the format.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "aurora/result.hpp"
#include "aurora/unique_fd.hpp"

namespace aurora::coord {

class Journal {
 public:
  // Opens (creating it and its directory) `path` for appending. Errors name the path.
  static Result<Journal> open(const std::string& path);
  // Appends one record and fsyncs the file before returning.
  Result<void> append(const nlohmann::json& record);
  // A fresh action id, unique within this journal.
  std::string next_id();
  const std::string& path() const { return path_; }

  // Every whole record in `path`, oldest first. A torn last line (killed mid-write) is skipped;
  // a malformed line elsewhere is kBadInput naming the line.
  static Result<std::vector<nlohmann::json>> read(const std::string& path);

 private:
  Journal(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::string path_;
  UniqueFd fd_;
  unsigned sequence_ = 0;
};

// The actions whose latest record is not "reverted" (nor "failed" with nothing applied), newest
// first: what revert still has to undo, as their intent records, with the "undo" of their
// "done" record merged in (a migration's record of where each page was). `pid` 0 means every
// process.
std::vector<nlohmann::json> pending_actions(const std::vector<nlohmann::json>& records, int pid);

}  // namespace aurora::coord
