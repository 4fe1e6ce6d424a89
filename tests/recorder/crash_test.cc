// A recording process killed with SIGKILL: every chunk flushed before the kill is read
// back from the .incomplete file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

#include "recorder/recorder.h"
#include "replayer/log_reader.h"
#include "tests/testing/sample_events.h"

namespace baton {
namespace {

// Child: records events forever, flushing every 10, and reports each flushed seq on `fd`.
[[noreturn]] void RecordUntilKilled(const std::string& path, int fd) {
  RecorderOptions o;
  o.durability = Durability::kFlushPerChunk;
  auto rec = Recorder::Create(path, testing::SampleHeader(), o);
  if (!rec.ok()) _exit(3);
  for (uint64_t i = 0;; ++i) {
    uint64_t seq =
        (*rec)->Record("writer", MessageSend{std::to_string(i),
                                             "reviewer",
                                             "review",
                                             testing::TextOfSize(300, static_cast<int>(i % 50)),
                                             {}});
    if (i % 10 == 9) {
      if (!(*rec)->Flush().ok()) _exit(4);
      if (write(fd, &seq, sizeof seq) != sizeof seq) _exit(5);
    }
  }
}

TEST(CrashTest, KillNineKeepsEveryFlushedChunk) {
  std::string dir = ::testing::TempDir() + "/baton_crash_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::string path = dir + "/killed.baton";
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    close(fds[0]);
    RecordUntilKilled(path, fds[1]);
  }
  close(fds[1]);
  uint64_t flushed = 0, seq = 0;
  // Let it record a while: until 300 events are known flushed.
  while (flushed < 300 && read(fds[0], &seq, sizeof seq) == sizeof seq) flushed = seq;
  ASSERT_EQ(kill(pid, SIGKILL), 0);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  // Seqs reported after our last read were flushed too; read what is left in the pipe.
  while (read(fds[0], &seq, sizeof seq) == sizeof seq) flushed = seq;
  close(fds[0]);

  EXPECT_FALSE(std::filesystem::exists(path));
  Result<LogContents> log = ReadLog(path + ".incomplete");
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ(log->report.end, LogEnd::kAbnormal);
  EXPECT_THAT(log->report.ending, ::testing::HasSubstr("recording ended abnormally"));
  ASSERT_GE(log->events.size(), flushed);
  for (size_t i = 0; i < log->events.size(); ++i) {
    const Event& e = log->events[i];
    ASSERT_EQ(e.seq, i + 1);
    const auto* send = e.As<MessageSend>();
    ASSERT_NE(send, nullptr);
    EXPECT_EQ(send->message_id, std::to_string(i));
    EXPECT_EQ(send->payload.text, testing::TextOfSize(300, static_cast<int>(i % 50)));
  }
  std::filesystem::remove_all(dir);
}

// The flush interval bounds what a crash can lose at any event rate: under sustained load the
// writer is woken by data long before the interval runs out, and the open chunk must still
// reach the file every interval. Watched from outside: the .incomplete file must grow at least
// once per interval (plus scheduling slack) while events keep coming, although a chunk takes
// far longer than that to fill.
TEST(CrashTest, FlushIntervalHoldsUnderSustainedLoad) {
  std::string dir = ::testing::TempDir() + "/baton_flush_" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/loaded.baton";
  RecorderOptions o;
  o.durability = Durability::kFlushPerChunk;
  o.flush_interval = std::chrono::milliseconds(400);
  o.chunk_bytes = 8u << 20;  // ~1 s of events to fill at the rate below.
  auto rec = Recorder::Create(path, testing::SampleHeader(), o);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  std::vector<std::string> texts;
  for (int i = 0; i < 64; ++i) texts.push_back(testing::TextOfSize(1024, i));

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto stop = start + std::chrono::milliseconds(2600);
  std::atomic<bool> done{false};
  std::thread producer([&] {
    // About 8 MB/s of payload: the writer is woken every quarter chunk (~250 ms), more often
    // than the interval, so only a deadline checked on every turn keeps the bound.
    uint64_t i = 0;
    while (Clock::now() < stop) {
      for (int k = 0; k < 80; ++k, ++i)
        (*rec)->Record(
            "writer",
            MessageSend{std::to_string(i), "reviewer", "review", texts[i % texts.size()], {}});
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    done = true;
  });
  const std::string incomplete = path + ".incomplete";
  std::uintmax_t last_size = 0;
  auto last_growth = start;
  std::chrono::milliseconds longest_gap{0};
  while (!done) {
    std::error_code ec;
    std::uintmax_t size = std::filesystem::file_size(incomplete, ec);
    auto now = Clock::now();
    if (!ec && size > last_size) {
      longest_gap = std::max(
          longest_gap, std::chrono::duration_cast<std::chrono::milliseconds>(now - last_growth));
      last_size = size;
      last_growth = now;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Events kept coming until the end: the time since the last growth is a gap too.
  longest_gap =
      std::max(longest_gap,
               std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - last_growth));
  producer.join();
  ASSERT_TRUE((*rec)->Close().ok());
  EXPECT_LT(longest_gap.count(), 700) << "the open chunk went " << longest_gap.count()
                                      << " ms unwritten under load (flush interval 400 ms)";
}

}  // namespace
}  // namespace baton
