// Running a program against a recording: what `baton replay`, `baton fork` and chaos runs
// share. The model-API proxy serves programs in any language from the recording, and a
// program on baton's runtime serves itself through the BATON_* variables; either way the
// replay's report and the replayed session come back.
#ifndef BATON_HARNESS_CLI_PROGRAM_REPLAY_H_
#define BATON_HARNESS_CLI_PROGRAM_REPLAY_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "assertions/policy.h"
#include "assertions/root_cause.h"
#include "harness/cli/proxy_options.h"
#include "replayer/replay_session.h"
#include "replayer/trace.h"

namespace baton::cli {

enum class ReplayedSession {
  kOnlyIfLive,  // Through the proxy, a session is written when calls went live (replay).
  kAlways,      // The whole replayed session is written (fork, chaos).
};

struct ProgramReplay {
  std::string recording_path;
  const Trace* recording = nullptr;  // Borrowed: the loaded recording.
  std::vector<std::string> program;
  ReplayOptions options;  // Mode, divergence policy, normalizers, overrides.
  ProxyCliOptions proxy;
  std::string out;                 // Where the replayed session goes.
  std::vector<KeyValue> metadata;  // Added to the replayed session's header.
  ReplayedSession session = ReplayedSession::kOnlyIfLive;
  std::string scratch_dir;     // Private; holds the report and the overrides file.
  std::string program_stderr;  // "": the program's standard error is baton's; else this file.
};

struct ProgramReplayResult {
  int exit_status = 0;     // The program's.
  bool via_proxy = false;  // It talked to the proxy (not a runtime program).
  bool reported = false;   // A replay report came back (false: no runtime, no proxy).
  ReplayReport report;
  std::vector<std::string> divergence_texts;  // As whoever replayed rendered them.
  uint64_t proxy_misses = 0;
  bool session_written = false;  // `out` holds the replayed session.
};

// Fills `options.normalizers` with what replaying this recording needs (transport-only
// fields; for a session imported from spans, the fields spans do not carry; for Azure calls
// recorded without their model, the model); `notes` says why where a user should know.
void PrepareReplayOptions(const Trace& recording, ReplayOptions& options,
                          std::vector<std::string>& notes);

// What a fork, a chaos run and a counterfactual repair start from: the recording (what
// reading it noted is said on `err`) and the policy that judges the runs.
struct RecordingAndPolicy {
  Trace recording;
  Policy policy;
};
Result<RecordingAndPolicy> LoadRecordingAndPolicy(const std::string& file,
                                                  const std::string& policy_path,
                                                  std::ostream& err);

// What a fork or a chaos run came to, beside what the recording came to.
struct SessionVerdict {
  bool passed = true;            // baton check's verdict.
  std::string outcome = "none";  // The last outcome's VerdictName, or "none".
  size_t findings = 0;
  std::optional<Finding> root;
  std::string root_sentence;  // "Root cause: ..." of baton why's paragraph (or all of it).
};
SessionVerdict JudgeSession(const Trace& trace, const Policy& policy);
// "FAIL (outcome failure, 4 finding(s); root cause stale_context at researcher <- planner)".
std::string DescribeVerdict(const SessionVerdict& verdict);
// The exit status that counts as the program failing. A run changed on purpose (a fork, a
// chaos run, a counterfactual repair) departs from its recording, and a program on the
// runtime exits non-zero when its replay diverged: that alone is no failure once the run
// reached its outcome (`replay_unmatched`: the replay report did not match). 0 when it
// does not count.
int FailingExitStatus(const SessionVerdict& verdict, int exit_status, bool replay_unmatched);

// Runs the program. Errors are bad input (an unusable recording or overrides, a proxy that
// cannot start, a program that cannot be run); a program that fails is a result.
Result<ProgramReplayResult> RunProgramAgainstRecording(const ProgramReplay& run);

}  // namespace baton::cli

#endif  // BATON_HARNESS_CLI_PROGRAM_REPLAY_H_
