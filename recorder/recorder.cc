#include "recorder/recorder.h"

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "recorder/log_compaction.h"
#include "recorder/log_writer.h"

namespace baton {
namespace {

// A rough size of an event in memory, for the bounded buffer. Counting strings is
// enough: they dominate every event that matters for memory.
size_t ApproxBytes(const Event& e) {
  size_t bytes = sizeof(Event) + e.agent.size();
  ForEachContent(e, [&](const Content& c) { bytes += c.text.size() + sizeof(Content); });
  return bytes;
}

// Events the queue holds before its first growth.
constexpr size_t kInitialQueueCapacity = 1024;

// Whether Enqueue stamps the event with the current time.
enum class Stamp { kNow, kAsGiven };

}  // namespace

class Recorder::Impl {
 public:
  Impl(std::string path, RecorderOptions options, std::unique_ptr<Env> owned_env,
       std::unique_ptr<Clock> owned_clock)
      : path_(std::move(path)),
        options_(std::move(options)),
        owned_env_(std::move(owned_env)),
        owned_clock_(std::move(owned_clock)),
        env_(options_.env != nullptr ? options_.env : owned_env_.get()),
        clock_(options_.clock != nullptr ? options_.clock : owned_clock_.get()) {}

  ~Impl() {
    {
      // A caller that closed already got (and reported) Close()'s status: not again here.
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return;
    }
    Status s = Close();
    if (!s.ok())
      std::fprintf(stderr, "baton: closing %s: %s\n", path_.c_str(), s.ToString().c_str());
  }

  Status Start(SessionHeader header) {
    Result<Redactor> redactor = Redactor::Create(options_.redaction);
    if (!redactor.ok()) return redactor.status();
    redactor_ = std::make_unique<Redactor>(std::move(redactor).value());

    // Before anything runs: a directory here would only fail at Close, after the whole
    // session was recorded into PATH.incomplete beside it.
    if (env_->DirectoryExists(path_))
      return Status::InvalidArgument(path_ + ": is a directory; give a file name to record to");
    incomplete_path_ = path_ + std::string(format::kIncompleteSuffix);
    BATON_RETURN_IF_ERROR(PreserveLeftover());
    Result<std::unique_ptr<WritableFile>> file = env_->NewWritableFile(incomplete_path_);
    if (!file.ok()) return file.status();
    LogWriterOptions wopts;
    wopts.chunk_bytes = options_.chunk_bytes;
    wopts.blob_threshold_bytes = options_.blob_threshold_bytes;
    wopts.zstd_level = options_.zstd_level;
    wopts.durability = options_.durability;
    wopts.redactor = redactor_.get();
    writer_ = std::make_unique<LogWriter>(std::move(file).value(), incomplete_path_, wopts);

    start_mono_ = clock_->MonoNanos();
    if (header.start_wall_ns == 0) header.start_wall_ns = clock_->WallNanos();
    if (header.writer.empty()) header.writer = "baton " + std::to_string(format::kFormatVersion);
    BATON_RETURN_IF_ERROR(writer_->Begin(header));
    queue_.reserve(kInitialQueueCapacity);
    thread_ = std::thread([this] { WriterLoop(); });
    started_ = true;
    return Status::Ok();
  }

