// The action journal: append + fsync, reading back with a torn last line, and which actions
// revert still has to undo.
#include "aurora/coordinator/journal.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace aurora::coord {
namespace {

namespace fs = std::filesystem;

fs::path fresh(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("aurora-journal-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(dir);
  return dir / "sub" / "journal.jsonl";
}

TEST(Journal, AppendsReadsAndTellsWhatIsPending) {
  const fs::path path = fresh("pending");
  auto journal = Journal::open(path.string());
  ASSERT_TRUE(journal) << journal.error().message;
  const std::string a = journal->next_id(), b = journal->next_id(), c = journal->next_id(), d = journal->next_id();
  EXPECT_NE(a, b);
  ASSERT_TRUE(journal->append({{"id", a}, {"phase", "intent"}, {"kind", "affinity"}, {"pid", 10}}));
  ASSERT_TRUE(journal->append({{"id", a}, {"phase", "done"}}));
  ASSERT_TRUE(journal->append({{"id", b}, {"phase", "intent"}, {"kind", "affinity"}, {"pid", 11}}));
  ASSERT_TRUE(journal->append({{"id", b}, {"phase", "failed"}}));  // nothing applied
  ASSERT_TRUE(journal->append({{"id", c}, {"phase", "intent"}, {"kind", "memory"}, {"pid", 10}}));  // killed mid-action
  ASSERT_TRUE(journal->append({{"id", d}, {"phase", "intent"}, {"kind", "affinity"}, {"pid", 12}}));
  ASSERT_TRUE(journal->append({{"id", d}, {"phase", "reverted"}}));
  { std::ofstream(path, std::ios::app) << "{\"id\":\"torn"; }
  auto records = Journal::read(path.string());
  ASSERT_TRUE(records) << records.error().message;
  EXPECT_EQ(records->size(), 7u);
  const auto all = pending_actions(*records, 0);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["id"], c);  // newest first
  EXPECT_EQ(all[1]["id"], a);
  EXPECT_EQ(pending_actions(*records, 12).size(), 0u);
  EXPECT_EQ(pending_actions(*records, 10).size(), 2u);
}

// A migration's "done" record says where each moved page was; revert reads it with the intent.
TEST(Journal, WhatAMigrationRecordedAsItRanRefinesItsUndo) {
  const nlohmann::json intent = {{"id", "m"}, {"phase", "intent"}, {"kind", "memory"}, {"pid", 10},
                                 {"undo", {{"from_nodes", {0, 2, 3}}}}};
  const nlohmann::json done = {{"id", "m"}, {"phase", "done"}, {"undo", {{"pages", {{4096, 2, 0}, {12288, 1, 2}}}}}};
  const auto pending = pending_actions({intent, done}, 0);
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0]["undo"]["pages"], done["undo"]["pages"]);
  EXPECT_EQ(pending[0]["undo"]["from_nodes"], intent["undo"]["from_nodes"]);
  // Killed mid-migration: only the intent's undo is known.
  EXPECT_FALSE(pending_actions({intent}, 0)[0]["undo"].contains("pages"));
}

TEST(Journal, MalformedLineInTheMiddleIsBadInputWithItsLine) {
  const fs::path path = fresh("bad");
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "{\"id\":\"a\",\"phase\":\"intent\"}\nnot json\n{\"id\":\"b\",\"phase\":\"intent\"}\n";
  auto records = Journal::read(path.string());
  ASSERT_FALSE(records);
  EXPECT_EQ(records.error().kind, ErrorKind::kBadInput);
  EXPECT_NE(records.error().message.find(":2:"), std::string::npos) << records.error().message;
  EXPECT_FALSE(Journal::read((path.parent_path() / "missing").string()));
}

}  // namespace
}  // namespace aurora::coord
