// Internal: the canonical form of a Kubernetes pod UID, shared by naming and resolution.
#pragma once

#include <string>
#include <string_view>

namespace aurora::cgroup_detail {

// "1234abcd_5678_..." or "1234ABCD-5678-..." as the dashed, lower-case form; "" when it is not
// a plausible UID (32 hex digits with optional '-'/'_' separators; static pods use a 32-hex
// config hash without separators).
std::string canonical_pod_uid(std::string_view text);

}  // namespace aurora::cgroup_detail
