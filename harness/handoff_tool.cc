#include "harness/handoff_tool.h"

#include <cctype>

#include "base/json_parse.h"

namespace baton {
namespace {

// The tools that name their target in an argument, by their name as a model sees it
// (compared without case, a space the same as an underscore), and that argument.
struct SharedHandoffTool {
  std::string_view name;
  std::string_view target_argument;
};
constexpr SharedHandoffTool kSharedHandoffTools[] = {
    {"transfer_to_agent", "agent_name"},
    {"handoff_to_agent", "agent_name"},
    {"handoff", "to_agent"},
    {"delegate_work_to_coworker", "coworker"},
    {"ask_question_to_coworker", "coworker"},
    {"delegate_task_to_member", "member_id"},
    {"transfer_task_to_member", "member_id"},
    {"forward_task_to_member", "member_id"},
    {"task", "subagent_type"},
};

// Prefixes that name the target in the rest of the tool's name, longest first:
// transfer_back_to_ would otherwise read as transfer_... to "back_to_<agent>".
constexpr std::string_view kNamingPrefixes[] = {"transfer_back_to_", "transfer_to_", "handoff_to_"};

bool SameToolName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto fold = [](char c) {
      return c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    };
    if (fold(a[i]) != fold(b[i])) return false;
  }
  return true;
}

// The string `key` of the JSON object `arguments_json`, nullopt when it is not one or empty.
std::optional<std::string> StringArgument(std::string_view arguments_json, std::string_view key) {
  auto args = JsonDocument::Parse(arguments_json, "a handoff tool's arguments");
  if (!args.ok() || !args->root().isObject()) return std::nullopt;
  for (auto field : args->root().getObject())
    if (std::string_view(field.getName().cStr()) == key && field.getValue().isString() &&
        field.getValue().getString().size() > 0)
      return std::string(field.getValue().getString().cStr());
  return std::nullopt;
}

}  // namespace

std::string HandoffMessage(std::string_view said, std::string_view arguments) {
  if (said.empty()) return std::string(arguments);
  if (arguments.empty() || arguments == "{}") return std::string(said);
  std::string message(said);
  message += '\n';
  message += arguments;
  return message;
}

std::optional<std::string> HandoffToolTarget(std::string_view tool_name,
                                             std::string_view arguments_json) {
  for (const SharedHandoffTool& tool : kSharedHandoffTools)
    if (SameToolName(tool_name, tool.name))
      return StringArgument(arguments_json, tool.target_argument);
  // Semantic Kernel sends a plugin's function as <plugin>-<function>: its handoff functions
  // are the Handoff plugin's transfer_to_<agent>.
  if (const size_t dash = tool_name.find('-'); dash != std::string_view::npos)
    for (std::string_view prefix : kNamingPrefixes)
      if (tool_name.substr(dash + 1).starts_with(prefix)) {
        tool_name.remove_prefix(dash + 1);
        break;
      }
  for (std::string_view prefix : kNamingPrefixes)
    if (tool_name.starts_with(prefix))
      return tool_name.size() > prefix.size()
                 ? std::optional<std::string>(tool_name.substr(prefix.size()))
                 : std::nullopt;
  return std::nullopt;
}

}  // namespace baton
