// Text placed in XML or HTML (JUnit reports, the report page's title): the five special
// characters escaped, and the control characters XML 1.0 forbids even escaped dropped.
#ifndef BATON_BASE_MARKUP_ESCAPE_H_
#define BATON_BASE_MARKUP_ESCAPE_H_

#include <string>
#include <string_view>

namespace baton {

std::string EscapeMarkup(std::string_view text);

}  // namespace baton

#endif  // BATON_BASE_MARKUP_ESCAPE_H_
