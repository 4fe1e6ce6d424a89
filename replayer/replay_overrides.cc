#include "replayer/replay_overrides.h"

#include <cmath>

#include "base/json_parse.h"
#include "base/json_writer.h"

namespace baton {
namespace {

using capnp::JsonValue;

constexpr std::pair<FaultKind, std::string_view> kFaultNames[] = {
    {FaultKind::kRateLimited, "rate_limited"}, {FaultKind::kServerError, "server_error"},
    {FaultKind::kStreamCut, "stream_cut"},     {FaultKind::kTimeout, "timeout"},
    {FaultKind::kToolError, "tool_error"},
};

// Reads one document with errors that name where: "fork.json: patches[1].seq: ...".
class Reader {
 public:
  explicit Reader(std::string_view what) : what_(what) {}

  Status Error(const std::string& where, const std::string& problem) const {
    return Status::InvalidArgument(std::string(what_) + ": " + where + ": " + problem);
  }
  Result<std::string> String(JsonValue::Reader v, const std::string& where) const {
    if (!v.isString()) return Error(where, "expected a string");
    return std::string(v.getString().cStr(), v.getString().size());
  }
  Result<uint64_t> Count(JsonValue::Reader v, const std::string& where, uint64_t min,
                         uint64_t max) const {
    if (!v.isNumber()) return Error(where, "expected a whole number");
    double d = v.getNumber();
    if (!(d >= static_cast<double>(min) && d <= static_cast<double>(max)) || std::floor(d) != d)
      return Error(where, "expected a whole number from " + std::to_string(min) + " to " +
                              std::to_string(max));
    return static_cast<uint64_t>(d);
  }
  Status Object(JsonValue::Reader v, const std::string& where) const {
    if (!v.isObject()) return Error(where, "expected an object");
    return Status::Ok();
  }
  Status Array(JsonValue::Reader v, const std::string& where) const {
    if (!v.isArray()) return Error(where, "expected an array");
    return Status::Ok();
  }

  Result<ModelResponse> Response(JsonValue::Reader v, const std::string& where) const {
    BATON_RETURN_IF_ERROR(Object(v, where));
    ModelResponse r;
    for (auto f : v.getObject()) {
      std::string name = f.getName().cStr();
      std::string at = where.empty() ? name : where + "." + name;
      auto value = f.getValue();
      if (name == "content") {
        BATON_ASSIGN_OR_RETURN(std::string text, String(value, at));
        r.content = Content(std::move(text));
      } else if (name == "finish_reason") {
        BATON_ASSIGN_OR_RETURN(r.finish_reason, String(value, at));
      } else if (name == "tool_calls") {
        BATON_RETURN_IF_ERROR(Array(value, at));
        size_t i = 0;
        for (auto call : value.getArray()) {
          std::string ct = at + "[" + std::to_string(i++) + "]";
          BATON_RETURN_IF_ERROR(Object(call, ct));
          ToolCallRequest tc;
          for (auto cf : call.getObject()) {
            std::string cn = cf.getName().cStr();
            if (cn == "id") {
              BATON_ASSIGN_OR_RETURN(tc.id, String(cf.getValue(), ct + ".id"));
            } else if (cn == "name") {
              BATON_ASSIGN_OR_RETURN(tc.name, String(cf.getValue(), ct + ".name"));
            } else if (cn == "arguments_json") {
              BATON_ASSIGN_OR_RETURN(std::string args,
                                     String(cf.getValue(), ct + ".arguments_json"));
              tc.arguments_json = Content(std::move(args));
            } else {
              return Error(ct + "." + cn, "unknown field (expected id, name, arguments_json)");
            }
          }
          r.tool_calls.push_back(std::move(tc));
        }
      } else if (name == "usage") {
        BATON_RETURN_IF_ERROR(Object(value, at));
        for (auto uf : value.getObject()) {
          std::string un = uf.getName().cStr();
          BATON_ASSIGN_OR_RETURN(uint64_t n, Count(uf.getValue(), at + "." + un, 0, 1ull << 53));
          if (un == "prompt_tokens") {
            r.usage.prompt_tokens = n;
          } else if (un == "completion_tokens") {
            r.usage.completion_tokens = n;
          } else if (un == "total_tokens") {
            r.usage.total_tokens = n;
          } else {
            return Error(at + "." + un, "unknown field");
          }
        }
      } else if (name == "chunks") {
        // A patched answer is served whole; the chunks of the recorded one are not its.
        BATON_RETURN_IF_ERROR(Array(value, at));
      } else {
        return Error(at, "unknown field (expected content, tool_calls, finish_reason, usage)");
      }
    }
    return r;
  }

