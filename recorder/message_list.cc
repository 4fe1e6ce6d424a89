// MessageList: shared, append-only storage with one view per request (see event.h).
#include <atomic>
#include <memory>
#include <new>
#include <utility>

#include "base/status.h"
#include "recorder/event.h"

namespace baton {

// A fixed-capacity array whose first `used` slots hold messages. A slot is claimed with a
// compare-and-swap on `used` from the claiming list's size, so only a list that sees every
// message stored so far can append in place; the others copy. Stored messages are never
// changed or moved while the storage is shared, and the array is never reallocated, so a
// list's messages stay where they are for as long as it holds the storage.
struct MessageList::Storage {
  explicit Storage(size_t capacity)
      : capacity(capacity), items(std::allocator<ChatMessage>().allocate(capacity)) {}
  ~Storage() {
    std::destroy_n(items, used.load(std::memory_order_acquire));
    std::allocator<ChatMessage>().deallocate(items, capacity);
  }
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  const size_t capacity;
  ChatMessage* const items;
  std::atomic<size_t> used{0};
};

MessageList::MessageList(std::initializer_list<ChatMessage> messages) {
  reserve(messages.size());
  for (const ChatMessage& m : messages) push_back(m);
}

MessageList::MessageList(std::vector<ChatMessage> messages) {
  reserve(messages.size());
  for (ChatMessage& m : messages) push_back(std::move(m));
}

const ChatMessage* MessageList::data() const {
  return storage_ == nullptr ? nullptr : storage_->items;
}

bool MessageList::Unique() const { return storage_ != nullptr && storage_.use_count() == 1; }

void MessageList::Reallocate(size_t capacity) {
  BATON_CHECK(capacity >= size_);
  auto fresh = std::make_shared<Storage>(capacity);
  if (Unique()) {
    std::uninitialized_move_n(storage_->items, size_, fresh->items);
  } else if (size_ > 0) {
    std::uninitialized_copy_n(storage_->items, size_, fresh->items);
  }
  fresh->used.store(size_, std::memory_order_relaxed);
  storage_ = std::move(fresh);
}

void MessageList::push_back(ChatMessage message) {
  if (storage_ != nullptr && size_ < storage_->capacity) {
    size_t expected = size_;
    if (storage_->used.compare_exchange_strong(expected, size_ + 1, std::memory_order_acq_rel)) {
      try {
        new (storage_->items + size_) ChatMessage(std::move(message));
      } catch (...) {
        // Nobody can have claimed past a slot that was never filled.
        storage_->used.store(size_, std::memory_order_release);
        throw;
      }
      ++size_;
      return;
    }
  }
  // Full, or another list appended here first: continue in storage of our own, with room
  // to grow geometrically so that a conversation still costs O(1) per message.
  Reallocate(size_ < 4 ? 8 : 2 * size_);
  new (storage_->items + size_) ChatMessage(std::move(message));
  storage_->used.store(size_ + 1, std::memory_order_release);
  ++size_;
}

void MessageList::reserve(size_t capacity) {
  if (capacity <= size_) return;
  if (storage_ != nullptr && capacity <= storage_->capacity &&
      storage_->used.load(std::memory_order_acquire) == size_)
    return;
  Reallocate(capacity);
}

void MessageList::Truncate(size_t n) {
  BATON_CHECK(n <= size_);
  if (Unique()) {
    // Nobody else sees the tail: destroy it so that the slots can be claimed again.
    size_t used = storage_->used.load(std::memory_order_acquire);
    std::destroy(storage_->items + n, storage_->items + used);
    storage_->used.store(n, std::memory_order_release);
  }
  size_ = n;
}

ChatMessage& MessageList::Mutable(size_t i) {
  BATON_CHECK(i < size_);
  if (!Unique()) Reallocate(size_);
  return storage_->items[i];
}

void MessageList::Unshare() {
  if (storage_ != nullptr && !Unique()) Reallocate(size_);
}

MessageList MessageList::Prefix(size_t n) const {
  BATON_CHECK(n <= size_);
  MessageList out;
  if (n > 0) out.storage_ = storage_;
  out.size_ = n;
  return out;
}

size_t MessageList::SharedPrefix(const MessageList& a, const MessageList& b) {
  if (a.storage_ == nullptr || a.storage_ != b.storage_) return 0;
  return std::min(a.size_, b.size_);
}

size_t MessageList::CommonPrefix(const MessageList& a, const MessageList& b) {
  size_t n = SharedPrefix(a, b);
  size_t limit = std::min(a.size_, b.size_);
  while (n < limit && a[n] == b[n]) ++n;
  return n;
}

bool operator==(const MessageList& a, const MessageList& b) {
  return a.size_ == b.size_ && MessageList::CommonPrefix(a, b) == a.size_;
}

}  // namespace baton