  uint64_t Enqueue(Event event, Stamp stamp) {
    size_t bytes = ApproxBytes(event);
    std::unique_lock<std::mutex> lock(mu_);
    // Recording after (or while) Close is a caller's mistake, not a bug of ours: the event is
    // refused, counted, and the caller sees seq 0, as for a dropped event.
    if (closing_ || closed_) {
      ++stats_.events_refused_after_close;
      return 0;
    }
    // Once a write failed (a full disk) nothing more can reach the file: refuse at once
    // and count, rather than queue events that would be lost without a word.
    if (!writer_error_.ok()) {
      ++stats_.events_lost_to_write_error;
      return 0;
    }
    if (buffered_bytes_ + bytes > options_.max_buffered_bytes && !queue_.empty()) {
      if (options_.when_full == BackpressurePolicy::kDrop) {
        ++dropped_since_marker_;
        ++stats_.events_dropped;
        return 0;
      }
      // Close wakes the waiters: they are refused, never left blocked or aborted.
      space_cv_.wait(lock, [&] {
        return buffered_bytes_ + bytes <= options_.max_buffered_bytes || queue_.empty() || closing_;
      });
      if (closing_) {
        ++stats_.events_refused_after_close;
        return 0;
      }
    }
    if (dropped_since_marker_ > 0) PushDropMarkerLocked();
    event.seq = next_seq_++;
    if (stamp == Stamp::kNow) {
      // Stamped under the lock so that time never goes backwards along seq.
      event.mono_ns = clock_->MonoNanos() - start_mono_;
      event.wall_ns = WallNowLocked(event.mono_ns);
    }
    uint64_t seq = event.seq;
    queue_.push_back(std::move(event));
    buffered_bytes_ += bytes;
    ++stats_.events_recorded;
    // Wake the writer at a quarter chunk, or at half the buffer when the buffer is the
    // smaller bound: otherwise a small buffer fills and callers wait for the timer.
    if (!wake_pending_ && (buffered_bytes_ >= options_.chunk_bytes / 4 ||
                           buffered_bytes_ >= options_.max_buffered_bytes / 2)) {
      wake_pending_ = true;
      work_cv_.notify_one();
    }
    return seq;
  }

  // PATH.incomplete left by an earlier recording that crashed is evidence: it is moved
  // to STEM.crashed-N.baton.incomplete (the first free N), never truncated.
  Status PreserveLeftover() {
    if (!env_->FileExists(incomplete_path_)) return Status::Ok();
    std::string stem = path_;
    std::string extension;
    if (stem.size() > 6 && stem.ends_with(".baton")) {
      stem.resize(stem.size() - 6);
      extension = ".baton";
    }
    for (int n = 1; n < 10000; ++n) {
      std::string aside = stem + ".crashed-" + std::to_string(n) + extension +
                          std::string(format::kIncompleteSuffix);
      if (env_->FileExists(aside)) continue;
      Status s = env_->RenameFile(incomplete_path_, aside);
      if (!s.ok())
        return Status::IOError(incomplete_path_ + ": left by an earlier recording; moving it to " +
                               aside + " failed: " + s.message());
      preserved_leftover_ = aside;
      return Status::Ok();
    }
    return Status::FailedPrecondition(
        incomplete_path_ + ": left by an earlier recording, and no free name to keep it");
  }

  Status status() const {
    std::lock_guard<std::mutex> lock(mu_);
    return writer_error_;
  }
  const std::string& preserved_leftover() const { return preserved_leftover_; }

  Status Flush() {
    std::unique_lock<std::mutex> lock(mu_);
    if (closed_) return final_status_;
    uint64_t target = next_seq_ - 1;
    ++flush_requests_;
    work_cv_.notify_one();
    flush_cv_.wait(lock, [&] { return flushed_through_ >= target || !writer_error_.ok(); });
    return writer_error_;
  }

  Status Close() {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (closed_) return final_status_;
      if (!started_) {
        closed_ = true;
        return final_status_;
      }
      if (closing_) {
        flush_cv_.wait(lock, [&] { return closed_; });
        return final_status_;
      }
      if (dropped_since_marker_ > 0) PushDropMarkerLocked();
      closing_ = true;
      work_cv_.notify_one();
      space_cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
    Status s = writer_error_;
    if (s.ok()) s = Publish();
    std::lock_guard<std::mutex> lock(mu_);
    final_status_ = s;
    closed_ = true;
    flush_cv_.notify_all();
    return s;
  }

