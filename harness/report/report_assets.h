// The page's own script, styles and markup, compiled in from report_page.{js,css} and
// report_page_body.html (cmake/embed_report_assets.cmake) so that `baton report` needs no
// files beside the binary and every page it writes is self-contained.
#ifndef BATON_HARNESS_REPORT_REPORT_ASSETS_H_
#define BATON_HARNESS_REPORT_REPORT_ASSETS_H_

namespace baton::report {

extern const char kReportCss[];
extern const char kReportJs[];
extern const char kReportBody[];

}  // namespace baton::report

#endif  // BATON_HARNESS_REPORT_REPORT_ASSETS_H_
