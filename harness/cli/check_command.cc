// `baton check FILES-OR-DIRS...`: the CI gate. One line per session (pass, or fail with the
// root cause), a summary, optional JUnit XML. Exit 0 when every session passes, 1 when any
// fails, 2 when a file is unreadable or the policy is bad.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "assertions/root_cause.h"
#include "base/file_io.h"
#include "base/markup_escape.h"
#include "harness/cli/commands.h"
#include "harness/cli/session_inputs.h"
#include "harness/report/html_report.h"

namespace baton::cli {
namespace {

struct CheckOptions {
  std::vector<std::string> inputs;
  std::string policy;
  std::string junit;
  std::string html;
  unsigned jobs = 0;
  bool quiet_passes = false;
  bool allow_incomplete = false;
};

struct SessionResult {
  std::string path;
  std::string session_id;
  bool readable = false;
  std::string error;
  bool passed = false;
  uint64_t events = 0;
  double seconds = 0;
  std::vector<Finding> findings;
  std::optional<Finding> root;
  std::string paragraph;
  std::string abnormal_end;  // How the log ended, when it did not end cleanly.
};

SessionResult CheckOne(const std::string& path, const Policy& policy, const ScorerSet& scorers,
                       bool allow_incomplete) {
  SessionResult r;
  r.path = path;
  auto t0 = std::chrono::steady_clock::now();
  auto trace = Trace::Load(path);
  if (!trace.ok()) {
    r.error = trace.status().message();
    return r;
  }
  r.readable = true;
  r.session_id = trace->header().session_id;
  if (trace->report().end != LogEnd::kClean) r.abnormal_end = trace->report().ending;
  r.events = trace->events().size();
  Analysis a = Analyze(*trace, policy, scorers);
  Explanation ex = Explain(*trace, a);
  r.passed = ex.passed;
  r.findings = a.findings;
  r.root = ex.root;
  r.paragraph = ex.paragraph;
  if (!r.abnormal_end.empty() && !allow_incomplete && r.passed) {
    // What was not read cannot be vouched for: a recording cut short passes nothing.
    r.passed = false;
    r.paragraph = "the recording did not end cleanly, so what it lacks was not checked (" +
                  r.abnormal_end + "); pass --allow-incomplete to judge what was recovered";
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

Status WriteJUnit(const std::string& path, const std::vector<SessionResult>& results,
                  double seconds) {
  size_t tests = 0, failures = 0, errors = 0;
  for (const auto& r : results) {
    tests += 1 + r.findings.size();
    failures += (r.readable && !r.passed ? 1 : 0) + r.findings.size();
    errors += r.readable ? 0 : 1;
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"baton check\" tests=\"" << tests << "\" failures=\"" << failures
      << "\" errors=\"" << errors << "\" time=\"" << seconds << "\">\n";
  out << "  <testsuite name=\"baton check\" tests=\"" << tests << "\" failures=\"" << failures
      << "\" errors=\"" << errors << "\" skipped=\"0\" time=\"" << seconds << "\">\n";
  for (const auto& r : results) {
    std::string name = EscapeMarkup(r.path);
    out << "    <testcase classname=\"baton.session\" name=\"" << name << "\" time=\"" << r.seconds
        << "\">";
    if (!r.readable) {
      out << "\n      <error message=\"" << EscapeMarkup(r.error)
          << "\" type=\"unreadable\"/>\n    ";
    } else if (!r.passed) {
      std::string type = r.root                   ? std::string(FindingKindName(r.root->kind))
                         : r.abnormal_end.empty() ? "failed_outcome"
                                                  : "incomplete";
      out << "\n      <failure message=\"" << EscapeMarkup(r.root ? r.root->sentence : r.paragraph)
          << "\" type=\"" << type << "\">" << EscapeMarkup(r.paragraph) << "</failure>\n    ";
    }
    if (!r.abnormal_end.empty())
      out << "\n      <system-err>" << EscapeMarkup(r.abnormal_end) << "</system-err>\n    ";
    out << "</testcase>\n";
    for (const Finding& f : r.findings) {
      out << "    <testcase classname=\"baton.finding." << name << "\" name=\""
          << FindingKindName(f.kind) << " " << EscapeMarkup(f.to) << " &lt;- "
          << EscapeMarkup(f.from) << " at #" << f.at_seq << "\" time=\"0\">\n";
      out << "      <failure message=\"" << EscapeMarkup(f.sentence) << "\" type=\""
          << FindingKindName(f.kind) << "\"/>\n";
      out << "    </testcase>\n";
    }
  }
  out << "  </testsuite>\n</testsuites>\n";
  std::unique_ptr<Env> env = NewPosixEnv();
  Status s = WriteStringToFile(*env, out.str(), path);
  if (!s.ok()) return Status::IOError("cannot write the JUnit report: " + s.message());
  return s;
}

int RunCheck(const CheckOptions& opts, CommandContext& ctx) {
  auto loaded = LoadPolicyOrDefaults(opts.policy);
  if (!loaded.ok()) {
    ctx.err << "baton check: " << loaded.status().message() << "\n";
    return kExitBadInput;
  }
  const Policy& policy = *loaded;
  std::vector<std::string> files;
  std::vector<std::string> notes;
  Status s = ExpandInputs(opts.inputs, files, notes);
  if (!s.ok()) {
    ctx.err << "baton check: " << s.message() << "\n";
    return kExitBadInput;
  }
  for (const std::string& note : notes) ctx.err << "baton check: " << note << "\n";
  if (files.empty()) {
    ctx.err << "baton check: no .baton files in the given paths\n";
    return kExitBadInput;
  }
  const ScorerSet scorers = ScorerSet::Defaults();
  std::vector<SessionResult> results(files.size());
  unsigned jobs = opts.jobs != 0 ? opts.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = std::min<unsigned>(jobs, files.size());
  auto t0 = std::chrono::steady_clock::now();
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (unsigned j = 0; j < jobs; ++j)
    workers.emplace_back([&] {
      for (size_t i = next++; i < files.size(); i = next++)
        results[i] = CheckOne(files[i], policy, scorers, opts.allow_incomplete);
    });
  for (auto& w : workers) w.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  size_t passed = 0, failed = 0, unreadable = 0;
  uint64_t events = 0;
  for (const SessionResult& r : results) {
    events += r.events;
    if (!r.readable) {
      ++unreadable;
      ctx.out << "ERROR " << r.path << ": " << r.error << "\n";
    } else if (r.passed) {
      ++passed;
      if (!opts.quiet_passes) ctx.out << "PASS  " << r.path << "\n";
    } else {
      ++failed;
      ctx.out << "FAIL  " << r.path << ": ";
      if (r.root) {
        ctx.out << r.root->sentence << " [" << FindingKindName(r.root->kind)
                << (r.root->from == r.root->to ? " in " + r.root->to
                                               : " at " + r.root->to + " <- " + r.root->from)
                << "]";
      } else {
        ctx.out << r.paragraph;
      }
      if (r.findings.size() > 1) ctx.out << " (+" << r.findings.size() - 1 << " more findings)";
      ctx.out << "\n";
    }
    if (r.readable && !r.abnormal_end.empty())
      ctx.out << "      note: " << r.path << " did not end cleanly: " << r.abnormal_end << "\n";
  }
  ctx.out << files.size() << " sessions: " << passed << " passed, " << failed << " failed";
  if (unreadable > 0) ctx.out << ", " << unreadable << " unreadable";
  char rate[64];
  std::snprintf(rate, sizeof rate, " (%llu events in %.2f s)\n",
                static_cast<unsigned long long>(events), seconds);
  ctx.out << rate;
  if (!opts.junit.empty()) {
    Status written = WriteJUnit(opts.junit, results, seconds);
    if (!written.ok()) {
      ctx.err << "baton check: " << written.message() << "\n";
      return kExitBadInput;
    }
  }
  if (!opts.html.empty()) {
    // The same page as `baton report` over the same files (read again, one at a time, so
    // that the check's parallel workers hold no trace longer than its analysis).
    report::ReportFiles request;
    request.files = files;
    request.out_path = opts.html;
    request.title = "baton check: " + std::to_string(files.size()) + " sessions";
    std::unique_ptr<Env> env = NewPosixEnv();
    auto written = report::WriteReportFile(*env, request, policy);
    if (!written.ok()) {
      ctx.err << "baton check: cannot write the HTML report " << opts.html << ": "
              << written.status().message() << "\n";
      return kExitBadInput;
    }
  }
  if (unreadable > 0) return kExitBadInput;
  return failed > 0 ? kExitFindings : kExitOk;
}

}  // namespace

void AddCheckCommand(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<CheckOptions>();
  CLI::App* sub = app.add_subcommand(
      "check", "The CI gate: check sessions against a policy; exit 1 if any fails");
  sub->add_option("inputs", opts->inputs, ".baton files or directories (searched recursively)")
      ->required();
  sub->add_option("--policy", opts->policy,
                  "A policy file (JSON; examples/policy.json has every key). Keys:\n"
                  "  min_quality (0.7): lowest handoff score accepted, in [0,1]\n"
                  "  min_quality_by_pair ({}): per \"from->to\" overrides\n"
                  "  max_staleness_ms (1000): how far behind the newest version a read may be\n"
                  "  max_age_ms_by_key ({}): per context key, the oldest a version may be\n"
                  "  max_loops (3): round trips allowed between two agents\n"
                  "  max_loops_by_pair ({}): per \"a<->b\" overrides\n"
                  "  require_checks (true): a consumed output needs a check or passing score\n"
                  "  require_understanding (true): the receiver's interpretation must match\n"
                  "  max_hidden_latency_ratio (3.0): wall time over reported span time\n"
                  "  scorers ([\"non_empty\",\"refusal\"]): scorers run on handoffs\n"
                  "Unknown keys and wrong types are errors (exit 2).");
  sub->add_option("--junit", opts->junit, "Also write JUnit XML to this file");
  sub->add_option("--html", opts->html,
                  "Also write the sessions' HTML report (as baton report) to this file");
  sub->add_option("-j,--jobs", opts->jobs, "Sessions checked at once (default: every core)");
  sub->add_flag("--quiet-passes", opts->quiet_passes, "Print only failing sessions");
  sub->add_flag("--allow-incomplete", opts->allow_incomplete,
                "Judge recordings that did not end cleanly on what was recovered (still marked)");
  sub->callback([opts, &ctx] { ctx.exit_code = RunCheck(*opts, ctx); });
}

}  // namespace baton::cli
