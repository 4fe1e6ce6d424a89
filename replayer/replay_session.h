// ReplaySession: serves a recorded session back to the same agent code, deterministically.
//
// The code under test asks the session instead of the world: model responses, tool results,
// clock reads, random draws and environment reads come from the recording, matched per
// agent and in order against the recorded request (normalized, see request_normalizer.h);
// message deliveries and context reads are held to the recorded order and versions, so a
// concurrent session replays the same way every time. The first live request that differs
// from the recording is a Divergence, with a field-level diff and the events that led there.
//
//   auto session = ReplaySession::Open("incident.baton", {});
//   auto served = (*session)->Serve(live_model_call_event);  // the recorded ModelCall
//
// Thread-safe: agents on several threads share one session.
#ifndef BATON_REPLAYER_REPLAY_SESSION_H_
#define BATON_REPLAYER_REPLAY_SESSION_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/json_writer.h"
#include "base/status.h"
#include "recorder/event.h"
#include "recorder/redactor.h"
#include "replayer/replay_overrides.h"
#include "replayer/request_normalizer.h"
#include "replayer/text_diff.h"
#include "replayer/trace.h"

namespace baton {

// How calls reach the world, as in VCR.
enum class ReplayMode {
  kReplay,          // Strict: every call is served from the recording; no match is a divergence.
  kReplayOrRecord,  // Matching calls are served; the others go to the live client and are
                    // recorded into the new log.
  kRecord,          // Everything live, everything recorded.
  kPassthrough,     // Everything live, nothing recorded.
};
std::string_view ReplayModeName(ReplayMode mode);  // "replay", "replay-or-record", ...
std::optional<ReplayMode> ReplayModeFromName(std::string_view name);

enum class OnDivergence {
  kStop,      // The first divergence fails that call and every later one.
  kContinue,  // Divergences are listed; the recorded answer is served anyway where one exists.
};

struct ReplayOptions {
  ReplayMode mode = ReplayMode::kReplay;  // kReplay or kReplayOrRecord.
  OnDivergence on_divergence = OnDivergence::kStop;
  Normalizers normalizers;
  // The redaction the recording was made with: live requests pass through it before they
  // are matched, so a secret in a prompt (recorded as its pseudonym) still matches.
  RedactionOptions redaction;
  // How long an agent waits for its recorded turn (a delivery, a context version) before
  // the wait is reported as a divergence: the live run never got there.
  std::chrono::milliseconds wait_timeout{10'000};
  // Answers replaced and failures injected (baton fork, chaos): see replay_overrides.h.
  ReplayOverrides overrides;
};

struct Divergence {
  uint64_t recorded_seq = 0;  // The recorded event the live run departed from; 0 if none.
  std::string agent;
  EventKind kind = EventKind::kModelCall;  // Of the call or step that departed.
  std::string summary;                     // One sentence.
  std::vector<FieldDifference> fields;
  std::vector<std::string> chain;  // DescribeEvent of the recorded events leading there.

  // The summary, the field diff and the chain, for a terminal.
  std::string Render() const;
  // Its fields as JSON keys (recorded_seq, agent, kind, summary, fields, chain), written
  // into an object the caller opened: the replay report and the HTML report share them.
  void WriteJsonFields(JsonWriter& w) const;
};

struct ReplayReport {
  // No divergence, and every recorded call was reached (replay), or replaced by live calls
  // (replay-or-record).
  bool matched = false;
  std::vector<Divergence> divergences;
  uint64_t served = 0;
  uint64_t served_live = 0;            // kReplayOrRecord: calls not in the recording.
  std::vector<std::string> unreached;  // Recorded calls the live run never made.
  std::vector<uint64_t> patched;       // Recorded calls answered with their patch.
  std::vector<std::string> faults;     // Failures injected, described.
  // Messages the replay delivered ahead of the recorded order ("writer received
  // researcher->writer#1 before planner->writer#1"), when the overrides reorder deliveries.
  std::vector<std::string> reordered;

  std::string Render() const;
  std::string ToJson() const;
};

class ReplaySession {
 public:
  static Result<std::unique_ptr<ReplaySession>> Open(const std::string& path,
                                                     ReplayOptions options);
  static Result<std::unique_ptr<ReplaySession>> FromTrace(Trace trace, ReplayOptions options);
  ~ReplaySession();

  // Serves a model call, tool call, clock read, random draw or environment read. `live`
  // holds the agent and the request (its response fields are ignored). Returns the recorded
  // answer (the recorded event with its texts loaded and its request left out; owned by
  // the session), or nullptr in kReplayOrRecord when the recording has no matching call
  // (the caller asks the live client). A mismatch in kReplay is a divergence:
  // Status::Diverged with OnDivergence::kStop.
  Result<const Event*> Serve(const Event& live);

  // The recorded agent whose next unserved call of live's kind matches live's request, for a
  // live agent the recording does not name (a proxied program's agents are named from its
  // traffic; a session imported from spans names them as its spans did). nullopt when none.
  std::optional<std::string> RecordedAgentFor(const Event& live);

