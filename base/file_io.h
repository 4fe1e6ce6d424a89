// Whole-file helpers over Env (after LevelDB's WriteStringToFile / ReadFileToString): every
// caller that writes a report, a policy or a replay summary gets every write error back.
#ifndef BATON_BASE_FILE_IO_H_
#define BATON_BASE_FILE_IO_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/env.h"
#include "base/status.h"

namespace baton {

// Replaces `path` with `data`: written to PATH.tmp, synced, then renamed over PATH, so a
// reader never sees half a file. Fails, naming the path, when any step fails.
Status WriteStringToFile(Env& env, std::string_view data, const std::string& path);

// The whole file, refusing files over `max_bytes` (untrusted input must not choose how
// much memory it takes). A pipe, a FIFO or standard input is read to its end.
Result<std::string> ReadFileToString(Env& env, const std::string& path,
                                     uint64_t max_bytes = uint64_t{1} << 30);

// The same read into memory of the caller's: `buffer_for(size)` returns where the file's
// `size` bytes go (for a parser that wants its input in a buffer with room after it).
// Returns how many bytes were read (fewer if the file shrank meanwhile).
Result<size_t> ReadFileInto(Env& env, const std::string& path, uint64_t max_bytes,
                            const std::function<char*(size_t)>& buffer_for);

}  // namespace baton

#endif  // BATON_BASE_FILE_IO_H_
