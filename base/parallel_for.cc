#include "base/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>
#include <vector>

namespace baton {

void ParallelFor(size_t count, unsigned workers,
                 const std::function<ParallelStep(size_t index)>& body) {
  if (count == 0) return;
  if (workers == 0) workers = std::max(1u, std::thread::hardware_concurrency());
  std::atomic<size_t> next{0};
  std::atomic<bool> stopped{false};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < count && !stopped.load(); i = next.fetch_add(1))
      if (body(i) == ParallelStep::kStop) stopped.store(true);
  };
  std::vector<std::thread> helpers;
  const size_t wanted = std::min<size_t>(workers, count) - 1;
  for (size_t t = 0; t < wanted; ++t) {
    try {
      helpers.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // No more threads to be had: the ones running take every index.
    }
  }
  work();
  for (std::thread& t : helpers) t.join();
}

}  // namespace baton
