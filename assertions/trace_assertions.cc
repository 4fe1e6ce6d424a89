#include "assertions/trace_assertions.h"

namespace baton {
namespace {

::testing::AssertionResult FailWith(const std::string& what, const std::vector<Finding>& findings) {
  ::testing::AssertionResult r = ::testing::AssertionFailure();
  r << what;
  for (const Finding& f : findings)
    r << "\n  [" << FindingKindName(f.kind) << " at " << f.to << " <- " << f.from << ", #"
      << f.at_seq << "] " << f.sentence;
  return r;
}

Analysis Run(const Trace& trace, const Policy& policy) {
  return Analyze(trace, policy, ScorerSet::Defaults());
}

class QualityMatcher : public ::testing::MatcherInterface<const Handoff&> {
 public:
  explicit QualityMatcher(double min) : min_(min) {}
  bool MatchAndExplain(const Handoff& h, ::testing::MatchResultListener* l) const override {
    if (!h.quality) {
      *l << h.message_id << " has no quality score";
      return false;
    }
    *l << h.message_id << " (" << h.from << " -> " << h.to << ") scored " << Fixed2(*h.quality)
       << " by " << h.quality_by;
    if (!h.quality_rationale.empty()) *l << ": " << h.quality_rationale;
    return *h.quality >= min_;
  }
  void DescribeTo(std::ostream* os) const override {
    *os << "is a handoff of quality at least " << Fixed2(min_);
  }
  void DescribeNegationTo(std::ostream* os) const override {
    *os << "is a handoff of quality below " << Fixed2(min_) << " (or unscored)";
  }

 private:
  double min_;
};

class UnderstoodMatcher : public ::testing::MatcherInterface<const Handoff&> {
 public:
  bool MatchAndExplain(const Handoff& h, ::testing::MatchResultListener* l) const override {
    if (!h.understood.has_value()) {
      *l << h.to << " recorded no interpretation of " << h.message_id;
      return false;
    }
    const auto* in = h.interpretation->As<MessageInterpretation>();
    *l << h.to << " understood " << h.message_id << " as \"" << in->understood_intent
       << "\"; it was sent as \"" << h.intent << "\"";
    return *h.understood;
  }
  void DescribeTo(std::ostream* os) const override {
    *os << "is a handoff its receiver understood as sent";
  }
  void DescribeNegationTo(std::ostream* os) const override {
    *os << "is a handoff its receiver misunderstood (or did not interpret)";
  }
};

class CheckedMatcher : public ::testing::MatcherInterface<const Handoff&> {
 public:
  bool MatchAndExplain(const Handoff& h, ::testing::MatchResultListener* l) const override {
    if (h.use == nullptr) {
      *l << h.message_id << " was not used downstream";
      return true;
    }
    if (!h.is_output) {
      *l << h.message_id << " is an instruction or a relay, not " << h.from << "'s output";
      return true;
    }
    if (h.checked()) {
      *l << h.to << " checked " << h.message_id << " (#" << h.check->seq << ") before using it (#"
         << h.use->seq << ")";
      return true;
    }
    *l << h.to << " used " << h.message_id << " (#" << h.use->seq
       << ") with no check or passing score";
    return false;
  }
  void DescribeTo(std::ostream* os) const override {
    *os << "is a handoff checked before use (or not used)";
  }
  void DescribeNegationTo(std::ostream* os) const override {
    *os << "is a handoff used without a check";
  }
};

class FreshMatcher : public ::testing::MatcherInterface<const ContextReadInfo&> {
 public:
  explicit FreshMatcher(std::chrono::nanoseconds d) : d_(d) {}
  bool MatchAndExplain(const ContextReadInfo& r, ::testing::MatchResultListener* l) const override {
    *l << r.read->agent << " read " << r.key << " v" << r.version;
    if (r.superseded_by == nullptr) {
      *l << ", the latest version then";
      return true;
    }
    *l << ", superseded by v" << r.superseded_by->As<ContextWrite>()->version << " "
       << Duration(r.staleness_ns) << " earlier";
    return r.staleness_ns <= d_.count();
  }
  void DescribeTo(std::ostream* os) const override {
    *os << "is a context read at most " << Duration(d_.count()) << " stale";
  }
  void DescribeNegationTo(std::ostream* os) const override {
    *os << "is a context read more than " << Duration(d_.count()) << " stale";
  }

