#include "replayer/read_notes.h"

namespace baton {

void WriteReadNotes(std::ostream& out, const std::string& label, const ReadReport& report) {
  std::string prefix = label.empty() ? "note: " : "note: " + label + ": ";
  if (report.end == LogEnd::kAbnormal) out << prefix << report.ending << "\n";
  for (const ChunkProblem& p : report.skipped_chunks)
    out << prefix << "skipped " << p.message << "; what it held is missing\n";
  if (report.missing_events > 0)
    out << prefix << report.missing_events << " events are missing (gaps in seq)\n";
  if (report.missing_blobs > 0)
    out << prefix << report.missing_blobs << " contents refer to blobs that were lost\n";
}

}  // namespace baton
