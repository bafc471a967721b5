// The daemon's table of running and recent pulls.
#include <gtest/gtest.h>

#include "hub/pull_registry.h"

namespace hfd::hub {
namespace {

TEST(PullRegistryTest, TracksRunningThenFinishedPulls) {
  PullRegistry pulls(2);
  EXPECT_FALSE(pulls.AnyRunning());
  const auto a = pulls.Start("org/a", true);
  const auto b = pulls.Start("org/b@v1", false);
  EXPECT_NE(a.id, b.id);
  EXPECT_TRUE(pulls.AnyRunning());
  PullProgress progress;
  progress.phase = PullProgress::Phase::kDownloading;
  progress.bytes = 10;
  progress.total = 40;
  pulls.Update(a.id, progress);
  pulls.SetAttached(b.id, 2, true);

  auto snapshot = pulls.Snapshot();
  ASSERT_EQ(snapshot.size(), 2u);
  EXPECT_EQ(snapshot[0].model, "org/a");
  EXPECT_TRUE(snapshot[0].detached);
  EXPECT_EQ(snapshot[0].progress.bytes, 10u);
  EXPECT_EQ(snapshot[0].state, PullRecord::State::kRunning);
  EXPECT_TRUE(snapshot[1].detached);
  EXPECT_EQ(snapshot[1].clients, 2u);

  pulls.Finish(a.id, Unavailable("Hub down"));
  pulls.Finish(b.id, Status::Ok());
  EXPECT_FALSE(pulls.AnyRunning());
  snapshot = pulls.Snapshot();
  ASSERT_EQ(snapshot.size(), 2u);
  EXPECT_EQ(snapshot[0].model, "org/b@v1");  // newest first
  EXPECT_EQ(snapshot[0].state, PullRecord::State::kDone);
  EXPECT_EQ(snapshot[1].state, PullRecord::State::kFailed);
  EXPECT_EQ(snapshot[1].error.message(), "Hub down");
  EXPECT_EQ(std::string(PullStateName(snapshot[1].state)), "failed");

  pulls.Finish(pulls.Start("org/c", false).id, Status::Ok());
  snapshot = pulls.Snapshot();
  ASSERT_EQ(snapshot.size(), 2u);  // only the 2 most recent are kept
  EXPECT_EQ(snapshot[0].model, "org/c");
  EXPECT_EQ(snapshot[1].model, "org/b@v1");
}

TEST(PullRegistryTest, CancelAllStopsOnlyRunningPulls) {
  PullRegistry pulls;
  const auto done = pulls.Start("org/done", true);
  pulls.Finish(done.id, Status::Ok());
  const auto running = pulls.Start("org/running", true);
  pulls.CancelAll();
  EXPECT_TRUE(running.cancel->load());
  EXPECT_FALSE(done.cancel->load());
  pulls.Update(done.id, PullProgress{});  // a finished id is ignored
  EXPECT_EQ(pulls.Snapshot().size(), 2u);
}

}  // namespace
}  // namespace hfd::hub
