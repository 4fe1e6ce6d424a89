// The --group-by option of the verbs that turn spans into sessions: import otlp and serve.
#ifndef BATON_HARNESS_CLI_GROUP_BY_OPTION_H_
#define BATON_HARNESS_CLI_GROUP_BY_OPTION_H_

#include <CLI/CLI.hpp>
#include <map>
#include <string>

#include "harness/otel/span_import.h"

namespace baton::cli {

inline void AddGroupByOption(CLI::App* sub, otel::GroupBy& group_by) {
  std::map<std::string, otel::GroupBy> by_name;
  for (otel::GroupBy g :
       {otel::GroupBy::kAuto, otel::GroupBy::kTrace, otel::GroupBy::kConversation})
    by_name.emplace(std::string(otel::GroupByName(g)), g);
  sub->add_option("--group-by", group_by,
                  "auto: by gen_ai.conversation.id / session.id where spans carry one, else by "
                  "trace, a trace whose root is linked to another joining it; trace; "
                  "conversation")
      ->transform(CLI::CheckedTransformer(by_name, CLI::ignore_case));
}

}  // namespace baton::cli

#endif  // BATON_HARNESS_CLI_GROUP_BY_OPTION_H_
