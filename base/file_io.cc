#include "base/file_io.h"

#include <cstring>
#include <memory>

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
  auto file = env.NewRandomAccessFile(path);
  if (!file.ok()) return file.status();
  const uint64_t size = (*file)->Size();
  if (size > max_bytes)
    return Status::InvalidArgument(path + ": " + std::to_string(size) +
                                   " bytes, over the limit of " + std::to_string(max_bytes));
  char* const out = buffer_for(static_cast<size_t>(size));
  size_t done = 0;
  while (done < size) {
    auto got = (*file)->Read(done, static_cast<size_t>(size) - done, out + done);
    if (!got.ok()) return got.status();
    if (got->empty()) break;  // Shrank while reading.
    // Read may return a view into its own storage instead of the scratch buffer.
    if (got->data() != out + done) std::memmove(out + done, got->data(), got->size());
    done += got->size();
  }
  return done;
}

}  // namespace baton
