#include "event_consumer.hpp"

#include <cerrno>
#include <cstring>

#include <bpf/libbpf.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aurora_shared.h"
#include "locality_loader.hpp"

namespace aurora::pipeline {

namespace {

const char* move_kind(std::uint32_t kind) {
  switch (kind) {
    case AURORA_EVENT_NUMA_MOVE: return "numa_move";
    case AURORA_EVENT_NUMA_SWAP: return "numa_swap";
    case AURORA_EVENT_NUMA_STICK: return "numa_stick";
    default: return "cross_node_migration";
  }
}

}  // namespace

Result<std::unique_ptr<EventConsumer>> EventConsumer::start(bpf_map* ring_buffer,
                                                            std::vector<int> slot_nodes,
                                                            std::chrono::milliseconds period) {
  std::unique_ptr<EventConsumer> self(new EventConsumer());
  self->period_ = period;
  self->slot_nodes_ = std::move(slot_nodes);
  self->ring_.reset(ring_buffer__new(bpf_map__fd(ring_buffer), &EventConsumer::on_record,
                                     self.get(), nullptr));
  if (!self->ring_)
    return fail(ErrorKind::kRuntime,
                fmt::format("opening the BPF ring buffer failed: {}", std::strerror(errno)));
  self->thread_ = std::thread([raw = self.get()] { raw->run(); });
  return self;
}

EventConsumer::~EventConsumer() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void EventConsumer::run() {
  std::unique_lock stop_lock(stop_mutex_);
  while (!stopping_) {
    stop_lock.unlock();
    {
      std::lock_guard lock(mutex_);
      ring_buffer__consume(ring_.get());
    }
    stop_lock.lock();
    stop_cv_.wait_for(stop_lock, period_, [this] { return stopping_; });
  }
}

DrainedEvents EventConsumer::drain() {
  std::lock_guard lock(mutex_);
  ring_buffer__consume(ring_.get());
  DrainedEvents out = std::move(collected_);
  collected_ = {};
  return out;
}

// Called with mutex_ held (from ring_buffer__consume).
int EventConsumer::on_record(void* context, void* data, std::size_t size) {
  auto* self = static_cast<EventConsumer*>(context);
  if (size < sizeof(aurora_event_header)) return 0;
  aurora_event_header header;
  std::memcpy(&header, data, sizeof(header));
  switch (header.kind) {
    case AURORA_EVENT_EXIT:
      if (size >= sizeof(aurora_exit_event))
        self->collected_.exits.push_back(thread_counters_from(
            static_cast<const char*>(data) + offsetof(aurora_exit_event, stats),
            self->slot_nodes_));
      break;
    case AURORA_EVENT_EXEC:
      if (size >= sizeof(aurora_exec_event)) {
        aurora_exec_event e;
        std::memcpy(&e, data, sizeof(e));
        PipelineEvent out;
        out.kind = "exec";
        out.tid = static_cast<int>(e.tid);
        out.pid = static_cast<int>(e.tgid);
        out.detail.assign(e.comm, strnlen(e.comm, sizeof(e.comm)));
        self->collected_.events.push_back(std::move(out));
      }
      break;
    case AURORA_EVENT_NUMA_MOVE:
    case AURORA_EVENT_NUMA_SWAP:
    case AURORA_EVENT_NUMA_STICK:
    case AURORA_EVENT_CROSS_NODE_MIGRATION:
      if (size >= sizeof(aurora_move_event)) {
        aurora_move_event e;
        std::memcpy(&e, data, sizeof(e));
        PipelineEvent out;
        out.kind = move_kind(header.kind);
        out.tid = static_cast<int>(e.src_tid);
        out.pid = static_cast<int>(e.src_tgid);
        out.src_node = e.src_node;
        out.dst_node = e.dst_node;
        if (header.kind == AURORA_EVENT_NUMA_SWAP || header.kind == AURORA_EVENT_NUMA_STICK)
          out.detail = fmt::format("with tid {} (pid {})", e.dst_tid, e.dst_tgid);
        self->collected_.events.push_back(std::move(out));
      }
      break;
    case AURORA_EVENT_PAGES_MIGRATED:
      if (size >= sizeof(aurora_pages_event)) {
        aurora_pages_event e;
        std::memcpy(&e, data, sizeof(e));
        PipelineEvent out;
        out.kind = "pages_migrated";
        out.tid = static_cast<int>(e.tid);
        out.pid = static_cast<int>(e.tgid);
        out.pages = e.succeeded;
        out.detail = migrate_reason_name(static_cast<int>(e.reason));
        if (e.failed) out.detail += fmt::format(" ({} failed)", e.failed);
        self->collected_.events.push_back(std::move(out));
      }
      break;
    default:
      spdlog::debug("ring buffer: unknown record kind {} ({} bytes) skipped", header.kind, size);
  }
  return 0;
}

}  // namespace aurora::pipeline
