// RAII owners for libbpf objects: a skeleton and its links are destroyed exactly once, on every
// path. Internal to userspace/.
#pragma once

#include <memory>

#include <bpf/libbpf.h>

namespace aurora::bpf {

struct LinkDeleter {
  void operator()(bpf_link* link) const noexcept { bpf_link__destroy(link); }
};
using UniqueLink = std::unique_ptr<bpf_link, LinkDeleter>;

struct RingBufferDeleter {
  void operator()(ring_buffer* rb) const noexcept { ring_buffer__free(rb); }
};
using UniqueRingBuffer = std::unique_ptr<ring_buffer, RingBufferDeleter>;

// A generated skeleton type and its generated destroy function, e.g.
// UniqueSkeleton<feature_probe, feature_probe__destroy>.
template <class Skeleton, void (*Destroy)(Skeleton*)>
struct SkeletonDeleter {
  void operator()(Skeleton* skeleton) const noexcept { Destroy(skeleton); }
};
template <class Skeleton, void (*Destroy)(Skeleton*)>
using UniqueSkeleton = std::unique_ptr<Skeleton, SkeletonDeleter<Skeleton, Destroy>>;

}  // namespace aurora::bpf
