#include "harness/examples/research_team.h"

#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

namespace baton::examples {
namespace {

using std::chrono::milliseconds;

const char* const kAgents[] = {"planner", "researcher", "analyst", "writer", "reviewer"};

uint64_t Hash(const std::string& text, uint64_t seed) {
  return XXH64(text.data(), text.size(), seed);
}

// The value after "KEY: " on its own line of `text`, or "".
std::string Field(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ": ", 0) == 0) return line.substr(key.size() + 2);
  return "";
}

std::string LastUserText(const ModelRequest& r) {
  for (auto it = r.messages.rbegin(); it != r.messages.rend(); ++it)
    if (it->role == "user") return it->content.text;
  return "";
}

// A few words of `text` after `marker`, to carry content from prompt to answer the way a
// real model quotes its inputs.
std::string Quote(const std::string& text, const std::string& marker, size_t max_chars) {
  size_t at = text.find(marker);
  if (at == std::string::npos) return "";
  std::string q = text.substr(at + marker.size(), max_chars);
  size_t nl = q.find('\n');
  return nl == std::string::npos ? q : q.substr(0, nl);
}

struct Document {
  const char* title;
  const char* text;
};
const Document kDocuments[] = {
    {"ACME quarterly filing",
     "ACME Corp revenue rose 3% while supply chain risk increased in Asia."},
    {"Sector outlook", "Analysts expect market volatility and rising interest rates next quarter."},
    {"Supplier news", "ACME's main chip supplier reported delays of six weeks."},
    {"Competitor update", "Globex launched a cheaper product that targets ACME's core market."},
    {"Currency report", "A stronger dollar reduces ACME's overseas revenue by about 2%."},
    {"Regulation watch", "New export rules may restrict ACME shipments to two markets."},
};

ModelRequest Prompt(const std::string& system, const std::string& user) {
  ModelRequest r;
  r.model = "scripted-research-1";
  r.parameters = {{"temperature", "0.2"}};
  r.messages = {{"system", Content(system), "", ""}, {"user", Content(user), "", ""}};
  return r;
}

// One run of the workflow: the agents' handlers and their state.
class Team {
 public:
  Team(AgentRuntime& rt, const ResearchTeamOptions& o) : rt_(rt), opt_(o) {}

  Status Start() {
    rt_.context().Write("data_feed", "market_data",
                        "ACME Q3: revenue 4.2B USD, growth 3%, supply risk index 0.41");
    if (opt_.incident == Incident::kStaleContext) {
      // The feed keeps updating; v7 revises the quarter sharply, 12 s before the task.
      for (int v = 2; v <= 6; ++v) {
        rt_.Sleep(std::chrono::seconds(2));
        rt_.context().Write("data_feed", "market_data",
                            "ACME Q3 update " + std::to_string(v) +
                                ": revenue 4.2B USD, growth 3%, supply risk index 0.4" +
                                std::to_string(v));
      }
      rt_.Sleep(std::chrono::seconds(2));
      rt_.context().Write("data_feed", "market_data",
                          "ACME Q3 revised: revenue 3.1B USD, growth -8%, supply risk index 0.83");
      rt_.Sleep(std::chrono::seconds(12));
    }
    rt_.channel().Send("user", "planner", "assess_risks", opt_.task);
    return Status::Ok();
  }

  Status Handle(const std::string& agent, const AgentMessage& m) {
    Status s;
    if (agent == "planner") s = m.intent == "final" ? PlannerFinal(m) : PlannerRoute(m);
    if (agent == "researcher") s = Researcher(m);
    if (agent == "analyst") s = Analyst(m);
    if (agent == "writer") {
      s = Writer(m);
      if (s.ok() && dropped_) return s;  // The message was lost: never processed.
    }
    if (agent == "reviewer") s = Reviewer(m);
    if (s.ok()) rt_.channel().Processed(agent, m);
    return s;
  }

