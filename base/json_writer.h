// A small streaming JSON writer: valid JSON out (UTF-8 checked, escapes), commas placed
// for the caller. Used by `baton cat` and every --json output.
#ifndef BATON_BASE_JSON_WRITER_H_
#define BATON_BASE_JSON_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace baton {

// Appends s as a JSON string literal; invalid UTF-8 bytes become U+FFFD.
void AppendJsonString(std::string& out, std::string_view s);

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Uint(uint64_t value);
  JsonWriter& Double(double value);  // Non-finite values become null.
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // A value that is already JSON text; the caller vouches for it (e.g. a tool's schema).
  JsonWriter& Raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();
  std::string out_;
  std::vector<bool> has_items_;  // Per open container: whether a comma is due.
  bool after_key_ = false;
};

}  // namespace baton

#endif  // BATON_BASE_JSON_WRITER_H_
