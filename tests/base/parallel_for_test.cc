// ParallelFor: every index runs once, on several threads, and kStop ends the handing out.
#include "base/parallel_for.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace baton {
namespace {

TEST(ParallelForTest, RunsEveryIndexOnceWhateverTheWorkers) {
  for (unsigned workers : {0u, 1u, 2u, 7u, 64u}) {
    SCOPED_TRACE(workers);
    constexpr size_t kCount = 1000;
    std::vector<std::atomic<int>> runs(kCount);
    ParallelFor(kCount, workers, [&](size_t i) {
      runs[i].fetch_add(1);
      return ParallelStep::kContinue;
    });
    for (size_t i = 0; i < kCount; ++i) EXPECT_EQ(runs[i].load(), 1) << "index " << i;
  }
}

TEST(ParallelForTest, NothingToDoRunsNothing) {
  bool ran = false;
  ParallelFor(0, 4, [&](size_t) {
    ran = true;
    return ParallelStep::kContinue;
  });
  EXPECT_FALSE(ran);
}

// The calls overlap: with two workers, each of two calls sees the other begin before it
// ends (each waits, up to a bound, for both to have begun), on two threads.
TEST(ParallelForTest, CallsRunOnMoreThanOneThread) {
  std::atomic<int> begun{0};
  std::atomic<int> saw_both{0};
  std::mutex mu;
  std::set<std::thread::id> threads;
  ParallelFor(2, 2, [&](size_t) {
    {
      std::lock_guard<std::mutex> lock(mu);
      threads.insert(std::this_thread::get_id());
    }
    begun.fetch_add(1);
    for (int spin = 0; spin < 5000 && begun.load() < 2; ++spin)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (begun.load() == 2) saw_both.fetch_add(1);
    return ParallelStep::kContinue;
  });
  EXPECT_EQ(threads.size(), 2u);
  EXPECT_EQ(saw_both.load(), 2);
}

// After a call returns kStop no new index is begun: with one worker, the indices after it
// never run; with several, only the calls already running finish.
TEST(ParallelForTest, StopEndsTheHandingOut) {
  std::vector<std::atomic<int>> runs(100);
  ParallelFor(100, 1, [&](size_t i) {
    runs[i].fetch_add(1);
    return i == 10 ? ParallelStep::kStop : ParallelStep::kContinue;
  });
  for (size_t i = 0; i <= 10; ++i) EXPECT_EQ(runs[i].load(), 1) << i;
  for (size_t i = 11; i < 100; ++i) EXPECT_EQ(runs[i].load(), 0) << i;

  std::atomic<int> total{0};
  ParallelFor(10000, 4, [&](size_t i) {
    total.fetch_add(1);
    return i == 0 ? ParallelStep::kStop : ParallelStep::kContinue;
  });
  EXPECT_LT(total.load(), 10000);
  EXPECT_GE(total.load(), 1);
}

}  // namespace
}  // namespace baton
