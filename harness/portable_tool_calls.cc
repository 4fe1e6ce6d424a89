#include "harness/portable_tool_calls.h"

#include "base/json_writer.h"
#include "harness/canonical_json.h"

namespace baton {
namespace {

using simdjson::dom::element;

// A member as text: a string as it is, anything else as canonical JSON.
std::string TextOf(element obj, std::string_view key) {
  element v;
  if (!obj.is_object() || obj[key].get(v) != simdjson::SUCCESS || v.is_null()) return "";
  if (v.is_string()) return std::string(std::string_view(v.get_string()));
  return CanonicalJsonOf(v);
}

}  // namespace

std::string PortableToolCallsExtra(const std::vector<ToolCallRequest>& calls,
                                   simdjson::dom::parser& parser) {
  if (calls.empty()) return "";
  JsonWriter w;
  w.BeginObject().Key("tool_calls").BeginArray();
  for (const ToolCallRequest& c : calls)
    w.BeginObject()
        .Key("arguments")
        .String(CanonicalJsonOrText(c.arguments_json.text, parser))
        .Key("id")
        .String(c.id)
        .Key("name")
        .String(c.name)
        .EndObject();
  w.EndArray().EndObject();
  return w.Take();
}

std::vector<ToolCallRequest> ToolCallsOfExtra(std::string_view extra,
                                              simdjson::dom::parser& parser) {
  std::vector<ToolCallRequest> calls;
  element doc;
  element list;
  if (extra.empty() || parser.parse(extra.data(), extra.size()).get(doc) != simdjson::SUCCESS ||
      !doc.is_object() || doc["tool_calls"].get(list) != simdjson::SUCCESS || !list.is_array())
    return calls;
  for (element c : list.get_array()) {
    ToolCallRequest call;
    call.id = TextOf(c, "id");
    element fn;
    const element named = c["function"].get(fn) == simdjson::SUCCESS && fn.is_object() ? fn : c;
    call.name = TextOf(named, "name");
    call.arguments_json.text = TextOf(named, "arguments");
    calls.push_back(std::move(call));
  }
  return calls;
}

}  // namespace baton
