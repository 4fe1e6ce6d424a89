// What every libFuzzer target that reads spans asks of the sessions built from them: events
// numbered 1..N, causes pointing only backwards. Aborts (the fuzzer's crash) otherwise.
#ifndef BATON_FUZZ_SPAN_SESSIONS_CHECK_H_
#define BATON_FUZZ_SPAN_SESSIONS_CHECK_H_

#include <cstdlib>
#include <utility>
#include <vector>

#include "harness/otel/span_import.h"

inline void CheckSessionsFromSpans(std::vector<baton::otel::Span> spans) {
  for (const auto& s :
       baton::otel::SessionsFromSpans(std::move(spans), baton::otel::GroupBy::kAuto))
    for (size_t i = 0; i < s.events.size(); ++i) {
      if (s.events[i].seq != i + 1) std::abort();
      if (s.events[i].cause >= s.events[i].seq) std::abort();
    }
}

#endif  // BATON_FUZZ_SPAN_SESSIONS_CHECK_H_
