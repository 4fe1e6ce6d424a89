// Delivery orders other than the recorded one that a session's causal links allow: what a
// chaos replay perturbs to find failures that only pass because of the order messages
// happened to arrive in (rr's chaos mode, for agents).
//
// The recording fixes which message each agent received at each of its receives. Another
// run could have given an agent any message already sent to it at that point: a message is
// sendable once its sender has done the receives that came before the send in the
// recording (program order per agent, and a send before its delivery: Lamport's
// happens-before). A perturbed order is drawn by scheduling the recorded receives at random
// under that rule; it is always one the causal links allow, and the recorded order is one
// of the orders it can draw.
#ifndef BATON_REPLAYER_DELIVERY_ORDER_H_
#define BATON_REPLAYER_DELIVERY_ORDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "recorder/event.h"
#include "replayer/trace.h"

namespace baton {

// The recording's message_delivery events, in recorded order.
std::vector<const Event*> RecordedDeliveries(const Trace& trace);

// `recorded` (the deliveries of `trace` in recorded order) in an order drawn from `seed`.
// The same trace and seed give the same order. A message is not moved ahead of more than
// kMaxOvertaken earlier receives of its receiver (bounds the work on long sessions; later
// messages are not concurrent in practice).
inline constexpr size_t kMaxOvertaken = 64;
std::vector<const Event*> PerturbDeliveryOrder(const Trace& trace,
                                               const std::vector<const Event*>& recorded,
                                               uint64_t seed);

// How `perturbed` differs from `recorded` for the receivers: one line per message that
// overtook another at the same receiver ("writer received researcher->writer#1 before
// planner->writer#1"), at most `max_lines`. Empty when every agent receives in the recorded
// order (the interleaving of different agents' receives alone changes nothing they see).
std::vector<std::string> DescribeReordering(const std::vector<const Event*>& recorded,
                                            const std::vector<const Event*>& perturbed,
                                            size_t max_lines = 8);

}  // namespace baton

#endif  // BATON_REPLAYER_DELIVERY_ORDER_H_
