// A recording process killed with SIGKILL: every chunk flushed before the kill is read
// back from the .incomplete file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

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

}  // namespace
}  // namespace baton
