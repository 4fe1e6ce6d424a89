// `baton report`: sessions as one self-contained HTML page (no network; script, styles and
// data inline), opened from disk or a CI artifact store.
//
// One session gives its page: a swimlane per agent, message arrows, calls, context
// versions, findings and the root cause's evidence (timeline.h). Several give an index of
// sessions with their verdicts, each linked to its page inside the same file.
//
// The data is embedded compressed (gzip, base64) and decoded by the page with the
// browser's DecompressionStream: a session's index of rows loads when its page opens, and
// event payloads in blocks only when one is clicked, so a 50,000-event session opens
// without reading every payload. A model call's messages are stored as the tail its
// conversation added to the previous call (the .baton format's prefix sharing), so the
// page stays linear in the session's size, and the page resolves the history on click.
#ifndef BATON_HARNESS_REPORT_HTML_REPORT_H_
#define BATON_HARNESS_REPORT_HTML_REPORT_H_

#include <string>
#include <vector>

#include "assertions/root_cause.h"
#include "base/env.h"
#include "replayer/replay_session.h"

namespace baton::report {

struct ReportSession {
  std::string path;                          // As the user named it.
  const Trace* trace = nullptr;              // Borrowed; must be set.
  const Analysis* analysis = nullptr;        // Borrowed; must be set.
  const Explanation* explanation = nullptr;  // Borrowed; must be set.
  std::vector<Divergence> divergences;       // From a replay: shown side by side.
  std::string notes;                         // How the log ended, one line per note.
};

struct ReportStats {
  size_t sessions = 0;
  size_t unreadable = 0;
  size_t failed = 0;
  size_t events = 0;
  size_t page_bytes = 0;
  size_t index_bytes = 0;    // Compressed, before base64.
  size_t payload_bytes = 0;  // Compressed, before base64.
};

class HtmlReportBuilder {
 public:
  explicit HtmlReportBuilder(std::string title);

  // Encodes the session's rows and payloads now: the trace need not outlive the call.
  void AddSession(const ReportSession& session);
  // A file that could not be read: listed in the index with its error.
  void AddUnreadable(const std::string& path, const std::string& error);

  const ReportStats& stats() const { return stats_; }

  // The whole page.
  std::string Finish();

 private:
  struct Entry {
    std::string path;
    std::string session_id;
    std::string error;  // Set for an unreadable file.
    bool passed = false;
    size_t events = 0;
    size_t agents = 0;
    size_t findings = 0;
    std::string root_kind;
    std::string root_sentence;
    std::string source;
  };
  std::string title_;
  std::vector<Entry> entries_;
  std::string data_;  // The <script> blocks of the sessions added so far.
  ReportStats stats_;
};

// What `baton report`, `baton check --html` and `baton replay --report` share: reads each
// file (a damaged one as far as it goes, with a note; an unreadable one is listed with its
// error), analyzes it with `policy`, and writes the page to `out_path` through `env`.
// `divergences` are shown on the page of the first file (a replay's recording).
struct ReportFiles {
  std::vector<std::string> files;
  std::string out_path;
  std::string title;
  std::vector<Divergence> divergences;
};
Result<ReportStats> WriteReportFile(Env& env, const ReportFiles& request, const Policy& policy);

}  // namespace baton::report

#endif  // BATON_HARNESS_REPORT_HTML_REPORT_H_
