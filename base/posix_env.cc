#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>

#include "base/env.h"

namespace baton {
namespace {

Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  std::string msg = path + ": " + what + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(msg);
  return Status::IOError(msg);
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) (void)Close();
  }

  Status Append(std::string_view data) override {
    if (buffer_.size() + data.size() > kBufferBytes) {
      BATON_RETURN_IF_ERROR(Flush());
      if (data.size() >= kBufferBytes) return WriteAll(data);
    }
    buffer_.append(data);
    return Status::Ok();
  }

  Status Flush() override {
    Status s = WriteAll(buffer_);
    buffer_.clear();
    return s;
  }

  Status Sync() override {
    BATON_RETURN_IF_ERROR(Flush());
    if (::fdatasync(fd_) != 0) return ErrnoStatus("fdatasync", path_, errno);
    return Status::Ok();
  }

  Status Close() override {
    if (fd_ < 0) return Status::Ok();
    Status s = Flush();
    if (::close(fd_) != 0 && s.ok()) s = ErrnoStatus("close", path_, errno);
    fd_ = -1;
    return s;
  }

 private:
  static constexpr size_t kBufferBytes = 64 << 10;

  Status WriteAll(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }

  std::string path_;
  int fd_ = -1;
  std::string buffer_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }

  Result<std::string_view> Read(uint64_t offset, size_t n, char* scratch) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, scratch + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        if (errno == ESPIPE)
          return Status::IOError(path_ +
                                 ": a pipe or stream, not a file: it cannot be read at byte " +
                                 std::to_string(offset + done) + "; save it to a file first");
        return ErrnoStatus("read at byte " + std::to_string(offset + done), path_, errno);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    return std::string_view(scratch, done);
  }
  uint64_t Size() const override { return size_; }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd, std::optional<uint64_t> size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixSequentialFile() override { ::close(fd_); }

  Result<std::string_view> Read(size_t n, char* scratch) override {
    for (;;) {
      ssize_t r = ::read(fd_, scratch, n);
      if (r >= 0) {
        offset_ += static_cast<uint64_t>(r);
        return std::string_view(scratch, static_cast<size_t>(r));
      }
      if (errno != EINTR)
        return ErrnoStatus("read at byte " + std::to_string(offset_), path_, errno);
    }
  }
  std::optional<uint64_t> SizeWhenOpened() const override { return size_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::optional<uint64_t> size_;
  uint64_t offset_ = 0;
};

struct OpenedForReading {
  int fd = -1;  // Owned by whoever takes it.
  struct stat st {};
};

// `path` opened read-only, with what fstat says of it; a directory is refused.
Result<OpenedForReading> OpenForReading(const std::string& path) {
  OpenedForReading out;
  out.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (out.fd < 0) return ErrnoStatus("cannot open", path, errno);
  if (::fstat(out.fd, &out.st) != 0) {
    int err = errno;
    ::close(out.fd);
    return ErrnoStatus("cannot stat", path, err);
  }
  if (S_ISDIR(out.st.st_mode)) {
    ::close(out.fd);
    return Status::InvalidArgument(path + ": is a directory");
  }
  return out;
}

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("cannot create", path, errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd));
  }

  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    BATON_ASSIGN_OR_RETURN(OpenedForReading opened, OpenForReading(path));
    return std::unique_ptr<RandomAccessFile>(
        new PosixRandomAccessFile(path, opened.fd, static_cast<uint64_t>(opened.st.st_size)));
  }

  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override {
    BATON_ASSIGN_OR_RETURN(OpenedForReading opened, OpenForReading(path));
    // Only a regular file's size says where it ends; a pipe, a FIFO or a terminal reports 0.
    std::optional<uint64_t> size;
    if (S_ISREG(opened.st.st_mode)) size = static_cast<uint64_t>(opened.st.st_size);
    return std::unique_ptr<SequentialFile>(new PosixSequentialFile(path, opened.fd, size));
  }

  Status RenameFile(const std::string& from, const std::string& to) override {
    if (std::rename(from.c_str(), to.c_str()) != 0)
      return ErrnoStatus("cannot rename to " + to, from, errno);
    return Status::Ok();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("cannot remove", path, errno);
    return Status::Ok();
  }

  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }
  bool DirectoryExists(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }
};

}  // namespace

std::unique_ptr<Env> NewPosixEnv() { return std::make_unique<PosixEnv>(); }

}  // namespace baton
