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
      if (run.run_type != Run::RT_Iteration) continue;  // Not mean/median aggregates.
      seconds_[run.benchmark_name()] =
          run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
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

 private:
  std::map<std::string, double> seconds_;
};

}  // namespace baton::bench

#endif  // BATON_BENCH_REAL_TIME_REPORTER_H_
