// The console reporter, also keeping each benchmark's adjusted real time, so that a bench
// can print its `figure` lines from the runs Google Benchmark just made.
#ifndef BATON_BENCH_REAL_TIME_REPORTER_H_
#define BATON_BENCH_REAL_TIME_REPORTER_H_

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

namespace baton::bench {

class RealTimeReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      // A benchmark run with repetitions is kept as its median (reported after the
      // repetitions themselves); otherwise as its one run. Not the other aggregates.
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.run_type != Run::RT_Iteration && !median) continue;
      seconds_[median ? run.run_name.str() : run.benchmark_name()] =
          run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
      if (median) continue;  // Its counters are the repetitions'.
      for (const auto& [counter, value] : run.counters)
        counters_[run.benchmark_name() + "\n" + counter] = value.value;
    }
  }

  // Real time per iteration, in seconds, of the last benchmark whose name starts with
  // `prefix` and contains `part` (0 when none ran).
  double Seconds(const std::string& prefix, const std::string& part = "") const {
    double s = 0;
    for (const auto& [name, seconds] : seconds_)
      if (name.rfind(prefix, 0) == 0 && name.find(part) != std::string::npos) s = seconds;
    return s;
  }

  // A user counter of the last benchmark whose name starts with `prefix` (0 when none).
  double Counter(const std::string& prefix, const std::string& counter) const {
    double v = 0;
    for (const auto& [key, value] : counters_) {
      size_t cut = key.find('\n');
      if (key.rfind(prefix, 0) == 0 && key.substr(cut + 1) == counter) v = value;
    }
    return v;
  }

 private:
  std::map<std::string, double> seconds_;
  std::map<std::string, double> counters_;
};

}  // namespace baton::bench

#endif  // BATON_BENCH_REAL_TIME_REPORTER_H_
