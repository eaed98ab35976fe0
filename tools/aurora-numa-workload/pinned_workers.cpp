#include "pinned_workers.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "node_buffer.hpp"

namespace aurora::workload {

PinnedWorkers::PinnedWorkers(char* data, std::size_t bytes, Access access,
                             const cpu_set_t& cpus, int threads)
    : data_(data), bytes_(bytes), access_(access) {
  cpu_sets_.push_back(std::make_unique<cpu_set_t>(cpus));
  target_cpus_.store(cpu_sets_.back().get());
  for (int i = 0; i < threads; ++i) workers_.push_back(std::make_unique<Worker>());
}

Result<std::unique_ptr<PinnedWorkers>> PinnedWorkers::start(char* data, std::size_t bytes,
                                                            int threads, Access access,
                                                            const cpu_set_t& cpus) {
  std::unique_ptr<PinnedWorkers> workers(new PinnedWorkers(data, bytes, access, cpus, threads));
  try {
    for (std::size_t i = 0; i < workers->workers_.size(); ++i)
      workers->workers_[i]->thread = std::thread([raw = workers.get(), i] { raw->run(i); });
  } catch (const std::system_error& e) {
    return fail(ErrorKind::kRuntime,
                fmt::format("cannot start {} worker threads: {}", threads, e.what()));
  }
  return workers;
}

PinnedWorkers::~PinnedWorkers() { (void)stop(); }

void PinnedWorkers::move_to(const cpu_set_t& cpus) {
  cpu_sets_.push_back(std::make_unique<cpu_set_t>(cpus));
  target_cpus_.store(cpu_sets_.back().get());
  placement_generation_.fetch_add(1);
}

Result<void> PinnedWorkers::stop() {
  stopping_.store(true);
  for (auto& worker : workers_)
    if (worker->thread.joinable()) worker->thread.join();
  for (auto& worker : workers_)
    if (int error = worker->pin_errno.load(); error != 0)
      return fail(ErrorKind::kRuntime,
                  fmt::format("a worker thread could not pin itself to its node's CPUs: {}",
                              std::strerror(error)));
  return {};
}

std::uint64_t PinnedWorkers::passes() const {
  std::uint64_t total = 0;
  for (const auto& worker : workers_) total += worker->passes.load(std::memory_order_relaxed);
  return total;
}

void PinnedWorkers::run(std::size_t index) {
  constexpr std::size_t kPage = NodeBuffer::kPageSize;
  const std::size_t pages = bytes_ / kPage;
  std::size_t first = 0;
  std::size_t count = pages;
  if (access_ == Access::kPrivate) {
    const std::size_t per_thread = pages / workers_.size();
    first = index * per_thread;
    count = index + 1 == workers_.size() ? pages - first : per_thread;
  }
  // Shared access: threads start at different pages and write different words, so they share
  // pages without all hammering the same cache line.
  const std::size_t start = access_ == Access::kShared ? index * pages / workers_.size() : 0;
  const std::size_t word = (index * 64) % kPage;
  Worker& self = *workers_[index];
  std::uint64_t pinned_generation = ~std::uint64_t{0};
  while (!stopping_.load(std::memory_order_relaxed)) {
    if (const auto generation = placement_generation_.load(); generation != pinned_generation) {
      const cpu_set_t* cpus = target_cpus_.load();
      if (sched_setaffinity(0, sizeof(*cpus), cpus) != 0) {
        self.pin_errno.store(errno);
        return;
      }
      pinned_generation = generation;
    }
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t page = first + (start + i) % count;
      auto* slot = reinterpret_cast<volatile std::uint64_t*>(data_ + page * kPage + word);
      *slot = *slot + 1;
    }
    self.passes.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace aurora::workload
