// The scope options every observing subcommand shares (snapshot, record, top, run):
// --cgroup PATH, --container ID, --pod UID, --pid P. Parsed here once; resolved to a
// PipelineScope with the errors the user needs (exit 2 naming what was tried).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "aurora/host_root.hpp"
#include "aurora/pipeline.hpp"
#include "aurora/result.hpp"

namespace aurora::cli {

struct ScopeOptions {
  std::string cgroup;
  std::string container;
  std::string pod;
  int pid = 0;
  bool any() const { return !cgroup.empty() || !container.empty() || !pod.empty() || pid != 0; }
};

// Adds the four options to `subcommand`, storing into `options` (which must outlive parsing).
// --cgroup, --container and --pod exclude each other; --pid combines with any of them.
void add_scope_options(CLI::App* subcommand, ScopeOptions& options);

// kNotFound (exit 2) for an unknown pid, cgroup, container or pod, naming what was tried;
// kBadInput for a malformed value.
Result<PipelineScope> resolve_scope(const ScopeOptions& options, const HostRoot& root);

}  // namespace aurora::cli