  bool done() const { return done_.load(); }
  const std::string& report() const { return report_; }

 private:
  bool WriterChecksInputs() const {
    return opt_.incident != Incident::kStaleContext && opt_.incident != Incident::kEmptyToolResult;
  }
  bool JudgeResearch() const {
    return opt_.incident == Incident::kStaleContext || opt_.incident == Incident::kEmptyToolResult;
  }

  Status PlannerRoute(const AgentMessage& m) {
    // The routing error starts here: the planner reads "assess" as "summarize".
    std::string understood = opt_.incident == Incident::kRoutingError ? "summarize" : m.intent;
    rt_.channel().Interpret("planner", m, understood, "plan the work for: " + m.payload);
    auto plan = rt_.CallModel(
        "planner",
        Prompt("You are the planner of a research team. Route each task to the agents it needs.",
               "[planner] Task (" + understood + "): " + m.payload +
                   "\nChoose the route: writer, researcher, or researcher+analyst."),
        m.delivery_seq);
    if (!plan.ok()) return plan.status();
    std::string route = Field(plan->content.text, "ROUTE");
    if (route.empty()) return Status::InvalidArgument("planner: the model gave no ROUTE");
    uint64_t decided = rt_.Record("planner",
                                  RoutingDecision{route,
                                                  {"writer", "researcher", "researcher+analyst"},
                                                  Content(Field(plan->content.text, "REASON"))},
                                  m.delivery_seq);
    int inputs = 0;
    if (route.find("researcher") != std::string::npos) {
      rt_.channel().Send("planner", "researcher", "research", m.payload, {}, decided);
      ++inputs;
    }
    if (route.find("analyst") != std::string::npos) {
      rt_.channel().Send("planner", "analyst", "analyze", m.payload, {}, decided);
      ++inputs;
    }
    std::string intent = opt_.incident == Incident::kMisunderstood ? "summarize_risks" : "write";
    rt_.channel().Send("planner", "writer", intent,
                       m.payload + "\ninputs: " + std::to_string(inputs), {}, decided);
    return Status::Ok();
  }

  Status Researcher(const AgentMessage& m) {
    rt_.channel().Interpret("researcher", m, m.intent, "find evidence for: " + m.payload);
    // The stale replica: it serves the version before the latest.
    Result<ContextValue> market = Status::NotFound("");
    if (opt_.incident == Incident::kStaleContext) {
      auto latest = rt_.context().Read("replica_sync", "market_data", m.delivery_seq);
      if (!latest.ok()) return latest.status();
      market = rt_.context().ReadVersion("researcher", "market_data", latest->version - 1,
                                         m.delivery_seq);
    } else {
      market = rt_.context().Read("researcher", "market_data", m.delivery_seq);
    }
    if (!market.ok()) return market.status();
    auto depth = rt_.RandomNumber("researcher", "search_depth");
    if (!depth.ok()) return depth.status();
    std::string args =
        "{\"query\": \"" + m.payload + "\", \"limit\": " + std::to_string(2 + *depth % 3) + "}";
    auto results = rt_.CallTool("researcher", "search", args, m.delivery_seq);
    if (!results.ok()) return results.status();
    auto answer = rt_.CallModel(
        "researcher",
        Prompt("You are a careful researcher. Cite the evidence you use.",
               "[researcher] Task: " + m.payload + "\nMarket data (v" +
                   std::to_string(market->version) + "): " + market->value + "\nSearch results:\n" +
                   (results->empty() ? "(none)\n" : *results) + "Summarize the findings."),
        m.delivery_seq);
    if (!answer.ok()) return answer.status();
    AgentMessage sent = rt_.channel().Send("researcher", "writer", "findings", answer->content.text,
                                           {{"market_data", market->version}}, m.delivery_seq);
    if (JudgeResearch()) BATON_RETURN_IF_ERROR(Judge(sent));
    return Status::Ok();
  }

