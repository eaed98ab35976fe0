// The consumer thread: empties the ring buffer every `period` (the BPF side never wakes us:
// BPF_RB_NO_WAKEUP) and keeps what it read until the aggregator drains it. Internal.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "aurora/result.hpp"
#include "bpf/bpf_handles.hpp"
#include "kernel_reading.hpp"

struct bpf_map;

namespace aurora::pipeline {

class EventConsumer {
 public:
  // `slot_nodes`: LocalityProgram::slot_nodes(), to decode exit events.
  static Result<std::unique_ptr<EventConsumer>> start(bpf_map* ring_buffer,
                                                      std::vector<int> slot_nodes,
                                                      std::chrono::milliseconds period);
  ~EventConsumer();  // stops and joins the thread
  EventConsumer(const EventConsumer&) = delete;
  EventConsumer& operator=(const EventConsumer&) = delete;

  // Consumes what is in the ring buffer now and returns everything collected since the last
  // drain.
  DrainedEvents drain();

 private:
  EventConsumer() = default;
  static int on_record(void* context, void* data, std::size_t size);
  void run();

  bpf::UniqueRingBuffer ring_;
  std::chrono::milliseconds period_{100};
  std::vector<int> slot_nodes_;
  std::mutex mutex_;  // guards ring_ consumption and collected_
  DrainedEvents collected_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace aurora::pipeline
