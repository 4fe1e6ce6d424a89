// Chaos replays' delivery orders: every order drawn is one the recording's causal links
// allow (a message is received only once its sender has done the receives that came before
// the send), the seed names the order, the recorded order is among those drawn, a replay
// serves the drawn order and says what moved; and `baton replay --chaos --perturb order`
// finds the race of corpora/order_race.baton that the recorded order hides.
#include "replayer/delivery_order.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "replayer/replay_session.h"
#include "tests/testing/fake_openai_server.h"
#include "tests/testing/run_command.h"
#include "tests/testing/sample_events.h"

namespace baton {
namespace {

using baton::testing::FreshTempDir;
using baton::testing::RunCommand;
using baton::testing::RunResult;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kBaton = BATON_BIN;
const std::string kTeam = RESEARCH_TEAM_BIN;
const std::string kCorpora = std::string(BATON_SOURCE_DIR) + "/corpora";

// A session written as a script: "A>B:id" is A sending message id to B, "B<id" is B
// receiving it (the sender is looked up).
Trace Script(const std::vector<std::string>& lines) {
  std::vector<Event> events;
  std::map<std::string, std::string> sender_of;
  for (const std::string& line : lines) {
    Event e;
    e.seq = events.size() + 1;
    if (size_t gt = line.find('>'); gt != std::string::npos) {
      const size_t colon = line.find(':');
      e.agent = line.substr(0, gt);
      const std::string id = line.substr(colon + 1);
      e.body = MessageSend{id, line.substr(gt + 1, colon - gt - 1), "do", Content("x"), {}};
      sender_of[id] = e.agent;
    } else {
      const size_t lt = line.find('<');
      e.agent = line.substr(0, lt);
      const std::string id = line.substr(lt + 1);
      e.body = MessageDelivery{id, sender_of[id]};
    }
    events.push_back(std::move(e));
  }
  return Trace::FromEvents(baton::testing::SampleHeader(), std::move(events));
}

// The research team's shape: the planner briefs the writer and the researcher; the
// researcher's findings race the brief to the writer; the reviewer's answer comes after
// both.
Trace Team() {
  return Script({"user>planner:task", "planner<task", "planner>researcher:research",
                 "planner>writer:brief", "researcher<research", "researcher>writer:findings",
                 "writer<brief", "writer<findings", "writer>reviewer:draft", "reviewer<draft",
                 "reviewer>writer:revise", "writer<revise"});
}

std::vector<std::string> IdsOf(const std::vector<const Event*>& order, const std::string& agent) {
  std::vector<std::string> ids;
  for (const Event* e : order)
    if (e->agent == agent) ids.push_back(e->As<MessageDelivery>()->message_id);
  return ids;
}

// Whether every delivery in `order` comes after its sender has done as many receives as
// the recording shows before the send: the causal rule, checked independently.
::testing::AssertionResult RespectsCausality(const Trace& t,
                                             const std::vector<const Event*>& order) {
  std::map<std::string, uint64_t> receives_before_send;
  std::map<std::string, std::string> sender;
  std::map<std::string, uint64_t> done;
  for (const Event& e : t.events()) {
    if (e.kind() == EventKind::kMessageDelivery) ++done[e.agent];
    if (const MessageSend* s = e.As<MessageSend>()) {
      receives_before_send[s->message_id] = done[e.agent];
      sender[s->message_id] = e.agent;
    }
  }
  done.clear();
  for (const Event* e : order) {
    const std::string& id = e->As<MessageDelivery>()->message_id;
    if (done[sender[id]] < receives_before_send[id])
      return ::testing::AssertionFailure()
             << e->agent << " received " << id << " before " << sender[id] << " could send it";
    ++done[e->agent];
  }
  return ::testing::AssertionSuccess();
}

TEST(DeliveryOrderTest, EveryOrderDrawnIsOneTheCausalLinksAllow) {
  const Trace t = Team();
  const std::vector<const Event*> recorded = RecordedDeliveries(t);
  ASSERT_EQ(recorded.size(), 6u);
  std::set<std::vector<std::string>> writer_orders;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    const std::vector<const Event*> order = PerturbDeliveryOrder(t, recorded, seed);
    ASSERT_EQ(order.size(), recorded.size());
    EXPECT_EQ(std::set<const Event*>(order.begin(), order.end()),
              std::set<const Event*>(recorded.begin(), recorded.end()));
    EXPECT_TRUE(RespectsCausality(t, order)) << "seed " << seed;
    writer_orders.insert(IdsOf(order, "writer"));
  }
  // The findings race the brief both ways; the revision, sent after both, is always last.
  EXPECT_THAT(writer_orders, ElementsAre(ElementsAre("brief", "findings", "revise"),
                                         ElementsAre("findings", "brief", "revise")));
}

TEST(DeliveryOrderTest, TheSeedNamesTheOrder) {
  const Trace t = Team();
  const std::vector<const Event*> recorded = RecordedDeliveries(t);
  std::set<std::vector<const Event*>> distinct;
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    EXPECT_EQ(PerturbDeliveryOrder(t, recorded, seed), PerturbDeliveryOrder(t, recorded, seed));
    distinct.insert(PerturbDeliveryOrder(t, recorded, seed));
  }
  EXPECT_GT(distinct.size(), 1u);
}

