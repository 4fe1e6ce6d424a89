#include "base/mem_env.h"

#include <algorithm>
#include <cstring>

#include "base/status.h"

namespace baton {

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(MemEnv* env, std::string path) : env_(env), path_(std::move(path)) {}
  Status Append(std::string_view data) override { return env_->AppendTo(path_, data); }
  Status Flush() override { return Status::Ok(); }
  Status Sync() override { return Status::Ok(); }
  Status Close() override { return Status::Ok(); }

 private:
  MemEnv* env_;  // Borrowed: the env outlives its files.
  std::string path_;
};

namespace {

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  explicit MemRandomAccessFile(std::string bytes) : bytes_(std::move(bytes)) {}
  Result<std::string_view> Read(uint64_t offset, size_t n, char* scratch) const override {
    if (offset >= bytes_.size()) return std::string_view(scratch, 0);
    size_t len = std::min<uint64_t>(n, bytes_.size() - offset);
    std::memcpy(scratch, bytes_.data() + offset, len);
    return std::string_view(scratch, len);
  }
  uint64_t Size() const override { return bytes_.size(); }

 private:
  std::string bytes_;  // A snapshot taken at open.
};

// A pipe opened as a random-access file: it has no size, and reading at an offset fails as
// pread(2) fails on a pipe.
class MemUnseekableFile final : public RandomAccessFile {
 public:
  explicit MemUnseekableFile(std::string path) : path_(std::move(path)) {}
  Result<std::string_view> Read(uint64_t offset, size_t, char*) const override {
    return Status::IOError(path_ + ": read at byte " + std::to_string(offset) + ": Illegal seek");
  }
  uint64_t Size() const override { return 0; }

 private:
  std::string path_;
};

class MemSequentialFile final : public SequentialFile {
 public:
  // `read_size` 0: a regular file, read as much as asked; else a stream, at most that much.
  MemSequentialFile(std::string bytes, size_t read_size)
      : bytes_(std::move(bytes)), read_size_(read_size) {}
  Result<std::string_view> Read(size_t n, char* scratch) override {
    size_t len = std::min(n, bytes_.size() - offset_);
    if (read_size_ != 0) len = std::min(len, read_size_);
    std::memcpy(scratch, bytes_.data() + offset_, len);
    offset_ += len;
    return std::string_view(scratch, len);
  }
  std::optional<uint64_t> SizeWhenOpened() const override {
    if (read_size_ != 0) return std::nullopt;
    return bytes_.size();
  }

 private:
  std::string bytes_;  // A snapshot taken at open.
  size_t read_size_ = 0;
  size_t offset_ = 0;
};

}  // namespace

Result<std::unique_ptr<WritableFile>> MemEnv::NewWritableFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  files_[path] = std::make_shared<std::string>();
  return std::unique_ptr<WritableFile>(new MemWritableFile(this, path));
}

Result<std::unique_ptr<RandomAccessFile>> MemEnv::NewRandomAccessFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound(path + ": no such file");
  if (streams_.count(path) != 0)
    return std::unique_ptr<RandomAccessFile>(new MemUnseekableFile(path));
  return std::unique_ptr<RandomAccessFile>(new MemRandomAccessFile(*it->second));
}

Result<std::unique_ptr<SequentialFile>> MemEnv::NewSequentialFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound(path + ": no such file");
  auto stream = streams_.find(path);
  return std::unique_ptr<SequentialFile>(
      new MemSequentialFile(*it->second, stream == streams_.end() ? 0 : stream->second));
}

Status MemEnv::RenameFile(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(from);
  if (it == files_.end()) return Status::NotFound(from + ": no such file");
  files_[to] = it->second;
  files_.erase(from);
  return Status::Ok();
}

Status MemEnv::RemoveFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  if (files_.erase(path) == 0) return Status::NotFound(path + ": no such file");
  return Status::Ok();
}

bool MemEnv::FileExists(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  return files_.count(path) != 0;
}

bool MemEnv::DirectoryExists(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  return directories_.count(path) != 0;
}

void MemEnv::MakeDirectory(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  directories_.insert(path);
}

std::optional<std::string> MemEnv::Contents(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return std::nullopt;
  return *it->second;
}

void MemEnv::SetContents(const std::string& path, std::string bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  files_[path] = std::make_shared<std::string>(std::move(bytes));
}

void MemEnv::MakeStream(const std::string& path, size_t read_size) {
  BATON_CHECK(read_size > 0);
  std::lock_guard<std::mutex> lock(mu_);
  streams_[path] = read_size;
}

void MemEnv::FailWritesAfter(uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  write_budget_ = bytes;
}

Status MemEnv::AppendTo(const std::string& path, std::string_view data) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::IOError(path + ": file was removed while open");
  if (write_budget_) {
    if (*write_budget_ < data.size()) {
      it->second->append(data.substr(0, *write_budget_));
      *write_budget_ = 0;
      return Status::IOError(path + ": injected write failure (disk full)");
    }
    *write_budget_ -= data.size();
  }
  it->second->append(data);
  return Status::Ok();
}

}  // namespace baton