 private:
  std::chrono::nanoseconds d_;
};

}  // namespace

::testing::AssertionResult TracePasses(const char* trace_expr, const char*, const Trace& trace,
                                       const Policy& policy) {
  if (trace.events().empty() && policy.empty_trace == EmptyTrace::kFails)
    return ::testing::AssertionFailure()
           << trace_expr
           << " has no events: nothing was recorded or replayed (a file that did not load?); "
              "set Policy::empty_trace to EmptyTrace::kPasses if an empty session is expected";
  Analysis a = Run(trace, policy);
  if (a.passed()) return ::testing::AssertionSuccess();
  Explanation ex = Explain(trace, a);
  return FailWith(std::string(trace_expr) + " fails its policy: " + ex.paragraph, a.findings);
}

::testing::AssertionResult NoStaleContext(const char* trace_expr, const char*, const Trace& trace,
                                          const Policy& policy) {
  std::vector<Finding> stale = FindStaleContext(trace, BuildReads(trace), policy);
  if (stale.empty()) return ::testing::AssertionSuccess();
  return FailWith(
      std::string(trace_expr) + " used stale context " + std::to_string(stale.size()) + " time(s):",
      stale);
}

::testing::AssertionResult LoopsAtMost(const char* trace_expr, const char*, const Trace& trace,
                                       int bound) {
  Policy p;
  p.max_loops = bound;
  std::vector<Finding> loops = FindLoops(Handoffs(trace, p), p);
  if (loops.empty()) return ::testing::AssertionSuccess();
  return FailWith(std::string(trace_expr) + " loops more than " + std::to_string(bound) + " times:",
                  loops);
}

::testing::AssertionResult EveryConsumptionChecked(const char* trace_expr, const Trace& trace) {
  Policy p;
  std::vector<Finding> unchecked = FindUncheckedConsumption(Handoffs(trace, p), p);
  if (unchecked.empty()) return ::testing::AssertionSuccess();
  return FailWith(std::string(trace_expr) + " uses outputs without a check:", unchecked);
}

::testing::AssertionResult HandoffQualityBetween(const char* trace_expr, const char*, const char*,
                                                 const char*, const Trace& trace,
                                                 const std::string& from, const std::string& to,
                                                 double min_quality) {
  ::testing::AssertionResult r = ::testing::AssertionFailure();
  r << trace_expr << ": handoffs " << from << " -> " << to << " below " << Fixed2(min_quality)
    << ":";
  bool any = false, bad = false;
  for (const Handoff& h : Handoffs(trace)) {
    if (h.from != from || h.to != to) continue;
    any = true;
    if (h.quality && *h.quality >= min_quality) continue;
    bad = true;
    r << "\n  " << h.message_id << ": "
      << (h.quality ? "scored " + Fixed2(*h.quality) + " by " + h.quality_by : "no score");
  }
  if (!any)
    return ::testing::AssertionFailure()
           << trace_expr << " has no handoff " << from << " -> " << to;
  return bad ? r : ::testing::AssertionSuccess();
}

std::vector<Handoff> Handoffs(const Trace& trace, const Policy& policy) {
  return BuildHandoffs(trace, policy, ScorerSet::Defaults());
}

std::vector<ContextReadInfo> ContextReads(const Trace& trace) { return BuildReads(trace); }

void PrintTo(const Handoff& h, std::ostream* os) {
  *os << "{" << h.message_id << ": " << h.from << " -> " << h.to << ", intent " << h.intent;
  if (h.quality) *os << ", quality " << Fixed2(*h.quality);
  if (h.use)
    *os << ", used at #" << h.use->seq
        << (!h.is_output  ? " (an instruction)"
            : h.checked() ? " (checked)"
                          : " (unchecked)");
  *os << "}";
}

void PrintTo(const ContextReadInfo& r, std::ostream* os) {
  *os << "{#" << r.read->seq << " " << r.read->agent << " read " << r.key << " v" << r.version;
  if (r.superseded_by) *os << ", " << Duration(r.staleness_ns) << " stale";
  *os << "}";
}

::testing::Matcher<const Handoff&> HandoffQualityAtLeast(double min) {
  return ::testing::MakeMatcher(new QualityMatcher(min));
}
::testing::Matcher<const Handoff&> Understood() {
  return ::testing::MakeMatcher(new UnderstoodMatcher);
}
::testing::Matcher<const Handoff&> Checked() { return ::testing::MakeMatcher(new CheckedMatcher); }
::testing::Matcher<const ContextReadInfo&> FreshWithin(std::chrono::nanoseconds d) {
  return ::testing::MakeMatcher(new FreshMatcher(d));
}

}  // namespace baton