  // A judge model rates an output against the latest market data; the score is recorded.
  Status Judge(const AgentMessage& output) {
    auto latest = rt_.context().Read("judge", "market_data", output.send_seq);
    if (!latest.ok()) return latest.status();
    auto verdict = rt_.CallModel(
        "judge",
        Prompt("You rate research outputs from 0 to 1.",
               "[judge] Latest market data: " + latest->value + "\nOutput:\n" + output.payload),
        output.send_seq);
    if (!verdict.ok()) return verdict.status();
    double score = std::strtod(Field(verdict->content.text, "SCORE").c_str(), nullptr);
    rt_.Record("judge",
               Score{output.send_seq, output.id, score, "judge",
                     Content(Field(verdict->content.text, "RATIONALE"))},
               output.send_seq);
    return Status::Ok();
  }

  Status Analyst(const AgentMessage& m) {
    rt_.channel().Interpret("analyst", m, m.intent, "quantify: " + m.payload);
    auto rows = rt_.CallTool("analyst", "database", "{\"company\": \"ACME\"}", m.delivery_seq);
    if (!rows.ok()) return rows.status();
    auto answer = rt_.CallModel("analyst",
                                Prompt("You are a financial analyst. Use numbers.",
                                       "[analyst] Task: " + m.payload + "\nDatabase rows:\n" +
                                           *rows + "\nGive the key figures."),
                                m.delivery_seq);
    if (!answer.ok()) return answer.status();
    rt_.channel().Send("analyst", "writer", "findings", answer->content.text, {}, m.delivery_seq);
    return Status::Ok();
  }

  Status Writer(const AgentMessage& m) {
    if (m.intent == "write" || m.intent == "summarize_risks") {
      // The misunderstanding: "summarize the risks" read as "summarize the report".
      std::string understood = m.intent == "summarize_risks" ? "summarize_report" : m.intent;
      rt_.channel().Interpret("writer", m, understood, "write the report for: " + m.payload);
      size_t at = m.payload.rfind("\ninputs: ");
      task_ = m.payload.substr(0, at);
      summarize_report_ = understood == "summarize_report";
      expected_inputs_ = at == std::string::npos ? 0 : std::stoi(m.payload.substr(at + 9));
    } else if (m.intent == "findings") {
      if (opt_.incident == Incident::kOrderRace && expected_inputs_ < 0) {
        // The race: findings before the brief are taken for noise and dropped.
        rt_.channel().Interpret("writer", m, "findings", "no task yet: ignored");
        dropped_ = true;
        return Status::Ok();
      }
      rt_.channel().Interpret("writer", m, "findings", "evidence from " + m.from);
      if (opt_.incident == Incident::kLostMessage && !restarted_) {
        // The writer crashes here and restarts empty: this message is lost.
        dropped_ = true;
        restarted_ = true;
        task_.clear();
        expected_inputs_ = -1;
        findings_.clear();
        return Status::Ok();
      }
      if (WriterChecksInputs()) CheckInput(m);
      findings_.push_back(m.from + ": " + m.payload);
    } else if (m.intent == "revise") {
      rt_.channel().Interpret("writer", m, "revise", "revise the draft: " + m.payload);
      CheckInput(m);
      feedback_ = m.payload;
    }
    dropped_ = false;
    if (expected_inputs_ < 0 || static_cast<int>(findings_.size()) < expected_inputs_) {
      return Status::Ok();  // Still waiting for the brief or for findings.
    }
    std::string findings;
    for (const std::string& f : findings_) findings += "- " + f + "\n";
    std::string prompt;
    if (summarize_report_) {
      prompt = "[writer] Summarize the report: " + task_ + "\n";
    } else if (opt_.prompt_variant == 2) {
      prompt = "[writer] Write a detailed, well-structured report on: " + task_ +
               "\nBase it only on these findings:\n" + findings;
    } else {
      prompt =
          "[writer] Write a concise report on: " + task_ + "\nUse these findings:\n" + findings;
    }
    if (!feedback_.empty()) prompt += "Reviewer feedback to address: " + feedback_ + "\n";
    prompt += "Revision: " + std::to_string(revisions_);
    auto draft = rt_.CallModel("writer", Prompt("You are the writer.", prompt), m.delivery_seq);
    if (!draft.ok()) return draft.status();
    ++revisions_;
    rt_.channel().Send("writer", "reviewer", "review", draft->content.text, {}, m.delivery_seq);
    return Status::Ok();
  }

