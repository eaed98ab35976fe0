// aurora-synth-recording: writes a deterministic synthetic recording (test and benchmark
// input for `top --replay`, `replay`, `report --replay`). Not a measurement of anything.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "synthetic_recording.hpp"

int main(int argc, char** argv) {
  aurora::synthetic::Spec spec;
  std::string output;
  CLI::App app{"Write a deterministic synthetic recording (JSON lines) for tests and benchmarks"};
  app.add_option("--output,-o", output, "Recording file to write")->required();
  app.add_option("--nodes", spec.nodes, "NUMA nodes")->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("--cpus-per-node", spec.cpus_per_node, "CPUs per node")
      ->check(CLI::Range(1, 1024))->capture_default_str();
  app.add_option("--processes", spec.processes, "Processes")->check(CLI::Range(0, 100000))
      ->capture_default_str();
  app.add_option("--threads", spec.threads, "Threads over all processes")
      ->check(CLI::Range(0, 1000000))->capture_default_str();
  app.add_option("--snapshots", spec.snapshots, "Snapshots")->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--seed", spec.seed, "Seed of the deterministic values")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (spec.processes > 0 && spec.threads < spec.processes) spec.threads = spec.processes;
  if (auto ok = aurora::synthetic::write_recording(output, spec); !ok) {
    std::fprintf(stderr, "aurora-synth-recording: %s\n", ok.error().message.c_str());
    return 1;
  }
  return 0;
}
