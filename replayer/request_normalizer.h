// What makes a live call "the same" as a recorded one: the request's fields, with volatile
// parts (ids, timestamps, named JSON paths) normalized away, and a hash of the result.
#ifndef BATON_REPLAYER_REQUEST_NORMALIZER_H_
#define BATON_REPLAYER_REQUEST_NORMALIZER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "base/status.h"
#include "recorder/event.h"
#include "replayer/event_json.h"

namespace baton {

struct Normalizers {
  // Fields left out of matching, by path or path prefix. Headers are out by default: their
  // secrets are recorded as per-session pseudonyms, which differ between two runs.
  std::vector<std::string> ignored_fields = {"request.headers"};
  // ECMAScript regexes; every match in any value becomes "<volatile>".
  std::vector<std::string> volatile_patterns;
  // Dotted paths ("metadata.request_id", "items.*.id") inside values that are JSON
  // documents; the value found there becomes "<volatile>".
  std::vector<std::string> json_paths;
};

class RequestNormalizer {
 public:
  // Fails on a regex that does not compile, naming it.
  static Result<RequestNormalizer> Create(Normalizers normalizers);
  RequestNormalizer() = default;

  std::vector<EventField> Normalize(std::vector<EventField> fields) const;
  // A 64-bit hash of the normalized fields (HashFields: paths and values).
  static uint64_t Hash(const std::vector<EventField>& normalized);

  // Whether normalizing only leaves fields out (no patterns, no JSON paths): then
  // HashRequest can hash the request in place, copying nothing.
  bool trivial() const;
  // Requires trivial(). Equal requests (after leaving out the ignored fields) hash equal;
  // the value is not Hash(Normalize(...)): compare HashRequest with HashRequest only.
  // `content_hash` gives a content field's XXH3-64 (see HashEventFields).
  uint64_t HashRequest(const Event& event,
                       const std::function<uint64_t(const Content&)>& content_hash) const;
  // Whether two model requests match, compared field by field with an early exit (the hot
  // path of a replay). nullopt when the normalizers need the general path (patterns, JSON
  // paths, or ignored fields inside a message). `same_content` compares a recorded content
  // (perhaps an unloaded blob) with a live one. The first `known_equal_messages` messages
  // are taken as equal without looking (the caller knows they were compared before: see
  // MessageList::SharedPrefix), which makes a call's cost its new messages, not its history.
  std::optional<bool> SameModelRequest(
      const ModelRequest& recorded, const ModelRequest& live,
      const std::function<bool(const Content&, const Content&)>& same_content,
      size_t known_equal_messages = 0) const;

 private:
  Normalizers normalizers_;
  std::vector<std::regex> patterns_;
  std::vector<std::vector<std::string>> json_paths_;  // Split on '.'.
};

// The messages of the last pair of model requests found equal (one per side). A
// conversation resends its history: a next pair that continues both lists (shared stored
// messages: MessageList::SharedPrefix) has those messages known equal, so only what it adds
// needs comparing. Replay matching and session diffs both keep one per agent.
struct MatchedMessages {
  MessageList a;
  MessageList b;

  // How many leading messages of next_a and next_b are known equal.
  size_t KnownEqual(const MessageList& next_a, const MessageList& next_b) const {
    if (a.size() != b.size()) return 0;  // Equal requests of unequal lists: messages ignored.
    if (MessageList::SharedPrefix(next_a, a) != a.size() ||
        MessageList::SharedPrefix(next_b, b) != b.size())
      return 0;
    return a.size();
  }
};

// The fields of an event that a replayed call must reproduce: a model call's request, a
// tool call's tool and arguments, a clock read's clock name, a random draw's stream, an
// environment read's name. Paths as in FlattenEvent.
std::vector<EventField> RequestFields(const Event& event);
// The path prefixes RequestFields keeps for a kind; empty: every field.
std::vector<std::string> RequestPrefixes(EventKind kind);

}  // namespace baton

#endif  // BATON_REPLAYER_REQUEST_NORMALIZER_H_
