// The Recorder under concurrency: many threads recording at once, back-pressure, and the
// drop policy. Run under TSan (scripts/sanitize thread).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "base/mem_env.h"
#include "recorder/recorder.h"
#include "replayer/log_reader.h"
#include "tests/testing/sample_events.h"

namespace baton {
namespace {

// Each thread records `per_thread` events with agent "tN" and message ids counting up.
void RecordFromThreads(Recorder& rec, int threads, int per_thread, size_t payload) {
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&rec, t, per_thread, payload] {
      std::string agent = "t" + std::to_string(t);
      for (int i = 0; i < per_thread; ++i)
        rec.Record(agent,
                   MessageSend{std::to_string(i), "x", "i", testing::TextOfSize(payload, i), {}});
    });
  }
  for (auto& w : workers) w.join();
}

TEST(RecorderThreadsTest, NoEventLostOrDuplicatedAndPerThreadOrderKept) {
  MemEnv env;
  RecorderOptions o;
  o.env = &env;
  o.chunk_bytes = 16 << 10;
  o.max_buffered_bytes = 256 << 10;  // Small, so callers also wait for the writer.
  auto rec = Recorder::Create("/mt.baton", testing::SampleHeader(), o);
  ASSERT_TRUE(rec.ok());
  constexpr int kThreads = 8, kPerThread = 4000;
  RecordFromThreads(**rec, kThreads, kPerThread, 40);
  ASSERT_TRUE((*rec)->Close().ok());
  EXPECT_EQ((*rec)->stats().events_recorded, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_EQ((*rec)->stats().events_dropped, 0u);

  ReaderOptions ro;
  ro.env = &env;
  Result<LogContents> log = ReadLog("/mt.baton", ro);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  ASSERT_EQ(log->events.size(), static_cast<size_t>(kThreads * kPerThread));
  std::map<std::string, int> next;
  int64_t last_mono = 0;
  for (size_t i = 0; i < log->events.size(); ++i) {
    const Event& e = log->events[i];
    ASSERT_EQ(e.seq, i + 1);
    ASSERT_GE(e.mono_ns, last_mono);  // Time never goes backwards along seq.
    last_mono = e.mono_ns;
    const auto* send = e.As<MessageSend>();
    ASSERT_NE(send, nullptr);
    ASSERT_EQ(send->message_id, std::to_string(next[e.agent]++)) << e.agent;
  }
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(next["t" + std::to_string(t)], kPerThread);
}

// An Env whose writes wait until released: a stalled disk.
class StallingEnv final : public EnvWrapper {
 public:
  StallingEnv() : EnvWrapper(mem_) {}
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    auto inner = mem_.NewWritableFile(path);
    if (!inner.ok()) return inner.status();
    return std::unique_ptr<WritableFile>(new File(std::move(inner).value(), *this));
  }

  void Stall() {
    std::lock_guard<std::mutex> l(mu_);
    stalled_ = true;
  }
  void Release() {
    std::lock_guard<std::mutex> l(mu_);
    stalled_ = false;
    cv_.notify_all();
  }
  MemEnv& mem() { return mem_; }

 private:
  class File final : public WritableFile {
   public:
    File(std::unique_ptr<WritableFile> inner, StallingEnv& env)
        : inner_(std::move(inner)), env_(env) {}
    Status Append(std::string_view d) override {
      std::unique_lock<std::mutex> l(env_.mu_);
      env_.cv_.wait(l, [&] { return !env_.stalled_; });
      return inner_->Append(d);
    }
    Status Flush() override { return inner_->Flush(); }
    Status Sync() override { return inner_->Sync(); }
    Status Close() override { return inner_->Close(); }

   private:
    std::unique_ptr<WritableFile> inner_;
    StallingEnv& env_;
  };
  MemEnv mem_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stalled_ = false;
};