  // The writer validates what other agents produced before building on it.
  void CheckInput(const AgentMessage& m) {
    bool usable = !m.payload.empty() && m.payload.find("I'm sorry") == std::string::npos;
    rt_.Record("writer",
               Check{m.delivery_seq, m.id, "writer.input_check", usable,
                     usable ? "non-empty, no refusal" : "empty or a refusal"},
               m.delivery_seq);
  }

  Status Reviewer(const AgentMessage& m) {
    rt_.channel().Interpret("reviewer", m, "review", "judge the draft");
    ++rounds_;
    auto verdict = rt_.CallModel(
        "reviewer",
        Prompt("You are a strict reviewer.",
               "[reviewer] Review round " + std::to_string(rounds_) + ". Draft:\n" + m.payload),
        m.delivery_seq);
    if (!verdict.ok()) return verdict.status();
    const std::string& text = verdict->content.text;
    double score = std::strtod(Field(text, "SCORE").c_str(), nullptr);
    rt_.Record("reviewer", Score{m.delivery_seq, m.id, score, "reviewer", Content(text)},
               m.delivery_seq);
    // The loop's bug: a bound of 6 rounds where the team agreed on 3.
    int max_rounds = opt_.incident == Incident::kUnboundedLoop ? 6 : 3;
    if (Field(text, "VERDICT") == "APPROVE" || rounds_ > max_rounds) {
      rt_.channel().Send("reviewer", "planner", "final", m.payload, {}, m.delivery_seq);
    } else {
      rt_.channel().Send("reviewer", "writer", "revise", Field(text, "FEEDBACK"), {},
                         m.delivery_seq);
    }
    return Status::Ok();
  }

  Status PlannerFinal(const AgentMessage& m) {
    rt_.channel().Interpret("planner", m, "final", "the approved report");
    // Acceptance: a judge compares the report with the task and the latest market data.
    auto latest = rt_.context().Read("planner", "market_data", m.delivery_seq);
    if (!latest.ok()) return latest.status();
    auto verdict = rt_.CallModel(
        "planner",
        Prompt("You accept or reject final reports.", "[acceptance] Task: " + opt_.task +
                                                          "\nLatest market data: " + latest->value +
                                                          "\nReport:\n" + m.payload),
        m.delivery_seq);
    if (!verdict.ok()) return verdict.status();
    bool accepted = Field(verdict->content.text, "VERDICT") == "PASS";
    rt_.Record("planner",
               Outcome{Content(m.payload), accepted ? Verdict::kSuccess : Verdict::kFailure,
                       accepted ? "report accepted" : Field(verdict->content.text, "REASON")},
               m.delivery_seq);
    report_ = m.payload;
    done_ = true;
    return Status::Ok();
  }

  AgentRuntime& rt_;
  const ResearchTeamOptions& opt_;
  std::atomic<bool> done_{false};
  std::string report_;
  // Writer state (only the writer's handler touches it).
  std::string task_;
  int expected_inputs_ = -1;
  bool summarize_report_ = false;
  std::vector<std::string> findings_;
  std::string feedback_;
  int revisions_ = 0;
  bool dropped_ = false;  // The writer lost the message it was handling.
  bool restarted_ = false;
  // Reviewer state.
  int rounds_ = 0;
};

