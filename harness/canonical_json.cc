#include "harness/canonical_json.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <utility>
#include <vector>

#include "base/json_writer.h"

namespace baton {

using simdjson::dom::element;
using simdjson::dom::element_type;

void AppendCanonicalJson(std::string& out, element e) {
  switch (e.type()) {
    case element_type::OBJECT: {
      std::vector<std::pair<std::string_view, element>> fields;
      for (auto f : e.get_object()) fields.emplace_back(f.key, f.value);
      std::stable_sort(fields.begin(), fields.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) out += ',';
        AppendJsonString(out, fields[i].first);
        out += ':';
        AppendCanonicalJson(out, fields[i].second);
      }
      out += '}';
      return;
    }
    case element_type::ARRAY: {
      out += '[';
      bool first = true;
      for (auto v : e.get_array()) {
        if (!first) out += ',';
        first = false;
        AppendCanonicalJson(out, v);
      }
      out += ']';
      return;
    }
    case element_type::STRING:
      AppendJsonString(out, std::string_view(e.get_string()));
      return;
    case element_type::INT64:
      out += std::to_string(int64_t(e.get_int64()));
      return;
    case element_type::UINT64:
      out += std::to_string(uint64_t(e.get_uint64()));
      return;
    case element_type::DOUBLE: {
      double d = double(e.get_double());
      // Integral doubles spell as integers: 1.0 and 1 are the same request.
      // (Range first: converting an out-of-range double to an integer is undefined.)
      if (d > -9e15 && d < 9e15 && d == static_cast<double>(static_cast<int64_t>(d))) {
        out += std::to_string(static_cast<int64_t>(d));
        return;
      }
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, d);
      out.append(buf, r.ptr);
      return;
    }
    case element_type::BOOL:
      out += bool(e.get_bool()) ? "true" : "false";
      return;
    case element_type::NULL_VALUE:
      out += "null";
      return;
  }
}

std::string CanonicalJsonOf(element e) {
  std::string out;
  AppendCanonicalJson(out, e);
  return out;
}

std::string CanonicalJsonOrText(std::string_view text, simdjson::dom::parser& parser) {
  element doc;
  if (text.empty() || parser.parse(text.data(), text.size()).get(doc) != simdjson::SUCCESS)
    return std::string(text);
  return CanonicalJsonOf(doc);
}

}  // namespace baton
