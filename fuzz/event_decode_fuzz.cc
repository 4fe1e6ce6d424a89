// libFuzzer target, structure-aware: the decompressed payload of an event chunk (Cap'n
// Proto messages back to back), as the reader hands it to the event decoder. Seeds are real
// payloads (fuzz/seeds/event_decode/, from corpora/), so mutations land on pointers, list
// lengths, unions and message-prefix references rather than on zstd bytes. The decoder
// must turn every malformed message into an error, never a crash or an unbounded loop.
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "recorder/baton.capnp.h"
#include "recorder/event_codec.h"
#include "recorder/format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Word-aligned copy, as the reader's decompression buffer is.
  kj::Array<capnp::word> words = kj::heapArray<capnp::word>(size / sizeof(capnp::word));
  std::memcpy(words.begin(), data, words.size() * sizeof(capnp::word));
  baton::codec::MessageHistory history;
  baton::codec::BlobLookup lookup = [](uint32_t ordinal, std::string* out) {
    if (ordinal > 64) return false;  // As the reader: only blobs it has seen.
    *out = "blob " + std::to_string(ordinal);
    return true;
  };
  kj::ArrayPtr<const capnp::word> rest = words.asPtr();
  int messages = 0;
  while (rest.size() > 0 && messages++ < 4096) {
    kj::Maybe<kj::Exception> error = kj::runCatchingExceptions([&]() {
      // As the reader does: a traversal budget proportional to the message.
      capnp::ReaderOptions limits;
      limits.traversalLimitInWords = baton::format::kTraversalWordsPerMessageWord * rest.size() +
                                     baton::format::kTraversalSlackWords;
      limits.nestingLimit = baton::format::kNestingLimit;
      capnp::FlatArrayMessageReader message(rest, limits);
      size_t used = message.getEnd() - rest.begin();
      baton::Event event;
      auto where = [] { return std::string("fuzz"); };
      (void)baton::codec::DecodeEvent(message.getRoot<baton::schema::Event>(), 0, &lookup, history,
                                      where, &event);
      rest = rest.slice(used, rest.size());
    });
    if (error != nullptr) break;
  }
  return 0;
}