  // Renames the closed PATH.incomplete to PATH, compacted when that pays. A compaction that
  // fails leaves the file as written: it is complete, only larger.
  Status Publish() {
    if (options_.compaction == CloseCompaction::kMergeSmallChunks) {
      const std::string compacted = path_ + std::string(format::kCompactingSuffix);
      CompactionOptions copts;
      copts.chunk_bytes = options_.chunk_bytes;
      copts.zstd_level = options_.zstd_level;
      copts.durability = options_.durability;
      Result<CompactionOutcome> done = CompactLog(*env_, incomplete_path_, compacted, copts);
      if (done.ok() && *done == CompactionOutcome::kCompacted &&
          env_->RenameFile(compacted, path_).ok()) {
        // PATH is complete; a leftover PATH.incomplete would only be a stale copy.
        env_->RemoveFile(incomplete_path_).IgnoreError();
        return Status::Ok();
      }
      if (env_->FileExists(compacted)) env_->RemoveFile(compacted).IgnoreError();
    }
    return env_->RenameFile(incomplete_path_, path_);
  }

  RecorderStats stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    RecorderStats s = writer_stats_;
    s.events_recorded = stats_.events_recorded;
    s.events_dropped = stats_.events_dropped;
    s.events_refused_after_close = stats_.events_refused_after_close;
    s.events_lost_to_write_error = stats_.events_lost_to_write_error;
    return s;
  }

  const std::string& path() const { return path_; }
  Clock* clock() const { return clock_; }

 private:
  // The wall clock, read at most once per kWallSampleNs of monotonic time: between reads it
  // advances with the monotonic clock. A step of the wall clock (NTP) shows within that
  // interval; a burst of events pays for one read instead of one each.
  int64_t WallNowLocked(int64_t mono_ns) {
    if (wall_sampled_at_ < 0 || mono_ns - wall_sampled_at_ >= kWallSampleNs) {
      wall_sample_ = clock_->WallNanos();
      wall_sampled_at_ = mono_ns;
      return wall_sample_;
    }
    return wall_sample_ + (mono_ns - wall_sampled_at_);
  }

  void PushDropMarkerLocked() {
    Event marker;
    marker.seq = next_seq_++;
    marker.mono_ns = clock_->MonoNanos() - start_mono_;
    marker.wall_ns = WallNowLocked(marker.mono_ns);
    marker.agent = "baton";
    marker.body = EventsDropped{dropped_since_marker_};
    dropped_since_marker_ = 0;
    queue_.push_back(std::move(marker));
  }

