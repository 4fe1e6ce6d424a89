#include "base/json_parse.h"

#include <capnp/compat/json.h>
#include <kj/exception.h>

namespace baton {

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of the escape at text[i] ("\uXXXX"), or -1 when it is not one.
int EscapeAt(std::string_view text, size_t i) {
  if (i + 6 > text.size() || text[i] != '\\' || text[i + 1] != 'u') return -1;
  int v = 0;
  for (size_t k = 2; k < 6; ++k) {
    int h = HexValue(text[i + k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Cap'n Proto 0.9's JSON decoder misreads the hex letters of a \uXXXX escape (it reads
// "\u00e9" as "I" and "\u20AC" as U+2002; found by replay_overrides_fuzz), and escapes with
// letters are common (Python's json.dumps writes every non-ASCII character so). Inside
// strings, every escape with a letter is decoded here into its UTF-8 bytes (a surrogate pair
// into one character, a lone surrogate into U+FFFD), or "\\" for a backslash; raw control
// characters, which the decoder accepts, stand for themselves. Escapes of digits only are left
// for the decoder, which reads those right.
std::string DecodeLetterEscapes(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!in_string) {
      if (c == '"') in_string = true;
      out += c;
      continue;
    }
    if (c == '"') {
      in_string = false;
      out += c;
      continue;
    }
    if (c != '\\') {
      out += c;
      continue;
    }
    int unit = EscapeAt(text, i);
    bool letters = false;
    if (unit >= 0)
      for (size_t k = 2; k < 6; ++k) letters |= HexValue(text[i + k]) >= 10;
    if (unit < 0 || !letters) {
      // Another escape (or digits only): copied with the character it escapes.
      out += c;
      if (i + 1 < text.size()) out += text[++i];
      continue;
    }
    uint32_t cp = static_cast<uint32_t>(unit);
    size_t used = 6;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      int low = EscapeAt(text, i + 6);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (static_cast<uint32_t>(low) - 0xDC00);
        used = 12;
      } else {
        cp = 0xFFFD;
      }
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      cp = 0xFFFD;
    }
    if (cp == '\\')
      out += "\\\\";
    else
      AppendUtf8(out, cp);  // '"' has no letter: never here.
    i += used - 1;
  }
  return out;
}

}  // namespace

Status ParseJsonInto(std::string_view text, capnp::JsonValue::Builder root, std::string_view what) {
  std::string decoded;
  if (text.find("\\u") != std::string_view::npos) {
    decoded = DecodeLetterEscapes(text);
    text = decoded;
  }
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
