// Command-line options of the verbs that run the model-API proxy (proxy, record, replay):
// upstreams, pacing, body limit; and what `baton proxy --help` says about matching.
#ifndef BATON_HARNESS_CLI_PROXY_OPTIONS_H_
#define BATON_HARNESS_CLI_PROXY_OPTIONS_H_

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "harness/proxy/model_api.h"
#include "harness/proxy/proxy_server.h"

namespace baton::cli {

struct ProxyCliOptions {
  // "openai=URL", "anthropic=URL", "gemini=URL", or a bare URL (OpenAI's).
  std::vector<std::string> upstreams;
  std::string pace = "fast";
  size_t max_body_bytes = 32u << 20;
  std::string faults;  // --faults SPEC (harness/proxy/fault_plan.h).
};

inline std::string TransportOnlyHelp() {
  std::string fields;
  for (const std::string& f : proxy::TransportOnlyParameters())
    fields += (fields.empty() ? "" : ", ") + f;
  return "Requests match per agent and in order, on canonical JSON (key order, whitespace and "
         "number spelling do not matter), leaving out these transport-only fields: " +
         fields + ", and every header.";
}

inline void AddProxyOptions(CLI::App* sub, ProxyCliOptions& o) {
  sub->add_option("--upstream", o.upstreams,
                  "openai=URL, anthropic=URL or gemini=URL (repeatable; a bare URL is "
                  "OpenAI's). Default: OPENAI_BASE_URL / ANTHROPIC_BASE_URL / "
                  "GOOGLE_GEMINI_BASE_URL as set before baton, else the vendors' public "
                  "endpoints")
      ->take_all();
  sub->add_option("--pace", o.pace,
                  "Replayed streams: fast (default) or recorded (the recorded time to first byte "
                  "and gaps)")
      ->check(CLI::IsMember({"fast", "recorded"}));
  sub->add_option("--max-body-bytes", o.max_body_bytes,
                  "Larger request bodies are refused with 413 (default 32 MiB)");
  sub->add_option("--faults", o.faults,
                  "Failures to inject, comma-separated: KIND@AGENT:N (the agent's Nth model "
                  "request), KIND@N (the Nth request), KIND%P (each request with probability "
                  "P), seed=S; KIND is 429, 503, 500, timeout or cut. One request each; the "
                  "client's retry goes through");
}

// Fills the proxy's upstreams and pacing from the options and the environment as it was.
inline Status ApplyProxyOptions(const ProxyCliOptions& cli, proxy::ProxyOptions& o) {
  if (const char* v = std::getenv("OPENAI_BASE_URL"); v != nullptr && *v != '\0')
    o.openai_upstream = v;
  if (const char* v = std::getenv("ANTHROPIC_BASE_URL"); v != nullptr && *v != '\0')
    o.anthropic_upstream = v;
  if (const char* v = std::getenv("GOOGLE_GEMINI_BASE_URL"); v != nullptr && *v != '\0')
    o.gemini_upstream = v;
  for (const std::string& u : cli.upstreams) {
    if (u.rfind("openai=", 0) == 0) {
      o.openai_upstream = u.substr(7);
    } else if (u.rfind("anthropic=", 0) == 0) {
      o.anthropic_upstream = u.substr(10);
    } else if (u.rfind("gemini=", 0) == 0) {
      o.gemini_upstream = u.substr(7);
    } else if (u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0) {
      o.openai_upstream = u;
    } else {
      return Status::InvalidArgument("--upstream '" + u +
                                     "': expected openai=URL, anthropic=URL, gemini=URL or a URL");
    }
  }
  o.pace = cli.pace == "recorded" ? proxy::Pace::kRecorded : proxy::Pace::kFast;
  o.max_body_bytes = cli.max_body_bytes;
  if (!cli.faults.empty()) {
    auto plan = proxy::FaultPlan::Parse(cli.faults);
    if (!plan.ok()) return plan.status();
    o.faults = std::move(plan).value();
  }
  return Status::Ok();
}

}  // namespace baton::cli

#endif  // BATON_HARNESS_CLI_PROXY_OPTIONS_H_
