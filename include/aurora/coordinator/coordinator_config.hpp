// The [coordinator] configuration table turned into the policy's own settings.
#pragma once

#include "aurora/config.hpp"
#include "aurora/coordinator/actuators.hpp"
#include "aurora/coordinator/placement_policy.hpp"

namespace aurora::coord {

PolicyConfig policy_config_from(const CoordinatorConfig& config);
// How fast the actuators (run --apply, revert --memory) may migrate pages.
MigrationPace migration_pace_from(const CoordinatorConfig& config);

}  // namespace aurora::coord