TEST(RecorderThreadsTest, DropPolicyCountsWhatItDropsInTheLog) {
  StallingEnv env;
  RecorderOptions o;
  o.env = &env;
  o.chunk_bytes = 1024;
  o.max_buffered_bytes = 8 << 10;
  o.when_full = BackpressurePolicy::kDrop;
  auto rec = Recorder::Create("/drop.baton", testing::SampleHeader(), o);
  ASSERT_TRUE(rec.ok());
  env.Stall();
  constexpr int kAttempts = 2000;
  uint64_t accepted = 0;
  for (int i = 0; i < kAttempts; ++i)
    if ((*rec)->Record("planner", MessageProcessed{std::to_string(i)}) != 0) ++accepted;
  RecorderStats stats = (*rec)->stats();
  EXPECT_GT(stats.events_dropped, 0u);
  EXPECT_EQ(accepted + stats.events_dropped, static_cast<uint64_t>(kAttempts));
  env.Release();
  ASSERT_TRUE((*rec)->Close().ok());

  ReaderOptions ro;
  ro.env = &env;
  Result<LogContents> log = ReadLog("/drop.baton", ro);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->report.events_dropped_by_recorder, stats.events_dropped);
  uint64_t processed = 0;
  for (const Event& e : log->events) processed += e.As<MessageProcessed>() != nullptr;
  EXPECT_EQ(processed, accepted);
}

TEST(RecorderThreadsTest, BlockPolicyWaitsAndLosesNothing) {
  StallingEnv env;
  RecorderOptions o;
  o.env = &env;
  o.chunk_bytes = 1024;
  o.max_buffered_bytes = 8 << 10;
  auto rec = Recorder::Create("/block.baton", testing::SampleHeader(), o);
  ASSERT_TRUE(rec.ok());
  env.Stall();
  std::atomic<int> done{0};
  std::thread producer([&] {
    for (int i = 0; i < 500; ++i) (*rec)->Record("planner", MessageProcessed{std::to_string(i)});
    done = 1;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(done.load(), 0);  // Blocked on the full buffer, not dropping.
  env.Release();
  producer.join();
  ASSERT_TRUE((*rec)->Close().ok());
  ReaderOptions ro;
  ro.env = &env;
  Result<LogContents> log = ReadLog("/block.baton", ro);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->events.size(), 500u);
  EXPECT_EQ(log->report.events_dropped_by_recorder, 0u);
}

TEST(RecorderThreadsTest, FlushFromManyThreadsWhileRecording) {
  MemEnv env;
  RecorderOptions o;
  o.env = &env;
  auto rec = Recorder::Create("/flush.baton", testing::SampleHeader(), o);
  ASSERT_TRUE(rec.ok());
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        uint64_t seq = (*rec)->Record("a", MessageProcessed{"x"});
        if (i % 50 == 0) {
          ASSERT_TRUE((*rec)->Flush().ok());
          // Everything up to this event is in the file now.
          ReaderOptions ro;
          ro.env = &env;
          Result<LogContents> log = ReadLog("/flush.baton.incomplete", ro);
          ASSERT_TRUE(log.ok());
          ASSERT_FALSE(log->events.empty());
          EXPECT_GE(log->events.back().seq, seq);
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  ASSERT_TRUE((*rec)->Close().ok());
}

// A Record() blocked on a full buffer when another thread closes the recorder is released
// and refused (seq 0, counted): it neither aborts the process nor stays blocked.
TEST(RecorderThreadsTest, CloseReleasesWritersBlockedOnAFullBuffer) {
  StallingEnv env;
  RecorderOptions o;
  o.env = &env;
  o.chunk_bytes = 1024;
  o.max_buffered_bytes = 4 << 10;
  auto rec = Recorder::Create("/blocked.baton", testing::SampleHeader(), o);
  ASSERT_TRUE(rec.ok());
  env.Stall();  // The writer thread cannot drain: the buffer fills and Record() blocks.
  std::atomic<int> refused{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t)
    writers.emplace_back([&] {
      for (int i = 0; i < 500; ++i)
        if ((*rec)->Record("planner", MessageProcessed{std::string(200, 'x')}) == 0) ++refused;
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::thread closer([&] { (*rec)->Close().IgnoreError(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  env.Release();
  for (auto& w : writers) w.join();
  closer.join();
  RecorderStats stats = (*rec)->stats();
  EXPECT_GT(refused.load(), 0);
  EXPECT_EQ(stats.events_refused_after_close, static_cast<uint64_t>(refused.load()));
  EXPECT_EQ(stats.events_recorded + stats.events_refused_after_close, 2000u);
  EXPECT_EQ((*rec)->Record("planner", MessageProcessed{"late"}), 0u);
}

}  // namespace
}  // namespace baton