 private:
  std::string_view what_;
};

}  // namespace

double LatencyJitter::FactorOf(uint64_t seq) const {
  // splitmix64 of (seed, seq): a fixed function, so a seed names the same run everywhere.
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + seq;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  const double u = static_cast<double>(z >> 11) * 0x1.0p-53;
  return min + (max - min) * u;
}

std::string_view FaultKindName(FaultKind kind) {
  for (const auto& [k, name] : kFaultNames)
    if (k == kind) return name;
  return "server_error";
}

std::optional<FaultKind> FaultKindFromName(std::string_view name) {
  for (const auto& [k, n] : kFaultNames)
    if (n == name) return k;
  return std::nullopt;
}

std::string ReplayOverridesToJson(const ReplayOverrides& o) {
  JsonWriter w;
  w.BeginObject();
  w.Key("patches").BeginArray();
  for (const ReplayPatch& p : o.patches) {
    w.BeginObject().Key("seq").Uint(p.recorded_seq);
    if (p.model_response) {
      const ModelResponse& r = *p.model_response;
      w.Key("response").BeginObject();
      w.Key("content").String(r.content.text);
      w.Key("tool_calls").BeginArray();
      for (const ToolCallRequest& tc : r.tool_calls)
        w.BeginObject()
            .Key("id")
            .String(tc.id)
            .Key("name")
            .String(tc.name)
            .Key("arguments_json")
            .String(tc.arguments_json.text)
            .EndObject();
      w.EndArray();
      w.Key("finish_reason").String(r.finish_reason);
      w.Key("usage").BeginObject();
      w.Key("prompt_tokens").Uint(r.usage.prompt_tokens);
      w.Key("completion_tokens").Uint(r.usage.completion_tokens);
      w.Key("total_tokens").Uint(r.usage.total_tokens);
      w.EndObject();
      w.EndObject();
    }
    if (p.tool_result) w.Key("result").String(*p.tool_result);
    if (p.context_version) w.Key("version").Uint(*p.context_version);
    w.EndObject();
  }
  w.EndArray();
  w.Key("after_patch").String(o.after_patch == AfterPatch::kLive ? "live" : "mode");
  w.Key("faults").BeginArray();
  for (const ReplayFault& f : o.faults)
    w.BeginObject()
        .Key("agent")
        .String(f.agent)
        .Key("call")
        .Uint(f.call)
        .Key("kind")
        .String(FaultKindName(f.kind))
        .EndObject();
  w.EndArray();
  if (o.latency.active()) {
    w.Key("latency").BeginObject();
    w.Key("min").Double(o.latency.min).Key("max").Double(o.latency.max);
    w.Key("seed").Uint(o.latency.seed).EndObject();
  }
  if (o.delivery_order.active())
    w.Key("delivery_order").BeginObject().Key("seed").Uint(o.delivery_order.seed).EndObject();
  w.EndObject();
  return w.Take();
}

Result<ModelResponse> ParseModelResponse(std::string_view json, std::string_view what) {
  BATON_ASSIGN_OR_RETURN(JsonDocument doc, JsonDocument::Parse(json, what));
  return Reader(what).Response(doc.root(), "");
}

Result<ReplayOverrides> ParseReplayOverrides(std::string_view json, std::string_view what) {
  BATON_ASSIGN_OR_RETURN(JsonDocument doc, JsonDocument::Parse(json, what));
  Reader r(what);
  BATON_RETURN_IF_ERROR(r.Object(doc.root(), "the document"));
  ReplayOverrides out;
  for (auto f : doc.root().getObject()) {
    std::string name = f.getName().cStr();
    auto value = f.getValue();
    if (name == "patches") {
      BATON_RETURN_IF_ERROR(r.Array(value, name));
      size_t i = 0;
      for (auto p : value.getArray()) {
        std::string at = "patches[" + std::to_string(i++) + "]";
        BATON_RETURN_IF_ERROR(r.Object(p, at));
        ReplayPatch patch;
        for (auto pf : p.getObject()) {
          std::string pn = pf.getName().cStr();
          if (pn == "seq") {
            BATON_ASSIGN_OR_RETURN(patch.recorded_seq,
                                   r.Count(pf.getValue(), at + ".seq", 1, 1ull << 53));
          } else if (pn == "response") {
            BATON_ASSIGN_OR_RETURN(patch.model_response,
                                   r.Response(pf.getValue(), at + ".response"));
          } else if (pn == "result") {
            BATON_ASSIGN_OR_RETURN(patch.tool_result, r.String(pf.getValue(), at + ".result"));
          } else if (pn == "version") {
            BATON_ASSIGN_OR_RETURN(patch.context_version,
                                   r.Count(pf.getValue(), at + ".version", 1, 1ull << 53));
          } else {
            return r.Error(at + "." + pn,
                           "unknown field (expected seq, response, result, version)");
          }
        }
        if (patch.recorded_seq == 0) return r.Error(at, "no seq: which recorded call to patch");
        if (patch.model_response.has_value() + patch.tool_result.has_value() +
                patch.context_version.has_value() !=
            1)
          return r.Error(at,
                         "give one of a response (model call), a result (tool call) or a "
                         "version (context read)");
        out.patches.push_back(std::move(patch));
      }
    } else if (name == "after_patch") {
      BATON_ASSIGN_OR_RETURN(std::string v, r.String(value, name));
      if (v == "live") {
        out.after_patch = AfterPatch::kLive;
      } else if (v == "mode") {
        out.after_patch = AfterPatch::kAsMode;
      } else {
        return r.Error(name, "expected \"mode\" or \"live\", got \"" + v + "\"");
      }
    } else if (name == "faults") {
      BATON_RETURN_IF_ERROR(r.Array(value, name));
      size_t i = 0;
      for (auto fv : value.getArray()) {
        std::string at = "faults[" + std::to_string(i++) + "]";
        BATON_RETURN_IF_ERROR(r.Object(fv, at));
        ReplayFault fault;
        bool has_agent = false;
        for (auto ff : fv.getObject()) {
          std::string fn = ff.getName().cStr();
          if (fn == "agent") {
            BATON_ASSIGN_OR_RETURN(fault.agent, r.String(ff.getValue(), at + ".agent"));
            has_agent = true;
          } else if (fn == "call") {
            BATON_ASSIGN_OR_RETURN(uint64_t n, r.Count(ff.getValue(), at + ".call", 1, 1u << 31));
            fault.call = static_cast<uint32_t>(n);
          } else if (fn == "kind") {
            BATON_ASSIGN_OR_RETURN(std::string k, r.String(ff.getValue(), at + ".kind"));
            std::optional<FaultKind> kind = FaultKindFromName(k);
            if (!kind)
              return r.Error(at + ".kind", "\"" + k +
                                               "\" is not a fault (rate_limited, server_error, "
                                               "stream_cut, timeout, tool_error)");
            fault.kind = *kind;
          } else {
            return r.Error(at + "." + fn, "unknown field (expected agent, call, kind)");
          }
        }
        if (!has_agent) return r.Error(at, "no agent");
        out.faults.push_back(std::move(fault));
      }
    } else if (name == "latency") {
      BATON_RETURN_IF_ERROR(r.Object(value, name));
      for (auto lf : value.getObject()) {
        std::string ln = lf.getName().cStr();
        const std::string at = "latency." + ln;
        if (ln == "seed") {
          BATON_ASSIGN_OR_RETURN(out.latency.seed, r.Count(lf.getValue(), at, 1, 1ull << 53));
        } else if (ln == "min" || ln == "max") {
          auto v = lf.getValue();
          if (!v.isNumber() || !(v.getNumber() >= 0.0 && v.getNumber() <= 1000.0))
            return r.Error(at, "expected a factor from 0 to 1000");
          (ln == "min" ? out.latency.min : out.latency.max) = v.getNumber();
        } else {
          return r.Error(at, "unknown field (expected min, max, seed)");
        }
      }
      if (out.latency.min > out.latency.max) return r.Error(name, "min is above max");
    } else if (name == "delivery_order") {
      BATON_RETURN_IF_ERROR(r.Object(value, name));
      for (auto df : value.getObject()) {
        std::string dn = df.getName().cStr();
        if (dn != "seed") return r.Error(name + "." + dn, "unknown field (expected seed)");
        BATON_ASSIGN_OR_RETURN(out.delivery_order.seed,
                               r.Count(df.getValue(), name + ".seed", 1, 1ull << 53));
      }
    } else {
      return r.Error(name,
                     "unknown field (expected patches, after_patch, faults, latency, "
                     "delivery_order)");
    }
  }
  return out;
}

ModelCall FaultAnswer(const ReplayFault& fault, const ModelCall& recorded) {
  ModelCall a;
  a.call_id = recorded.call_id;
  a.attempt = recorded.attempt;
  a.http.api = recorded.http.api.empty() ? "fault" : recorded.http.api;
  a.http.method = recorded.http.method;
  a.http.path = recorded.http.path;
  auto error_body = [](std::string_view type, std::string_view message) {
    JsonWriter w;
    w.BeginObject().Key("error").BeginObject();
    w.Key("type").String(type).Key("message").String(message);
    w.EndObject().EndObject();
    return w.Take();
  };
  switch (fault.kind) {
    case FaultKind::kRateLimited:
      a.error = "HTTP 429: rate limited (injected by baton)";
      a.error_code = CallErrorCode::kUnavailable;
      a.http.status = 429;
      a.http.response_headers = {{"Content-Type", "application/json"}, {"Retry-After", "1"}};
      a.http.response_body = error_body("rate_limit_error", "rate limited (injected by baton)");
      a.latency_ns = 5'000'000;
      break;
    case FaultKind::kServerError:
    case FaultKind::kToolError:  // Not a model call's fault: read as the upstream failing.
      a.error = "HTTP 503: upstream overloaded (injected by baton)";
      a.error_code = CallErrorCode::kUnavailable;
      a.http.status = 503;
      a.http.response_headers = {{"Content-Type", "application/json"}};
      a.http.response_body = error_body("server_error", "upstream overloaded (injected by baton)");
      a.latency_ns = 20'000'000;
      break;
    case FaultKind::kTimeout:
      a.error = "timed out (injected by baton)";
      a.error_code = CallErrorCode::kDeadlineExceeded;
      a.http.status = 504;
      a.http.response_headers = {{"Content-Type", "application/json"}};
      a.http.response_body = error_body("timeout", "timed out (injected by baton)");
      a.latency_ns = recorded.latency_ns * 4 + 1'000'000'000;
      break;
    case FaultKind::kStreamCut:
      a.error = "the stream was cut off (injected by baton)";
      a.error_code = CallErrorCode::kUnavailable;
      a.http.status = recorded.http.status != 0 ? recorded.http.status : 200;
      a.http.response_headers = recorded.http.response_headers;
      a.http.stream_cut = true;
      // Half the frames, then nothing: the client sees the connection drop mid-answer.
      a.response.chunks.assign(
          recorded.response.chunks.begin(),
          recorded.response.chunks.begin() +
              static_cast<std::ptrdiff_t>(recorded.response.chunks.size() / 2));
      a.latency_ns = recorded.latency_ns / 2;
      break;
  }
  return a;
}

ToolCall ToolFaultAnswer(const ToolCall& recorded) {
  ToolCall a;
  a.call_id = recorded.call_id;
  a.tool = recorded.tool;
  a.arguments = recorded.arguments;
  a.error = "the tool failed (injected by baton)";
  a.error_code = CallErrorCode::kUnavailable;
  a.latency_ns = recorded.latency_ns;
  return a;
}

}  // namespace baton