TEST(DeliveryOrderTest, DescribesWhatOvertookWhat) {
  const Trace t = Team();
  const std::vector<const Event*> recorded = RecordedDeliveries(t);
  EXPECT_TRUE(DescribeReordering(recorded, recorded).empty());
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    const std::vector<const Event*> order = PerturbDeliveryOrder(t, recorded, seed);
    const std::vector<std::string> lines = DescribeReordering(recorded, order);
    if (IdsOf(order, "writer").front() == "findings") {
      EXPECT_THAT(lines, ElementsAre("writer received findings before brief")) << seed;
    } else {
      EXPECT_TRUE(lines.empty()) << seed;  // Other agents' interleaving changes nothing seen.
    }
  }
}

TEST(DeliveryOrderTest, AMessageOvertakesAtMostAWindowOfEarlierOnes) {
  // 200 messages the user sent before the worker took any: all concurrent.
  std::vector<std::string> lines;
  for (int i = 0; i < 200; ++i) lines.push_back("user>worker:m" + std::to_string(i));
  for (int i = 0; i < 200; ++i) lines.push_back("worker<m" + std::to_string(i));
  const Trace t = Script(lines);
  const std::vector<const Event*> recorded = RecordedDeliveries(t);
  const std::vector<const Event*> order = PerturbDeliveryOrder(t, recorded, 5);
  ASSERT_EQ(order.size(), 200u);
  EXPECT_NE(order, recorded);
  for (size_t at = 0; at < order.size(); ++at) {
    const size_t was = std::stoul(order[at]->As<MessageDelivery>()->message_id.substr(1));
    EXPECT_LE(was, at + kMaxOvertaken) << "m" << was << " taken " << at << "th";
  }
}

TEST(DeliveryOrderTest, ALogWhoseReceivesContradictItsSendsKeepsTheRestInOrder) {
  // x receives b before y could have sent it (y sends b after receiving a, which x sent
  // after receiving b): a damaged or hand-made log. No order satisfies it; what cannot be
  // scheduled keeps its recorded order, and every delivery is still served once.
  const Trace t = Script({"x<b", "x>y:a", "y<a", "y>x:b"});
  const std::vector<const Event*> recorded = RecordedDeliveries(t);
  EXPECT_EQ(PerturbDeliveryOrder(t, recorded, 1), recorded);
}

TEST(DeliveryOrderTest, AReplayServesTheDrawnOrderAndSaysWhatMoved) {
  const Trace t = Team();
  const std::vector<const Event*> recorded = RecordedDeliveries(t);
  uint64_t swapped = 0;
  for (uint64_t seed = 1; seed <= 100 && swapped == 0; ++seed)
    if (IdsOf(PerturbDeliveryOrder(t, recorded, seed), "writer").front() == "findings")
      swapped = seed;
  ASSERT_NE(swapped, 0u);
  ReplayOptions o;
  o.mode = ReplayMode::kReplayOrRecord;
  o.overrides.delivery_order.seed = swapped;
  auto session = ReplaySession::FromTrace(t, o);
  ASSERT_TRUE(session.ok()) << session.status().message();
  // Each agent takes its messages in the drawn order, whatever order its thread asks in.
  std::vector<std::string> writer;
  for (const Event* e : PerturbDeliveryOrder(t, recorded, swapped)) {
    auto turn = (*session)->AwaitDeliveryTurn(e->agent, std::chrono::milliseconds(100));
    ASSERT_TRUE(turn.ok()) << turn.status().message();
    EXPECT_EQ(*turn, e->As<MessageDelivery>()->message_id);
    if (e->agent == "writer") writer.push_back(*turn);
    (*session)->DeliveryDone(e->agent);
  }
  EXPECT_THAT(writer, ElementsAre("findings", "brief", "revise"));
  EXPECT_THAT((*session)->Report().reordered, ElementsAre("writer received findings before brief"));
  EXPECT_THAT((*session)->Report().Render(), HasSubstr("reordered: writer received findings"));
  EXPECT_THAT((*session)->Report().ToJson(),
              HasSubstr("\"reordered\":[\"writer received findings before brief\"]"));
}

