// Runs a loop's iterations on several threads: the caller's and up to `workers - 1` more.
//
// For work that is independent per item and coarse (a session to map and write), where the
// cores of the machine should all be busy but the order of results must not depend on which
// thread finishes first: each index is run exactly once, its result kept at its index.
#ifndef BATON_BASE_PARALLEL_FOR_H_
#define BATON_BASE_PARALLEL_FOR_H_

#include <cstddef>
#include <functional>

namespace baton {

enum class ParallelStep { kContinue, kStop };

// Calls body(i) for i in [0, count), each index once, on up to `workers` threads (0: one
// per core) of which the calling thread is one; returns when every call has returned.
// Indices are handed out in increasing order. When a call returns kStop, indices not yet
// handed out are not run (calls already running finish). Threads that cannot be started
// (a process limit) are done without: fewer threads run every index. `body` must be safe to
// call at once for different indices.
void ParallelFor(size_t count, unsigned workers,
                 const std::function<ParallelStep(size_t index)>& body);

}  // namespace baton

#endif  // BATON_BASE_PARALLEL_FOR_H_
