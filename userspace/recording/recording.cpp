#include "aurora/recording.hpp"

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace aurora {

using nlohmann::json;

namespace {

json header_to_json(const RecordingHeader& h) {
  json probes = json::array();
  for (const ProbeStatus& p : h.probes)
    probes.push_back({{"name", p.name}, {"active", p.active}, {"reason", p.reason}});
  return {{"type", "header"},          {"format_version", h.format_version},
          {"aurora_version", h.aurora_version}, {"topology", h.topology},
          {"probes", probes},          {"options", h.options}};
}

// Reads one line of any length; false at end of file.
bool read_line(std::FILE* file, std::string& line) {
  line.clear();
  char buffer[65536];
  while (std::fgets(buffer, sizeof(buffer), file)) {
    line += buffer;
    if (!line.empty() && line.back() == '\n') {
      line.pop_back();
      return true;
    }
  }
  return !line.empty();
}

}  // namespace

Result<RecordingWriter> RecordingWriter::create(const std::string& path,
                                                const RecordingHeader& header) {
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (!file)
    return fail(ErrorKind::kRuntime,
                fmt::format("recording {}: cannot create: {}", path, std::strerror(errno)));
  RecordingWriter writer(path, file);
  if (auto ok = writer.write_line(header_to_json(header)); !ok) return tl::unexpected(ok.error());
  return writer;
}

Result<void> RecordingWriter::append(const Snapshot& snapshot) {
  json line = snapshot;
  line["type"] = "snapshot";
  return write_line(line);
}

Result<void> RecordingWriter::write_line(const json& line) {
  const std::string text = line.dump() + "\n";
  if (std::fwrite(text.data(), 1, text.size(), file_.get()) != text.size() ||
      std::fflush(file_.get()) != 0)
    return fail(ErrorKind::kRuntime,
                fmt::format("recording {}: write failed: {}", path_, std::strerror(errno)));
  return {};
}

Result<std::unique_ptr<ReplaySource>> ReplaySource::open(const std::string& path) {
  std::unique_ptr<ReplaySource> source(new ReplaySource());
  source->path_ = path;
  source->file_.reset(std::fopen(path.c_str(), "r"));
  if (!source->file_) {
    const int err = errno;
    return fail(err == ENOENT ? ErrorKind::kNotFound : ErrorKind::kRuntime,
                fmt::format("recording {}: cannot open: {}", path, std::strerror(err)));
  }
  std::string line;
  if (!read_line(source->file_.get(), line))
    return fail(ErrorKind::kBadInput, fmt::format("recording {}: empty file, no header", path));
  source->line_number_ = 1;
  try {
    const json h = json::parse(line);
    if (h.value("type", "") != "header")
      return fail(ErrorKind::kBadInput,
                  fmt::format("recording {}:1: first line is not a header record", path));
    source->header_.format_version = h.at("format_version").get<int>();
    if (source->header_.format_version != kRecordingFormatVersion)
      return fail(ErrorKind::kBadInput,
                  fmt::format("recording {}: format_version {} is not supported (this build "
                              "reads {})",
                              path, source->header_.format_version, kRecordingFormatVersion));
    source->header_.aurora_version = h.value("aurora_version", "");
    auto topology = topology_from_json(h.at("topology"));
    if (!topology)
      return fail(ErrorKind::kBadInput,
                  fmt::format("recording {}:1: {}", path, topology.error().message));
    source->header_.topology = std::move(*topology);
    for (const json& p : h.value("probes", json::array()))
      source->header_.probes.push_back(
          {p.at("name").get<std::string>(), p.at("active").get<bool>(), p.value("reason", "")});
    source->header_.options = h.value("options", json::object());
  } catch (const std::exception& e) {
    return fail(ErrorKind::kBadInput,
                fmt::format("recording {}:1: malformed header: {}", path, e.what()));
  }
  return source;
}

Result<std::optional<Snapshot>> ReplaySource::next() {
  std::string line;
  while (!stopped_) {
    if (!read_line(file_.get(), line)) return std::optional<Snapshot>{};
    ++line_number_;
    if (line.empty()) continue;
    json record;
    try {
      record = json::parse(line);
    } catch (const std::exception& e) {
      return fail(ErrorKind::kBadInput,
                  fmt::format("recording {}:{}: not JSON: {}", path_, line_number_, e.what()));
    }
    if (record.value("type", "") != "snapshot") continue;  // later record types are skipped
    auto snapshot = snapshot_from_json(record);
    if (!snapshot)
      return fail(ErrorKind::kBadInput, fmt::format("recording {}:{}: {}", path_, line_number_,
                                                    snapshot.error().message));
    return std::optional<Snapshot>(std::move(*snapshot));
  }
  return std::optional<Snapshot>{};
}

}  // namespace aurora
