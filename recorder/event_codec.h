// Conversion between the C++ event values (event.h) and their Cap'n Proto form
// (baton.capnp). Internal to the recorder and reader.
#ifndef BATON_RECORDER_EVENT_CODEC_H_
#define BATON_RECORDER_EVENT_CODEC_H_

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "recorder/baton.capnp.h"
#include "recorder/event.h"

namespace baton::codec {

// Decides how each piece of text is stored while encoding: the redaction to apply and
// whether a Content field becomes a blob.
class TextEncoder {
 public:
  virtual ~TextEncoder() = default;
  // Plain text fields (names, ids, intents, header values...). May rewrite secrets.
  // Returns `text` itself or `scratch` after filling it.
  virtual const std::string& Text(const std::string& text, std::string& scratch) = 0;
  // A header value: `name` says whether the whole value is a credential.
  virtual const std::string& HeaderValue(const std::string& name, const std::string& value,
                                         std::string& scratch) = 0;
  // A Content field: writes it inline or as a blob reference.
  virtual void Content(const baton::Content& content, schema::Content::Builder out) = 0;
  // A text delivered in pieces (streamed chunks): returns true and fills `out` when the
  // pieces must change (a secret, possibly split across them); false keeps them.
  virtual bool Pieces(const std::vector<std::string>& /*pieces*/,
                      std::vector<std::string>& /*out*/) {
    return false;
  }
};

// Writes text as is and every Content inline: for tests and tools that need no blobs.
class PlainTextEncoder final : public TextEncoder {
 public:
  const std::string& Text(const std::string& text, std::string&) override { return text; }
  const std::string& HeaderValue(const std::string&, const std::string& value,
                                 std::string&) override {
    return value;
  }
  void Content(const baton::Content& content, schema::Content::Builder out) override;
};

// Each agent's latest model-call messages. A call that starts with the same messages as
// the agent's previous call is encoded as a reference to that call plus its new messages
// (ModelRequest.prefixFrom/prefixLength), so resending a conversation costs only its new
// turns, and decoding rebuilds the full list. A checkpoint (the writer makes one every
// format::kPrefixCheckpointChunks event chunks) ends what a prefix may refer to; the lists
// themselves are kept, so that a decoder can still share the messages that a call after a
// checkpoint writes out again instead of holding a second copy of them (Last).
class MessageHistory {
 public:
  struct Entry {
    uint64_t seq = 0;  // 0: the call came before a checkpoint (not a prefix target).
    MessageList messages;
  };
  void Checkpoint() {
    for (auto& [agent, entry] : by_agent_) entry.seq = 0;
  }
  // A checkpoint that also lets go of the lists: for a writer, which never asks for Last()
  // and should not keep a finished conversation alive until the file closes.
  void Clear() { by_agent_.clear(); }
  // The agent's latest call since the last checkpoint, or nullptr.
  const Entry* Find(const std::string& agent) const {
    auto it = by_agent_.find(agent);
    return it == by_agent_.end() || it->second.seq == 0 ? nullptr : &it->second;
  }
  // The agent's latest messages in any chunk (empty when it has made no call).
  const MessageList& Last(const std::string& agent) const {
    static const MessageList kNone;
    auto it = by_agent_.find(agent);
    return it == by_agent_.end() ? kNone : it->second.messages;
  }
  // How many messages the agents' latest calls hold together (what writing every history
  // out again after a checkpoint costs).
  size_t MessageCount() const {
    size_t n = 0;
    for (const auto& [agent, entry] : by_agent_) n += entry.messages.size();
    return n;
  }
  // Records `messages` as the agent's latest call (a shared copy: no message is copied).
  void Set(const std::string& agent, uint64_t seq, const MessageList& messages) {
    Entry& e = by_agent_[agent];
    e.seq = seq;
    e.messages = messages;
  }

 private:
  std::unordered_map<std::string, Entry> by_agent_;
};

// `session_start_wall_ns` is SessionHeader::start_wall_ns: wall times are stored relative
// to it. `history` (may be null: every message written out) is the chunk's MessageHistory.
void EncodeEvent(const Event& event, int64_t session_start_wall_ns, TextEncoder& text,
                 MessageHistory* history, schema::Event::Builder out);
void EncodeHeader(const SessionHeader& header, schema::SessionHeader::Builder out);

// Resolves a blob reference (its ordinal) while decoding. Returns false when the blob
// is unknown.
using BlobLookup = std::function<bool(uint32_t ordinal, std::string* out)>;

enum class DecodeOutcome { kDecoded, kUnknownKind };

// Decodes one event. With a lookup, blob contents are resolved into Content::text (an
// unresolvable blob is an error); without one they are left as references. `history` is
// the chunk's (a message prefix it does not hold is corruption). Malformed messages come
// back as kCorruption naming where().
Result<DecodeOutcome> DecodeEvent(schema::Event::Reader in, int64_t session_start_wall_ns,
                                  const BlobLookup* lookup, MessageHistory& history,
                                  const std::function<std::string()>& where, Event* out);
Result<SessionHeader> DecodeHeader(schema::SessionHeader::Reader in, const std::string& where);

}  // namespace baton::codec

#endif  // BATON_RECORDER_EVENT_CODEC_H_