// The scenario of corpora/order_race.baton: its recording passes, and only another order
// of two concurrent deliveries shows the writer dropping the researcher's findings.
TEST(ChaosOrderCliTest, FindsTheRaceTheRecordedOrderHides) {
  const std::string dir = FreshTempDir("chaos_order");
  const std::string file = kCorpora + "/order_race.baton";
  const std::string program = " -- " + kTeam + " --incident order_race --seed 1 --quiet";
  RunResult chaos = RunCommand(kBaton + " replay --chaos 20 --perturb order " + file + program);
  EXPECT_EQ(chaos.exit_code, 1) << chaos.out << chaos.err;
  EXPECT_THAT(chaos.out, HasSubstr("the recording itself: PASS"));
  EXPECT_THAT(chaos.out, HasSubstr("1 delivery order(s) other than the recorded one"));
  EXPECT_THAT(chaos.out, HasSubstr("root=unprocessed writer<-researcher"));
  EXPECT_THAT(chaos.out,
              HasSubstr("writer received researcher->writer#1 before planner->writer#1"));
  EXPECT_THAT(chaos.out,
              HasSubstr("a message never processed at the boundary writer <- researcher"));
  EXPECT_THAT(chaos.out, Not(HasSubstr("faults injected")));
  // The printed command replays that run, perturbations included, to the same failure.
  std::smatch seed;
  ASSERT_TRUE(std::regex_search(chaos.out, seed, std::regex("first at seed (\\d+)")));
  RunResult one = RunCommand(kBaton + " replay --chaos-seed " + seed[1].str() +
                             " --perturb order --chaos-keep " + dir + " " + file + program);
  EXPECT_EQ(one.exit_code, 1) << one.out << one.err;
  EXPECT_THAT(one.out, HasSubstr("root=unprocessed writer<-researcher"));
  EXPECT_THAT(one.out, HasSubstr("reordered: writer received researcher->writer#1"));
  RunResult why = RunCommand(kBaton + " why " + dir + "/chaos-" + seed[1].str() + ".baton");
  EXPECT_THAT(why.out, HasSubstr("never processed it"));
}

// The program with an agent per thread, against the same recording: the same race, and the
// stalled run says so as soon as no agent holds or awaits a message.
TEST(ChaosOrderCliTest, AnAgentPerThreadFindsTheSameRace) {
  const std::string file = kCorpora + "/order_race.baton";
  RunResult chaos = RunCommand(kBaton + " replay --chaos 10 --perturb order " + file + " -- " +
                               kTeam + " --incident order_race --seed 1 --quiet --threads");
  EXPECT_EQ(chaos.exit_code, 1) << chaos.out << chaos.err;
  EXPECT_THAT(chaos.out, HasSubstr("root=unprocessed writer<-researcher"));
  EXPECT_THAT(chaos.out, HasSubstr("the work is not done and no agent has a message"));
}

// A proxied program delivers its own messages: chaos says it does not reorder them, and
// still perturbs the rest.
TEST(ChaosOrderCliTest, AProxiedRecordingIsNotReordered) {
  const std::string js = std::string(BATON_SOURCE_DIR) + "/tests/js";
  ASSERT_EQ(RunCommand("test -d " + js + "/node_modules/openai").exit_code, 0);
  const std::string dir = FreshTempDir("chaos_proxied");
  {
    baton::testing::FakeOpenAiServer upstream;
    upstream.Enqueue({200,
                      baton::testing::FakeOpenAiServer::CompletionBody("compounding"),
                      {},
                      std::chrono::milliseconds(0)});
    ASSERT_EQ(RunCommand("OPENAI_API_KEY=sk-test " + kBaton + " record -o " + dir +
                         "/r.baton --upstream openai=" + upstream.base_url() + " -- node " + js +
                         "/openai_retry.mjs")
                  .exit_code,
              0);
  }
  RunResult chaos = RunCommand("OPENAI_API_KEY=sk-test " + kBaton + " replay --chaos 2 " + dir +
                               "/r.baton -- node " + js + "/openai_retry.mjs");
  EXPECT_THAT(chaos.err, HasSubstr("was captured by the proxy: its program delivers its own "
                                   "messages, so chaos runs do not reorder them"));
  EXPECT_THAT(chaos.out, HasSubstr("chaos: 2 replays"));
  EXPECT_THAT(chaos.out, Not(HasSubstr("delivery order")));
  EXPECT_THAT(chaos.out, HasSubstr("faults injected"));
}

TEST(ChaosOrderCliTest, AnUnknownPerturbationIsBadInput) {
  RunResult r = RunCommand(kBaton + " replay --chaos 2 --perturb order,weather " + kCorpora +
                           "/order_race.baton -- " + kTeam + " --quiet");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("\"weather\" is not a perturbation (order, latency, faults)"));
  RunResult alone = RunCommand(kBaton + " replay --perturb order " + kCorpora +
                               "/order_race.baton -- " + kTeam + " --quiet");
  EXPECT_EQ(alone.exit_code, 2);
  EXPECT_THAT(alone.err, HasSubstr("give --chaos N or --chaos-seed S"));
}

}  // namespace
}  // namespace baton