  // Blocks until it is `agent`'s turn, in the recorded delivery order, to receive its next
  // message, and returns that message's id. NotFound when the turn does not come within
  // `timeout` (an agent polling its mailbox; not a divergence by itself) or the recording
  // has no more deliveries for the agent. Call DeliveryDone after taking the message.
  Result<std::string> AwaitDeliveryTurn(const std::string& agent,
                                        std::chrono::milliseconds timeout);
  // The recorded delivery the replay waits for next, described; empty when all are done.
  std::string PendingDelivery() const;
  void DeliveryDone(const std::string& agent);

  // The version of `key` the agent's next recorded read used (the store makes that version
  // the answer, whatever the threads' timing). Not an error when the recording has no such
  // read in tolerant modes: returns 0 = "the latest".
  Result<uint64_t> ExpectedReadVersion(const std::string& agent, const std::string& key);

  // Reports a divergence found by the caller (e.g. a message whose payload differs).
  Status ReportDivergence(Divergence divergence);

  // Wakes every waiter with an error: the program is shutting down.
  void Abort(const std::string& why);

  ReplayReport Report() const;
  const Trace& trace() const { return trace_; }
  const ReplayOptions& options() const { return options_; }

 private:
  ReplaySession(Trace trace, ReplayOptions options, RequestNormalizer normalizer,
                Redactor redactor);
  // `live` as the recorder would have written it: redacted. Returns `live` itself when
  // nothing in it is a secret (the common case: no copy), else `scratch`, filled.
  const Event& Redacted(const Event& live, Event& scratch) const;
  // Queues of recorded events by agent and category, consumed in order.
  struct Queue {
    std::vector<const Event*> events;
    // Beside each event, its answer in answers_ (whose nodes never move): serving a call
    // looks nothing up in a map of the whole session.
    std::vector<const Event*> answers;
    size_t next = 0;
  };
  // Hashes the contents that each recorded model request adds to its agent's history, while
  // the session is built: matching a call then reads only the live side's new messages.
  void HashLoadedRequestContents();
  Status DivergeLocked(Divergence d);
  Divergence MakeDivergence(const Event* recorded, const std::string& agent, EventKind kind,
                            std::string summary) const;
  Event AnswerOf(const Event& recorded) const;
  // Under mu_ (they use the blob hash cache).
  bool RequestsMatch(const Event& recorded, const Event& live);
  uint64_t RequestHash(const Event& e);
  uint64_t BlobHash(const Content& c);
  size_t BlobSize(const Content& c);
  std::vector<EventField> NormalizedRequest(const Event& e) const;

  const Trace trace_;
  const ReplayOptions options_;
  const RequestNormalizer normalizer_;
  const Redactor redactor_;

  std::unordered_map<uint64_t, Event> answers_;  // By recorded seq; built once, read-only.
  // The patched answers, by recorded seq (answers_ keeps the recorded ones for the report).
  std::unordered_map<uint64_t, Event> patched_answers_;
  // Patched context reads: the version served, by recorded seq.
  std::unordered_map<uint64_t, uint64_t> patched_reads_;
  std::vector<std::string> reordered_;  // The delivery order's changes, described.
  // Faults by queue (agent and call kind) and call ordinal, with their answers; built once.
  struct PendingFault {
    ReplayFault fault;
    Event answer;
    bool fired = false;
  };
  std::map<std::pair<std::string, uint32_t>, PendingFault> faults_;

  mutable std::mutex mu_;
  // XXH3-64 of each blob by ordinal, filled as blobs are first hashed. kUnhashed marks the
  // rest (a real hash equal to it only costs a recomputation).
  static constexpr uint64_t kUnhashed = 0;
  static constexpr uint64_t kUnreadable = ~uint64_t{0};
  std::vector<uint64_t> blob_hashes_;
  std::vector<size_t> blob_sizes_;  // Beside the hashes: equal hashes of unequal sizes differ.
  // Per agent, the messages of the last model request that matched (a: recorded, b: live).
  std::unordered_map<std::string, MatchedMessages> matched_messages_;
  std::condition_variable turn_cv_;
  std::unordered_map<std::string, Queue> served_;  // key: agent + '\0' + category
  std::unordered_map<std::string, Queue> reads_;   // context reads per agent
  std::vector<const Event*> deliveries_;           // recorded order, all agents
  std::unordered_map<std::string, std::vector<size_t>> deliveries_of_;  // per agent
  std::unordered_map<std::string, size_t> next_delivery_of_;
  size_t delivery_cursor_ = 0;
  std::vector<Divergence> divergences_;
  bool stopped_ = false;
  std::string stop_reason_;
  uint64_t served_count_ = 0;
  uint64_t served_live_ = 0;
  std::vector<uint64_t> patched_served_;
  std::vector<std::string> faults_fired_;
  bool live_after_patch_ = false;  // AfterPatch::kLive, once a patch was served.
};

}  // namespace baton

#endif  // BATON_REPLAYER_REPLAY_SESSION_H_