constexpr milliseconds kPoll{50};
// A run with no message handled for this long (wall time) has stalled.
constexpr milliseconds kStallAfter{5000};
// Or sooner: with no agent busy and no message waiting for this many polls in a row (the
// repeats cover an agent caught between taking a message and saying it is busy).
constexpr int kIdlePollsToStall = 4;

Status Stalled(AgentRuntime& rt, bool no_mail) {
  std::string why = no_mail ? "the run stalled: the work is not done and no agent has a message"
                            : "the run stalled: no agent received a message for " +
                                  std::to_string(kStallAfter.count()) + " ms";
  if (ReplaySession* replay = rt.replay()) {
    std::string pending = replay->PendingDelivery();
    // The recording stalled the same way: that is a faithful replay, not a divergence.
    if (pending.empty()) return Status::FailedPrecondition(why);
    Divergence d;
    d.kind = EventKind::kMessageDelivery;
    d.summary = why + (pending.empty() ? "" : "; the recording's next delivery is " + pending);
    (void)replay->ReportDivergence(d);
    replay->Abort(d.summary);
    return Status::Diverged(d.summary);
  }
  return Status::FailedPrecondition(why);
}

Status RunSingleThread(AgentRuntime& rt, Team& team) {
  auto last_progress = std::chrono::steady_clock::now();
  while (!team.done()) {
    bool progress = false;
    for (const char* agent : kAgents) {
      if (!rt.channel().HasMail(agent)) continue;
      auto m = rt.channel().Receive(agent, kPoll);
      if (!m.ok()) {
        if (m.status().code() == Status::Code::kNotFound) continue;
        return m.status();
      }
      BATON_RETURN_IF_ERROR(team.Handle(agent, *m));
      progress = true;
    }
    bool any_mail = false;
    for (const char* agent : kAgents) any_mail |= rt.channel().HasMail(agent);
    if (progress) {
      last_progress = std::chrono::steady_clock::now();
    } else if (!any_mail || std::chrono::steady_clock::now() - last_progress > kStallAfter) {
      // On one thread, no mail means nobody can send any: the run is over.
      return Stalled(rt, !any_mail);
    }
  }
  return Status::Ok();
}

Status RunThreadPerAgent(AgentRuntime& rt, Team& team) {
  std::mutex mu;
  Status first_error;
  std::atomic<bool> failed{false};
  std::atomic<int64_t> handled{0};
  // Agents between taking a message and finishing with it: only they can send more.
  std::atomic<int> busy{0};
  std::vector<std::thread> threads;
  for (const char* name : kAgents) {
    threads.emplace_back([&, agent = std::string(name)] {
      while (!team.done() && !failed) {
        auto m = rt.channel().Receive(agent, kPoll);
        if (m.ok()) ++busy;
        Status s = m.ok() ? team.Handle(agent, *m) : m.status();
        if (m.ok()) {
          ++handled;
          --busy;
        }
        if (!s.ok() && s.code() != Status::Code::kNotFound) {
          std::lock_guard<std::mutex> lock(mu);
          if (first_error.ok()) first_error = s;
          failed = true;
          if (rt.replay()) rt.replay()->Abort(s.message());
        }
      }
    });
  }
  int64_t seen = -1;
  int idle_polls = 0;  // Consecutive polls with no agent busy, no mail and no progress.
  auto last_progress = std::chrono::steady_clock::now();
  while (!team.done() && !failed) {
    std::this_thread::sleep_for(kPoll);
    bool any_mail = false;
    for (const char* agent : kAgents) any_mail |= rt.channel().HasMail(agent);
    if (handled != seen) {
      seen = handled;
      idle_polls = 0;
      last_progress = std::chrono::steady_clock::now();
    } else if (busy == 0 && !any_mail) {
      if (++idle_polls >= kIdlePollsToStall) {
        // Nobody holds a message and none waits: nobody can send one again.
        std::lock_guard<std::mutex> lock(mu);
        first_error = Stalled(rt, /*no_mail=*/true);
        failed = true;
      }
    } else {
      idle_polls = 0;
      if (std::chrono::steady_clock::now() - last_progress > kStallAfter) {
        std::lock_guard<std::mutex> lock(mu);
        first_error = Stalled(rt, /*no_mail=*/false);
        failed = true;
      }
    }
  }
  for (auto& t : threads) t.join();
  return first_error;
}

}  // namespace

