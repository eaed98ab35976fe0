// The columns of each dashboard view, what each shows and how it sorts
// (docs/dashboard.md lists them with their meaning and source).
#pragma once

#include <vector>

#include "dashboard/table.hpp"
#include "dashboard/view_model.hpp"

namespace aurora::dashboard {

// `node_ids` decide the NODES share column's width and the per-node memory columns, which
// only wide terminals have room for.
std::vector<Column<ProcessRow>> process_columns(const std::vector<int>& node_ids);
std::vector<Column<ThreadRow>> thread_columns();
std::vector<Column<CgroupRow>> cgroup_columns(const std::vector<int>& node_ids);
std::vector<Column<NodeRow>> node_columns();
std::vector<Column<CoordinatorRow>> coordinator_columns();

}  // namespace aurora::dashboard
