#include "base/json_parse.h"

#include <capnp/compat/json.h>
#include <kj/exception.h>

namespace baton {

Status ParseJsonInto(std::string_view text, capnp::JsonValue::Builder root, std::string_view what) {
  capnp::JsonCodec codec;
  kj::Maybe<kj::Exception> error = kj::runCatchingExceptions(
      [&] { codec.decodeRaw(kj::ArrayPtr<const char>(text.data(), text.size()), root); });
  KJ_IF_MAYBE (e, error) {
    return Status::Corruption(std::string(what) +
                              ": not valid JSON: " + std::string(e->getDescription().cStr()));
  }
  return Status::Ok();
}

Result<JsonDocument> JsonDocument::Parse(std::string_view text, std::string_view what) {
  JsonDocument doc;
  BATON_RETURN_IF_ERROR(ParseJsonInto(text, doc.mutable_root(), what));
  return doc;
}

capnp::JsonValue::Reader JsonDocument::root() const {
  return message_->getRoot<capnp::JsonValue>().asReader();
}

capnp::JsonValue::Builder JsonDocument::mutable_root() {
  return message_->getRoot<capnp::JsonValue>();
}

std::string JsonText(capnp::JsonValue::Reader value) {
  capnp::JsonCodec codec;
  return codec.encodeRaw(value).cStr();
}

}  // namespace baton
