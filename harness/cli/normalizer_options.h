// Command-line options for the normalizers (replayer/request_normalizer.h), shared by the
// verbs that compare sessions: diff and replay.
#ifndef BATON_HARNESS_CLI_NORMALIZER_OPTIONS_H_
#define BATON_HARNESS_CLI_NORMALIZER_OPTIONS_H_

#include <CLI/CLI.hpp>

#include "replayer/request_normalizer.h"

namespace baton::cli {

inline void AddNormalizerOptions(CLI::App* sub, Normalizers& n) {
  sub->add_option("--ignore-field", n.ignored_fields,
                  "A field path (or prefix) left out of comparisons, e.g. request.parameters.user; "
                  "request.headers is always left out")
      ->take_all()
      ->each([&n](const std::string&) {
        // CLI11 replaced the defaults; keep headers out whatever was given.
        if (std::find(n.ignored_fields.begin(), n.ignored_fields.end(), "request.headers") ==
            n.ignored_fields.end())
          n.ignored_fields.push_back("request.headers");
      });
  sub->add_option("--volatile", n.volatile_patterns,
                  "A regex whose matches are ignored in every value (ids, timestamps)");
  sub->add_option(
      "--json-path", n.json_paths,
      "A dotted path inside JSON values that is ignored (metadata.request_id, items.*.id)");
}

}  // namespace baton::cli

#endif  // BATON_HARNESS_CLI_NORMALIZER_OPTIONS_H_
