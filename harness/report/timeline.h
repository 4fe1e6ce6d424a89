// The picture of a session: one row per event in its agent's lane, message arrows between
// lanes, and the marks a person looks for (a stale read and how stale, a score under its
// threshold, a failed call, the root cause's evidence). Built once from a Trace and its
// analysis; `baton timeline` prints it for a terminal and `baton report` draws it as HTML,
// so the two views cannot disagree about what happened.
#ifndef BATON_HARNESS_REPORT_TIMELINE_H_
#define BATON_HARNESS_REPORT_TIMELINE_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "assertions/root_cause.h"

namespace baton::report {

// What a row is marked with; a row may carry several.
enum RowMark : uint32_t {
  kMarkStale = 1u << 0,          // A context read of a superseded version.
  kMarkLowQuality = 1u << 1,     // A score, or a handoff's send, under its threshold.
  kMarkError = 1u << 2,          // A failed model or tool call, or a failed outcome.
  kMarkRetry = 1u << 3,          // A retry, or an attempt after the first.
  kMarkFinding = 1u << 4,        // Where a finding shows (Finding::at_seq).
  kMarkEvidence = 1u << 5,       // Among the evidence of `baton why`'s explanation.
  kMarkRootEvidence = 1u << 6,   // Among the root finding's own evidence.
  kMarkMisunderstood = 1u << 7,  // An interpretation that does not match the intent sent.
};

// The names of the marks, as the HTML page and `timeline --json` spell them: "stale",
// "low_quality", "error", "retry", "finding", "evidence", "root".
std::vector<std::string> MarkNames(uint32_t marks);

struct TimelineRow {
  uint64_t seq = 0;
  size_t event_index = 0;  // Into trace.events().
  size_t lane = 0;         // Into Timeline::lanes.
  int64_t mono_ns = 0;
  int64_t wall_ns = 0;
  int64_t duration_ns = 0;       // A call's latency, a retry's backoff; 0 otherwise.
  std::string kind;              // KindName.
  std::string label;             // One line, without the agent: "read market_data v6".
  std::string badge;             // What the marks mean here: "stale: v7 13.2 s earlier".
  uint32_t marks = 0;            // RowMark bits.
  std::vector<size_t> findings;  // Indexes into Timeline::findings shown at this row.
};

// A message from one lane to another: send -> delivery -> processed.
struct TimelineArrow {
  std::string message_id;
  size_t from_lane = 0;
  size_t to_lane = 0;
  size_t send_row = 0;                  // Index into Timeline::rows.
  std::optional<size_t> delivery_row;   // nullopt: never delivered.
  std::optional<size_t> processed_row;  // nullopt: never processed.
  std::string intent;
  std::optional<double> quality;  // The handoff's score, when it has one.
  double threshold = 0.0;
  bool root = false;  // The boundary the root cause names.
};

struct Timeline {
  std::string session_id;
  std::string source;  // The session's "source" metadata (proxy, otlp, transcript), or "".
  int64_t start_wall_ns = 0;
  bool passed = true;
  std::string paragraph;               // `baton why`'s.
  std::vector<std::string> lanes;      // Agents in order of first appearance.
  std::vector<TimelineRow> rows;       // In seq order.
  std::vector<TimelineArrow> arrows;   // In send order.
  std::vector<Finding> findings;       // analysis.findings, in seq order.
  std::optional<size_t> root_finding;  // Index into findings.
  std::vector<uint64_t> evidence;      // The explanation's evidence seqs.

  // The row of an event, or nullopt.
  std::optional<size_t> RowOf(uint64_t seq) const;
};

Timeline BuildTimeline(const Trace& trace, const Analysis& analysis,
                       const Explanation& explanation);

enum class TimelineColor { kNone, kAnsi };

// `baton timeline`: one line per event, indented by lane, message arrows and marks shown;
// then the findings and the root cause.
void WriteTimelineText(std::ostream& out, const Timeline& timeline, TimelineColor color);

}  // namespace baton::report

#endif  // BATON_HARNESS_REPORT_TIMELINE_H_
