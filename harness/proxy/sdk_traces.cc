#include "harness/proxy/sdk_traces.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <tuple>

namespace baton::proxy {
namespace {

using simdjson::dom::element;

std::string Str(element obj, const char* key) {
  auto v = obj[key];
  if (v.error() != simdjson::SUCCESS || !v.value().is_string()) return "";
  return std::string(std::string_view(v.value().get_string()));
}

}  // namespace

std::string SdkAgentKey(std::string_view name) {
  std::string key;
  key.reserve(name.size());
  for (char c : name) {
    const unsigned char u = static_cast<unsigned char>(c);
    key += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
  }
  return key;
}

Status SdkTraceIndex::Add(std::string_view body) {
  simdjson::dom::parser parser;
  element doc;
  if (auto err = parser.parse(body.data(), body.size()).get(doc); err != simdjson::SUCCESS)
    return Status::InvalidArgument(std::string("SDK trace ingest: not JSON: ") +
                                   simdjson::error_message(err));
  simdjson::dom::array data;
  if (!doc.is_object() || doc["data"].get_array().get(data) != simdjson::SUCCESS)
    return Status::InvalidArgument("SDK trace ingest: no \"data\" array");
  for (element item : data) {
    if (!item.is_object() || Str(item, "object") != "trace.span") continue;
    const std::string id = Str(item, "id");
    element span_data;
    if (id.empty() || item["span_data"].get(span_data) != simdjson::SUCCESS ||
        !span_data.is_object())
      continue;
    if (spans_.size() >= kMaxSpans && !spans_.count(id)) continue;
    Span s;
    s.parent = Str(item, "parent_id");
    s.started_at = Str(item, "started_at");
    s.type = Str(span_data, "type");
    if (s.type == "agent") {
      s.name = Str(span_data, "name");
    } else if (s.type == "response") {
      s.response_id = Str(span_data, "response_id");
    } else if (s.type == "generation") {
      // The answer itself, when the SDK traces model data: its id is the completion's.
      simdjson::dom::array output;
      if (span_data["output"].get_array().get(output) == simdjson::SUCCESS && output.size() > 0)
        if (element first = output.at(0).value_unsafe(); first.is_object())
          s.response_id = Str(first, "id");
    } else if (s.type == "handoff") {
      s.from = Str(span_data, "from_agent");
      s.to = Str(span_data, "to_agent");
    } else {
      // Other spans (function, guardrail, custom) matter only as parents.
    }
    spans_[id] = std::move(s);
  }
  return Status::Ok();
}

std::map<std::string, std::string> SdkTraceIndex::AgentOfResponse() const {
  std::map<std::string, std::string> out;
  for (const auto& [id, span] : spans_) {
    if (span.response_id.empty()) continue;
    // Up to the nearest agent span; bounded, so a cycle in hostile input ends.
    const Span* at = &span;
    for (int depth = 0; depth < 64 && at != nullptr; ++depth) {
      if (at->type == "agent") {
        if (!at->name.empty()) out[span.response_id] = at->name;
        break;
      }
      auto parent = spans_.find(at->parent);
      at = parent == spans_.end() ? nullptr : &parent->second;
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> SdkTraceIndex::Handoffs() const {
  std::vector<std::pair<const std::string*, const Span*>> handoffs;
  for (const auto& [id, span] : spans_)
    if (span.type == "handoff" && !span.from.empty() && !span.to.empty())
      handoffs.emplace_back(&id, &span);
  // ISO 8601 times of one clock sort as text; the span id breaks ties.
  std::sort(handoffs.begin(), handoffs.end(), [](const auto& a, const auto& b) {
    return std::tie(a.second->started_at, *a.first) < std::tie(b.second->started_at, *b.first);
  });
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [id, s] : handoffs) out.emplace_back(s->from, s->to);
  return out;
}

}  // namespace baton::proxy
