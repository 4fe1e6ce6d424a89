// Trace: a whole recorded session in memory, with the indexes that replay and the
// analyses need (by seq, by agent, by message id, by context key, by cause).
#ifndef BATON_REPLAYER_TRACE_H_
#define BATON_REPLAYER_TRACE_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "recorder/event.h"
#include "replayer/log_reader.h"

namespace baton {

class Trace {
 public:
  // Reads the whole log. A log that ended abnormally loads what was recovered (see
  // report()); a corrupt one is an error unless options.on_corrupt skips. With
  // options.blobs = kLazy, large texts stay in the file until Text() asks for them: a
  // multi-GB session opens without reading blobs nobody needs.
  static Result<Trace> Load(const std::string& path, ReaderOptions options = {});
  static Trace FromEvents(SessionHeader header, std::vector<Event> events, ReadReport report = {});

  const std::string& path() const { return path_; }
  const SessionHeader& header() const { return header_; }
  const std::vector<Event>& events() const { return events_; }
  const ReadReport& report() const { return report_; }
  // What made the session, as its header's "source" metadata says: "proxy", "otlp" (spans
  // imported), "transcript" (a chat imported); "" for the runtime's own recordings.
  std::string_view source() const;
  // Whether the session could record a check of another agent's output. The proxy sees
  // HTTP, and spans say nothing of checks unless the program says them with baton's
  // attributes: such a session's header says "checks": "not recorded", and an output used
  // without a check there is no finding (absent evidence is not a failure).
  enum class Checks { kRecorded, kNotRecorded };
  Checks checks() const;

  // nullptr when no event has that seq.
  const Event* BySeq(uint64_t seq) const;
  // Agents in order of first appearance.
  const std::vector<std::string>& agents() const { return agents_; }
  // Indexes into events() of one agent's events, in order; empty for an unknown agent.
  const std::vector<size_t>& EventsOf(const std::string& agent) const;

  // The lifecycle of one message; fields are nullptr where the event is missing.
  struct MessageEvents {
    const Event* send = nullptr;
    const Event* delivery = nullptr;
    const Event* interpretation = nullptr;
    const Event* processed = nullptr;
  };
  const MessageEvents* Message(const std::string& message_id) const;
  // Message ids in send order.
  const std::vector<std::string>& message_ids() const { return message_ids_; }

  // Indexes of the writes of a context key, in order; empty for an unknown key.
  const std::vector<size_t>& WritesOf(const std::string& key) const;
  // The write of key at version, or nullptr.
  const Event* ContextWriteOf(const std::string& key, uint64_t version) const;
  // The first write of a version of key newer than `version` made before event `before_seq`:
  // what superseded `version` by then. nullptr when `version` was still the latest.
  const Event* SupersedingWrite(const std::string& key, uint64_t version,
                                uint64_t before_seq) const;

  // The text of a content field, loading its blob if the trace was opened lazily.
  // Thread-safe. Corruption/NotFound when the blob cannot be read.
  Result<std::string> Text(const Content& content) const;
  // The same text lent to `visit` for the length of the call, copying no blob.
  Status VisitText(const Content& content,
                   const std::function<void(std::string_view)>& visit) const;
  // For work over many blobs: VisitText of `content`, and with it every other blob stored
  // in the same chunk, each lent as `visit(blob ordinal, text)` while the chunk is decoded
  // (LogReader::VisitBlobsBeside). Only `content` itself when its text is loaded. The status
  // is that of `content`.
  Status VisitTextsBeside(const Content& content,
                          const std::function<void(uint32_t, std::string_view)>& visit) const;
  // Loads every blob-backed field of `event` (a copy, or an event of this trace).
  Status Resolve(Event& event) const;

  // seq of the event, its cause, its cause's cause... (at most max_length), earliest first.
  std::vector<uint64_t> CauseChain(uint64_t seq, size_t max_length = 8) const;

 private:
  void BuildIndexes();

  // Kept open for lazy blobs; shared so that Trace stays movable and copyable.
  struct BlobSource {
    std::mutex mu;
    std::unique_ptr<LogReader> reader;
  };
  std::shared_ptr<BlobSource> blobs_;

  std::string path_;
  SessionHeader header_;
  std::vector<Event> events_;
  ReadReport report_;
  std::vector<std::string> agents_;
  std::unordered_map<std::string, std::vector<size_t>> by_agent_;
  std::unordered_map<std::string, MessageEvents> messages_;
  std::vector<std::string> message_ids_;
  // Per context key: its writes (indexes into events_, in seq order), the highest version
  // written up to each of them, and the first write of each version. Reads are answered in
  // O(log writes), so the context analyses stay linear in a long session.
  struct KeyWrites {
    std::vector<size_t> writes;
    std::vector<uint64_t> max_version_so_far;
    std::unordered_map<uint64_t, size_t> first_of_version;
  };
  std::unordered_map<std::string, KeyWrites> writes_;
};

// One line about an event for reports: "#12 researcher model_call (c-3, attempt 1)".
std::string DescribeEvent(const Event& event);

// The step of an imported source an event came from: the "step" attribute of the span_start
// that caused it (or of the span itself), as `baton import transcript` writes one per entry.
// nullopt for events with no such span among their first causes.
std::optional<int64_t> SourceStep(const std::vector<Event>& events, uint64_t seq);

}  // namespace baton

#endif  // BATON_REPLAYER_TRACE_H_
