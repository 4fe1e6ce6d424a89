// The time source of the recorder's timestamps, behind an interface so that tests
// control time.
#ifndef BATON_BASE_CLOCK_H_
#define BATON_BASE_CLOCK_H_

#include <atomic>
#include <cstdint>
#include <memory>

namespace baton {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t MonoNanos() const = 0;  // Monotonic, arbitrary origin.
  virtual int64_t WallNanos() const = 0;  // Unix time.
};

std::unique_ptr<Clock> NewSystemClock();

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t wall_start_ns = 1'700'000'000'000'000'000)
      : wall_start_(wall_start_ns) {}
  int64_t MonoNanos() const override { return mono_.load(std::memory_order_relaxed); }
  int64_t WallNanos() const override { return wall_start_ + MonoNanos(); }
  void Advance(int64_t ns) { mono_.fetch_add(ns, std::memory_order_relaxed); }

 private:
  int64_t wall_start_ = 0;
  std::atomic<int64_t> mono_{0};
};

}  // namespace baton

#endif  // BATON_BASE_CLOCK_H_
