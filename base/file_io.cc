#include "base/file_io.h"

#include <cstring>
#include <memory>
#include <optional>

namespace baton {

Status WriteStringToFile(Env& env, std::string_view data, const std::string& path) {
  if (env.DirectoryExists(path)) return Status::InvalidArgument(path + ": is a directory");
  const std::string tmp = path + ".tmp";
  auto file = env.NewWritableFile(tmp);
  if (!file.ok()) return file.status();
  Status s = (*file)->Append(data);
  if (s.ok()) s = (*file)->Sync();
  Status closed = (*file)->Close();
  if (s.ok()) s = closed;
  if (s.ok()) s = env.RenameFile(tmp, path);
  if (!s.ok()) env.RemoveFile(tmp).IgnoreError();  // The first error is the one to report.
  return s;
}

Result<std::string> ReadFileToString(Env& env, const std::string& path, uint64_t max_bytes) {
  std::string out;
  Result<size_t> read = ReadFileInto(env, path, max_bytes, [&out](size_t size) {
    out.resize(size);
    return out.data();
  });
  if (!read.ok()) return read.status();
  out.resize(*read);
  return out;
}

Result<size_t> ReadFileInto(Env& env, const std::string& path, uint64_t max_bytes,
                            const std::function<char*(size_t)>& buffer_for) {
  auto file = env.NewSequentialFile(path);
  if (!file.ok()) return file.status();
  auto over_limit = [&](uint64_t size) {
    return Status::InvalidArgument(path + ": " + std::to_string(size) +
                                   " bytes, over the limit of " + std::to_string(max_bytes));
  };
  const std::optional<uint64_t> known = (*file)->SizeWhenOpened();
  // A stream (a pipe, standard input) says its size only by ending, and so does a regular
  // file that reports 0 (/proc): it is read whole first, then handed over.
  if (!known.has_value() || *known == 0) {
    constexpr size_t kReadSize = 64 << 10;
    std::string bytes;
    for (;;) {
      const size_t at = bytes.size();
      bytes.resize(at + kReadSize);
      auto got = (*file)->Read(kReadSize, bytes.data() + at);
      if (!got.ok()) return got.status();
      if (got->data() != bytes.data() + at)
        std::memmove(bytes.data() + at, got->data(), got->size());
      bytes.resize(at + got->size());
      if (got->empty()) break;
      if (bytes.size() > max_bytes) return over_limit(bytes.size());
    }
    char* const out = buffer_for(bytes.size());
    if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
    return bytes.size();
  }
  const uint64_t size = *known;
  if (size > max_bytes) return over_limit(size);
  char* const out = buffer_for(static_cast<size_t>(size));
  size_t done = 0;
  while (done < size) {
    auto got = (*file)->Read(static_cast<size_t>(size) - done, out + done);
    if (!got.ok()) return got.status();
    if (got->empty()) break;  // Shrank while reading.
    // Read may return a view into its own storage instead of the scratch buffer.
    if (got->data() != out + done) std::memmove(out + done, got->data(), got->size());
    done += got->size();
  }
  return done;
}

}  // namespace baton
