// Recordings: `record --output FILE` writes JSON lines, `replay FILE` (and `top --replay`,
// `report --replay`) reads them back through the same aggregation and printing, without root.
//
// Line 1 is the header: {"type":"header","format_version":1,"aurora_version",
// "topology":{...},"probes":[...],"options":{...}}; every further line is
// {"type":"snapshot", ...Snapshot fields}. docs/data-contract.md describes both.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "aurora/snapshot_source.hpp"

namespace aurora {

inline constexpr int kRecordingFormatVersion = 1;

struct FileCloser {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
using UniqueFile = std::unique_ptr<std::FILE, FileCloser>;

struct RecordingHeader {
  int format_version = kRecordingFormatVersion;
  std::string aurora_version;
  Topology topology;
  std::vector<ProbeStatus> probes;
  nlohmann::json options = nlohmann::json::object();  // the options the recording ran with
};

class RecordingWriter {
 public:
  // Creates (truncates) `path` and writes the header. Errors name the path.
  static Result<RecordingWriter> create(const std::string& path, const RecordingHeader& header);
  // Appends one snapshot line and flushes it, so a killed recorder leaves whole lines.
  Result<void> append(const Snapshot& snapshot);

 private:
  RecordingWriter(std::string path, std::FILE* file) : path_(std::move(path)), file_(file) {}
  Result<void> write_line(const nlohmann::json& line);

  std::string path_;
  UniqueFile file_;
};

// A SnapshotSource over a recording file.
class ReplaySource final : public SnapshotSource {
 public:
  // Opens `path` and reads its header. kNotFound for a missing file; kBadInput naming the
  // file and line for anything that is not a recording of a version we read.
  static Result<std::unique_ptr<ReplaySource>> open(const std::string& path);

  const RecordingHeader& header() const { return header_; }
  const Topology& topology() const override { return header_.topology; }
  Result<std::optional<Snapshot>> next() override;
  void request_stop() override { stopped_ = true; }

 private:
  ReplaySource() = default;
  std::string path_;
  UniqueFile file_;
  RecordingHeader header_;
  long line_number_ = 0;
  bool stopped_ = false;
};

}  // namespace aurora
