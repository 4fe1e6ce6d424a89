// Field-level and line-level differences between a recorded and a live value, shown the
// way a reviewer wants them: only the part that changed, with a little context.
#ifndef BATON_REPLAYER_TEXT_DIFF_H_
#define BATON_REPLAYER_TEXT_DIFF_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "replayer/event_json.h"

namespace baton {

// The differing part of two texts. Multi-line texts give unified-diff style hunks
// ("  same", "- recorded", "+ live") with `context_lines` unchanged lines around each
// change; within a changed line (and for single-line texts) the common prefix and suffix
// are cut down to `context_chars` characters, marked with "...".
std::string DiffTexts(const std::string& recorded, const std::string& live, int context_lines = 2,
                      size_t context_chars = 60);

struct FieldDifference {
  enum class Change { kChanged, kOnlyRecorded, kOnlyLive };
  Change change = Change::kChanged;
  std::string path;
  std::string recorded;  // Empty for kOnlyLive.
  std::string live;      // Empty for kOnlyRecorded.
  friend bool operator==(const FieldDifference&, const FieldDifference&) = default;
};

// "changed", "only_recorded", "only_live": the names replay reports and the HTML report use.
std::string_view FieldChangeName(FieldDifference::Change change);
std::optional<FieldDifference::Change> FieldChangeFromName(std::string_view name);

// Fields compared by path, in the recorded order (then live-only fields).
std::vector<FieldDifference> DiffFields(const std::vector<EventField>& recorded,
                                        const std::vector<EventField>& live);

// One block of text per difference: the path, then DiffTexts of the values.
std::string RenderFieldDifferences(const std::vector<FieldDifference>& diffs);

// `text` with `prefix` before every line (for nesting a diff under a heading).
std::string IndentLines(const std::string& text, const std::string& prefix);

}  // namespace baton

#endif  // BATON_REPLAYER_TEXT_DIFF_H_
