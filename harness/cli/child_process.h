// Running the user's program under a verb (record, replay): its environment, its exit
// status, signals passed on to it, and the files the verb prepares for it.
#ifndef BATON_HARNESS_CLI_CHILD_PROCESS_H_
#define BATON_HARNESS_CLI_CHILD_PROCESS_H_

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace baton::cli {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

// Runs argv with `extra_env` over this process's environment (other BATON_* variables are
// dropped, so an outer recording does not leak in). SIGINT and SIGTERM sent to baton while it
// runs are passed on to the program. Its standard error is baton's, or goes to the file
// `stderr_path` when one is given (many runs of a chaos replay). Returns its exit status
// (128+N when signal N ended it).
Result<int> RunProgram(const std::vector<std::string>& argv, const EnvVars& extra_env,
                       const std::string& stderr_path = "");

// The variables that point OpenAI, Anthropic and Google Gen AI SDKs at a proxy at `origin`
// ("http://127.0.0.1:PORT"): OPENAI_BASE_URL, OPENAI_API_BASE, ANTHROPIC_BASE_URL,
// GOOGLE_GEMINI_BASE_URL.
EnvVars ProxyEnvironment(const std::string& origin);

// The last line of a program's saved standard error that is not blank or indented (a
// traceback's exception, a program's last complaint), shortened; "" when none.
std::string LastComplaint(const std::string& stderr_path);

// Whether `path` can be created: not a directory, in a directory that can be written.
Status CheckWritable(const std::string& path);

// A new directory only this user can read, named unpredictably (mkdtemp): another local user
// cannot plant files or symlinks in it.
Result<std::filesystem::path> MakePrivateTempDir(const std::string& prefix);

}  // namespace baton::cli

#endif  // BATON_HARNESS_CLI_CHILD_PROCESS_H_