  void WriterLoop() {
    // The queue and the batch trade buffers each turn, so in steady state neither allocates.
    std::vector<Event> batch;
    // The open chunk reaches the file at least once per flush_interval whatever the load: the
    // deadline is checked on every turn, not only when a wait times out (under steady load
    // the writer is always woken early, and a timeout-only flush would never run).
    using Steady = std::chrono::steady_clock;
    Steady::time_point flush_deadline = Steady::now() + options_.flush_interval;
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      work_cv_.wait_until(lock, flush_deadline, [&] {
        return closing_ || flush_requests_ > flushes_done_ || wake_pending_;
      });
      bool closing = closing_;
      uint64_t flush_goal = flush_requests_;
      const Steady::time_point now = Steady::now();
      bool flush = flush_goal > flushes_done_ || now >= flush_deadline;
      if (flush) flush_deadline = now + options_.flush_interval;
      wake_pending_ = false;
      batch.swap(queue_);
      if (queue_.capacity() == 0) queue_.reserve(kInitialQueueCapacity);
      buffered_bytes_ = 0;
      space_cv_.notify_all();
      lock.unlock();

      Status s = writer_error_snapshot_;
      for (const Event& e : batch) {
        if (!s.ok()) break;
        s = writer_->Add(e);
      }
      batch.clear();
      if (s.ok() && closing)
        s = writer_->Finish(stats_dropped_snapshot());
      else if (s.ok() && flush)
        s = writer_->Flush();
      writer_error_snapshot_ = s;

      lock.lock();
      writer_stats_ = writer_->stats();
      if (!s.ok()) writer_error_ = s;
      if (flush || closing) {
        flushed_through_ = writer_->last_written_seq();
        flushes_done_ = flush_goal;
        flush_cv_.notify_all();
      }
      // After a write error the queue is discarded at the next turn so that callers
      // waiting for space are released; Flush and Close report the error.
      if (closing && queue_.empty()) return;
    }
  }

  uint64_t stats_dropped_snapshot() {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_.events_dropped;
  }

  const std::string path_;
  RecorderOptions options_;
  std::unique_ptr<Env> owned_env_;
  std::unique_ptr<Clock> owned_clock_;
  Env* env_ = nullptr;      // options_.env or owned_env_.
  Clock* clock_ = nullptr;  // options_.clock or owned_clock_.
  std::string incomplete_path_;
  std::string preserved_leftover_;  // Where a crashed recording's file was moved, or "".
  std::unique_ptr<Redactor> redactor_;
  std::unique_ptr<LogWriter> writer_;  // Used by the writer thread only, after Start().
  int64_t start_mono_ = 0;
  static constexpr int64_t kWallSampleNs = 1'000'000;  // 1 ms.
  int64_t wall_sample_ = 0;                            // Under mu_: the last wall clock reading...
  int64_t wall_sampled_at_ = -1;  // ...and the monotonic time it was taken (-1: none yet).
  std::thread thread_;
  Status writer_error_snapshot_;  // Writer thread only.

  mutable std::mutex mu_;
  std::condition_variable work_cv_;   // Wakes the writer.
  std::condition_variable space_cv_;  // Wakes callers waiting for buffer space.
  std::condition_variable flush_cv_;  // Wakes Flush() and Close() callers.
  std::vector<Event> queue_;          // Not a deque: an Event is ~430 bytes, one deque node each.
  size_t buffered_bytes_ = 0;
  uint64_t next_seq_ = 1;
  uint64_t dropped_since_marker_ = 0;
  bool wake_pending_ = false;
  uint64_t flush_requests_ = 0;
  uint64_t flushes_done_ = 0;
  uint64_t flushed_through_ = 0;
  bool started_ = false;  // The writer thread runs.
  bool closing_ = false;
  bool closed_ = false;
  Status writer_error_;
  Status final_status_;
  RecorderStats stats_;         // events_recorded and events_dropped.
  RecorderStats writer_stats_;  // Copied from the writer after each turn.
};

Result<std::unique_ptr<Recorder>> Recorder::Create(const std::string& path, SessionHeader header,
                                                   RecorderOptions options) {
  if (options.chunk_bytes == 0 || options.chunk_bytes > format::kMaxChunkRawBytes / 2)
    return Status::InvalidArgument("chunk_bytes must be in (0, " +
                                   std::to_string(format::kMaxChunkRawBytes / 2) + "]");
  if (options.max_buffered_bytes == 0)
    return Status::InvalidArgument("max_buffered_bytes must be positive");
  if (options.zstd_level < 1 || options.zstd_level > 19)
    return Status::InvalidArgument("zstd_level must be in [1, 19]");
  std::unique_ptr<Env> env = options.env == nullptr ? NewPosixEnv() : nullptr;
  std::unique_ptr<Clock> clock = options.clock == nullptr ? NewSystemClock() : nullptr;
  auto impl = std::make_unique<Impl>(path, std::move(options), std::move(env), std::move(clock));
  BATON_RETURN_IF_ERROR(impl->Start(std::move(header)));
  return std::unique_ptr<Recorder>(new Recorder(std::move(impl)));
}

Recorder::Recorder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Recorder::~Recorder() = default;

uint64_t Recorder::Record(std::string_view agent, EventBody body, uint64_t cause) {
  Event e;
  e.agent.assign(agent);
  e.cause = cause;
  e.body = std::move(body);
  return impl_->Enqueue(std::move(e), Stamp::kNow);
}

uint64_t Recorder::RecordWithTimes(Event event) {
  return impl_->Enqueue(std::move(event), Stamp::kAsGiven);
}

Status Recorder::Flush() { return impl_->Flush(); }
Status Recorder::Close() { return impl_->Close(); }
RecorderStats Recorder::stats() const { return impl_->stats(); }
Status Recorder::status() const { return impl_->status(); }
const std::string& Recorder::preserved_leftover() const { return impl_->preserved_leftover(); }
const std::string& Recorder::path() const { return impl_->path(); }

}  // namespace baton