std::unique_ptr<ScriptedModel> NewResearchTeamModel(uint64_t seed, Incident incident) {
  auto writer_calls = std::make_shared<int>(0);
  return std::make_unique<ScriptedModel>([seed, incident, writer_calls](
                                             const ModelRequest& request,
                                             ScriptedCall& call) -> Result<ModelResponse> {
    const std::string user = LastUserText(request);
    const uint64_t h = Hash(user, seed);
    call.latency = milliseconds(600 + h % 900);
    ModelResponse r;
    r.finish_reason = "stop";
    std::string text;
    if (user.rfind("[planner]", 0) == 0) {
      static const char* kRoutes[] = {"writer", "researcher", "researcher+analyst"};
      std::string route = kRoutes[h % 3];
      std::string reason = "the task needs evidence about " + Quote(user, "): ", 40);
      switch (incident) {
        case Incident::kStaleContext:
        case Incident::kEmptyToolResult:
        case Incident::kLostMessage:
        case Incident::kOrderRace:
          route = "researcher";
          break;
        case Incident::kMisunderstood:
        case Incident::kUnboundedLoop:
        case Incident::kRetryStorm:
          route = "writer";
          break;
        case Incident::kRoutingError:
          route = "writer";
          reason = "the task only asks for a summary of what is already known";
          break;
        case Incident::kNone:
          break;
      }
      if (route == "writer" && incident == Incident::kNone)
        reason = "the task is answerable from general knowledge";
      text = "ROUTE: " + route + "\nREASON: " + reason;
    } else if (user.rfind("[researcher]", 0) == 0) {
      if (user.find("Search results:\n(none)") != std::string::npos) {
        text = "FINDINGS: no results found; from general knowledge ACME looks stable.";
      } else {
        text = "FINDINGS: " + Quote(user, "): ", 80) +
               ". Evidence: " + Quote(user, "Search results:\n", 120);
      }
    } else if (user.rfind("[judge]", 0) == 0) {
      std::string latest = Quote(user, "Latest market data: ", 200);
      std::string latest_revenue = Quote(latest, "revenue ", 4);
      std::string output_revenue = Quote(user, "revenue ", 4);
      size_t out_at = user.find("Output:\n");
      if (out_at != std::string::npos) output_revenue = Quote(user.substr(out_at), "revenue ", 4);
      if (user.find("no results found") != std::string::npos) {
        text = "SCORE: 0.20\nRATIONALE: the search returned nothing; the answer is unsupported";
      } else if (!output_revenue.empty() && output_revenue != latest_revenue) {
        text =
            "SCORE: 0.23\nRATIONALE: its figures contradict the latest market data "
            "(revenue " +
            output_revenue + " vs " + latest_revenue + ")";
      } else {
        text = "SCORE: 0.90\nRATIONALE: consistent with the latest market data";
      }
    } else if (user.rfind("[writer]", 0) == 0) {
      if (incident == Incident::kRetryStorm && ++*writer_calls <= 4) {
        call.latency = milliseconds(7500);  // The API times out, four times.
        return Status::Unavailable("HTTP 503: upstream overloaded");
      }
      if (incident == Incident::kRetryStorm) call.latency = milliseconds(2100);
      if (user.rfind("[writer] Summarize the report", 0) == 0) {
        text =
            "SUMMARY: an overview of the quarterly report, its sections and its tables "
            "(revision " +
            Quote(user, "Revision: ", 4) + ")";
      } else {
        text = "REPORT: " + Quote(user, " on: ", 80) + ". Key points: " + Quote(user, "- ", 160) +
               " (revision " + Quote(user, "Revision: ", 4) + ")";
      }
    } else if (user.rfind("[reviewer]", 0) == 0) {
      // How many rounds this seed's reviewer rejects: 0-3, fixed per seed.
      int rejections = static_cast<int>(XXH64(&seed, sizeof(seed), 7) % 4);
      if (incident != Incident::kNone) rejections = 0;
      if (incident == Incident::kUnboundedLoop) rejections = 1000;  // Never satisfied.
      int round = std::atoi(Quote(user, "Review round ", 3).c_str());
      bool approve = round > rejections;
      char score[16];
      std::snprintf(score, sizeof(score), "%.2f",
                    approve ? 0.80 + (h % 15) / 100.0 : 0.40 + (h % 25) / 100.0);
      std::string feedback = incident == Incident::kUnboundedLoop
                                 ? "cite next quarter's audited figures"
                                 : "cite a source for every figure";
      text = std::string("VERDICT: ") + (approve ? "APPROVE" : "REVISE") + "\nSCORE: " + score +
             (approve ? "" : "\nFEEDBACK: " + feedback + " (round " + std::to_string(round) + ")");
    } else if (user.rfind("[acceptance]", 0) == 0) {
      std::string task = Quote(user, "Task: ", 200);
      std::string latest = Quote(user, "Latest market data: ", 200);
      size_t at = user.find("Report:\n");
      std::string report = at == std::string::npos ? "" : user.substr(at + 8);
      std::string lower = report;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      std::string latest_revenue = Quote(latest, "revenue ", 4);
      std::string report_revenue = Quote(report, "revenue ", 4);
      if (lower.find("no results found") != std::string::npos) {
        text = "VERDICT: FAIL\nREASON: the report rests on a search that found nothing";
      } else if (lower.find("risk") == std::string::npos) {
        text = "VERDICT: FAIL\nREASON: the report does not address the risks";
      } else if (task.find("market data") != std::string::npos &&
                 lower.find("revenue") == std::string::npos) {
        text = "VERDICT: FAIL\nREASON: the report cites no market data";
      } else if (!report_revenue.empty() && report_revenue != latest_revenue) {
        text = "VERDICT: FAIL\nREASON: the report's figures are outdated (revenue " +
               report_revenue + ", latest " + latest_revenue + ")";
      } else {
        text = "VERDICT: PASS";
      }
    } else if (user.rfind("[analyst]", 0) == 0) {
      text = "ANALYSIS: " + Quote(user, "Database rows:\n", 120);
    } else {
      return Status::InvalidArgument("the scripted model has no script for: " + user.substr(0, 80));
    }
    r.content = text;
    r.usage.prompt_tokens = user.size() / 4;
    r.usage.completion_tokens = text.size() / 4;
    r.usage.total_tokens = r.usage.prompt_tokens + r.usage.completion_tokens;
    return r;
  });
}

