#include "base/clock.h"

#include <time.h>

namespace baton {
namespace {

int64_t Read(clockid_t id) {
  struct timespec ts {};
  clock_gettime(id, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

class SystemClock final : public Clock {
 public:
  int64_t MonoNanos() const override { return Read(CLOCK_MONOTONIC); }
  int64_t WallNanos() const override { return Read(CLOCK_REALTIME); }
};

}  // namespace

std::unique_ptr<Clock> NewSystemClock() { return std::make_unique<SystemClock>(); }

}  // namespace baton