std::unique_ptr<ToolRegistry> NewResearchTeamTools(Incident incident) {
  auto tools = std::make_unique<ToolRegistry>();
  tools->Register("search", [incident](const std::string& args) -> Result<std::string> {
    if (incident == Incident::kEmptyToolResult) return std::string();  // The index is empty.
    size_t q = args.find("\"query\": \"");
    size_t l = args.find("\"limit\": ");
    if (q == std::string::npos || l == std::string::npos)
      return Status::InvalidArgument("search: expected {\"query\": ..., \"limit\": N}");
    std::string query = args.substr(q + 10, args.find('"', q + 10) - q - 10);
    size_t limit = std::strtoul(args.c_str() + l + 9, nullptr, 10);
    // Rank documents by how many query words (4+ letters) they contain.
    std::vector<std::pair<int, const Document*>> ranked;
    for (const Document& d : kDocuments) {
      int hits = 0;
      std::istringstream words(query);
      std::string w;
      while (words >> w)
        if (w.size() >= 4 && std::string(d.text).find(w) != std::string::npos) ++hits;
      ranked.push_back({-hits, &d});
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string out;
    for (size_t i = 0; i < ranked.size() && i < limit; ++i)
      out += std::string(ranked[i].second->title) + ": " + ranked[i].second->text + "\n";
    return out;
  });
  tools->Register("database", [](const std::string& args) -> Result<std::string> {
    if (args.find("ACME") == std::string::npos) return std::string("no rows");
    return std::string(
        "quarter=Q2 revenue_busd=4.08 margin=0.18\nquarter=Q3 revenue_busd=4.20 margin=0.17\n");
  });
  return tools;
}

RuntimeOptions ResearchTeamRuntimeOptions(const ResearchTeamOptions& options) {
  RuntimeOptions ro;
  ro.time = TimeSource::kVirtual;
  ro.random_seed = options.seed * 7919 + 1;
  ro.retry = ResearchTeamRetryPolicy(options.incident);
  ro.header.session_id = "research-team-seed-" + std::to_string(options.seed);
  ro.header.agents = {"user", "planner", "researcher", "analyst", "writer", "reviewer"};
  ro.header.metadata = {{"program", "research_team"},
                        {"seed", std::to_string(options.seed)},
                        {"prompt_variant", std::to_string(options.prompt_variant)},
                        {"incident", std::string(IncidentName(options.incident))}};
  return ro;
}

ResearchTeamRun RunResearchTeamOn(const RuntimeOptions& runtime,
                                  const ResearchTeamOptions& options) {
  ResearchTeamRun run;
  auto model = NewResearchTeamModel(options.seed, options.incident);
  auto tools = NewResearchTeamTools(options.incident);
  auto rt = AgentRuntime::Create(runtime, model.get(), tools.get());
  if (!rt.ok()) {
    run.start = rt.status();
    run.report = rt.status();
    return run;
  }
  model->set_clock((*rt)->virtual_clock());
  run.report = RunResearchTeam(**rt, options);
  run.replay = (*rt)->replay_report();
  run.finish = (*rt)->Finish();
  return run;
}

RetryPolicy ResearchTeamRetryPolicy(Incident incident) {
  RetryPolicy p;
  if (incident == Incident::kRetryStorm) {
    p.max_attempts = 5;
    p.initial_backoff = std::chrono::seconds(1);
  }
  return p;
}

namespace {
constexpr std::pair<Incident, std::string_view> kIncidentNames[] = {
    {Incident::kNone, "none"},
    {Incident::kStaleContext, "stale_context"},
    {Incident::kMisunderstood, "misunderstood"},
    {Incident::kEmptyToolResult, "empty_tool_result"},
    {Incident::kUnboundedLoop, "unbounded_loop"},
    {Incident::kRetryStorm, "retry_storm"},
    {Incident::kRoutingError, "routing_error"},
    {Incident::kLostMessage, "lost_message"},
    {Incident::kOrderRace, "order_race"},
};
}  // namespace

std::string_view IncidentName(Incident incident) {
  for (const auto& [i, name] : kIncidentNames)
    if (i == incident) return name;
  return "?";
}

std::optional<Incident> ParseIncident(std::string_view name) {
  for (const auto& [i, n] : kIncidentNames)
    if (n == name) return i;
  return std::nullopt;
}

Result<std::string> RunResearchTeam(AgentRuntime& runtime, const ResearchTeamOptions& options) {
  Team team(runtime, options);
  BATON_RETURN_IF_ERROR(team.Start());
  Status s = options.threading == Threading::kSingleThread ? RunSingleThread(runtime, team)
                                                           : RunThreadPerAgent(runtime, team);
  if (!s.ok()) return s;
  return team.report();
}

}  // namespace baton::examples
