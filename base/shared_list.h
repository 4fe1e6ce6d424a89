// SharedList<T>: a read-only sequence whose copies share their elements, and whose appends
// share storage with the list they continue.
//
// Made for conversations (MessageList in recorder/event.h): every model call resends the
// whole history, so N calls would hold N(N+1)/2 messages if each request owned a vector.
// Copies of a SharedList share its elements instead, and appending to a list that sees
// every element stored so far appends in place: all the calls of one conversation hold each
// message once, and SharedPrefix() says in O(1) how many leading elements two lists hold as
// the same objects (so known equal without comparing them).
//
// Storage is a series of segments of doubling size that are never moved or reallocated, so
// an element stays where it is for as long as any list holds it, and sharing survives
// growth. An element never changes while another list can see it: Mutable() copies first.
//
// Thread-safety is that of a value: a list may be copied to other threads and each copy
// appended to independently. An append claims its slot with a compare-and-swap on the
// storage's element count from the list's own size, so only one list can continue a given
// tip; the others copy their elements into storage of their own.
#ifndef BATON_BASE_SHARED_LIST_H_
#define BATON_BASE_SHARED_LIST_H_

#include <array>
#include <atomic>
#include <bit>
#include <compare>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "base/status.h"

namespace baton {

template <typename T>
class SharedList {
  class Storage;

 public:
  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using pointer = const T*;
    using reference = const T&;

    const_iterator() = default;
    reference operator*() const { return storage_->At(index_); }
    pointer operator->() const { return &storage_->At(index_); }
    reference operator[](difference_type n) const { return storage_->At(index_ + n); }
    const_iterator& operator++() { return ++index_, *this; }
    const_iterator operator++(int) { return {storage_, index_++}; }
    const_iterator& operator--() { return --index_, *this; }
    const_iterator operator--(int) { return {storage_, index_--}; }
    const_iterator& operator+=(difference_type n) { return index_ += n, *this; }
    const_iterator& operator-=(difference_type n) { return index_ -= n, *this; }
    friend const_iterator operator+(const_iterator it, difference_type n) { return it += n; }
    friend const_iterator operator+(difference_type n, const_iterator it) { return it += n; }
    friend const_iterator operator-(const_iterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const const_iterator& a, const const_iterator& b) {
      return static_cast<difference_type>(a.index_) - static_cast<difference_type>(b.index_);
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) {
      return a.index_ == b.index_;
    }
    friend auto operator<=>(const const_iterator& a, const const_iterator& b) {
      return a.index_ <=> b.index_;
    }

   private:
    friend class SharedList;
    const_iterator(const Storage* storage, size_t index) : storage_(storage), index_(index) {}
    const Storage* storage_ = nullptr;
    size_t index_ = 0;
  };
  using value_type = T;
  using iterator = const_iterator;  // Read-only: Mutable(i) changes one element.
  using size_type = size_t;

  SharedList() = default;
  SharedList(const SharedList&) = default;
  SharedList& operator=(const SharedList&) = default;
  // A moved-from list is empty, as a moved-from vector is in practice.
  SharedList(SharedList&& other) noexcept
      : storage_(std::move(other.storage_)), size_(std::exchange(other.size_, 0)) {}
  SharedList& operator=(SharedList&& other) noexcept {
    if (this != &other) {
      storage_ = std::move(other.storage_);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  SharedList(std::initializer_list<T> items) {
    for (const T& item : items) push_back(item);
  }
  SharedList(std::vector<T> items) {  // NOLINT: implicit, like the vector it replaces.
    for (T& item : items) push_back(std::move(item));
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](size_t i) const { return storage_->At(i); }
  const T& front() const { return storage_->At(0); }
  const T& back() const { return storage_->At(size_ - 1); }
  const_iterator begin() const { return {storage_.get(), 0}; }
  const_iterator end() const { return {storage_.get(), size_}; }
  std::reverse_iterator<const_iterator> rbegin() const { return std::reverse_iterator(end()); }
  std::reverse_iterator<const_iterator> rend() const { return std::reverse_iterator(begin()); }

  void push_back(T item) {
    if (storage_ == nullptr) storage_ = std::make_shared<Storage>();
    if (!storage_->Claim(size_)) {
      Reallocate();  // Another list continued this tip first.
      BATON_CHECK(storage_->Claim(size_));
    }
    storage_->Construct(size_, std::move(item));
    ++size_;
  }

  // Keeps the first n elements (n <= size()).
  void Truncate(size_t n) {
    BATON_CHECK(n <= size_);
    if (Unique()) storage_->DestroyFrom(n);  // Nobody else sees the tail: free its slots.
    size_ = n;
  }
  void clear() { Truncate(0); }

  // Element i, made this list's own first if another list can see it.
  T& Mutable(size_t i) {
    BATON_CHECK(i < size_);
    Unshare();
    return storage_->At(i);
  }
  // Moves the elements into storage no other list sees, so that they may be changed in
  // place (what Mutable does for one element).
  void Unshare() {
    if (storage_ != nullptr && !Unique()) Reallocate();
  }
  // The first n elements, sharing their storage.
  SharedList Prefix(size_t n) const {
    BATON_CHECK(n <= size_);
    SharedList out;
    if (n > 0) out.storage_ = storage_;
    out.size_ = n;
    return out;
  }

  // How many leading elements `a` and `b` hold as the same stored objects. O(1).
  static size_t SharedPrefix(const SharedList& a, const SharedList& b) {
    if (a.storage_ == nullptr || a.storage_ != b.storage_) return 0;
    return std::min(a.size_, b.size_);
  }
  // How many leading elements are equal: SharedPrefix, then compared one by one.
  static size_t CommonPrefix(const SharedList& a, const SharedList& b) {
    size_t n = SharedPrefix(a, b);
    const size_t limit = std::min(a.size_, b.size_);
    while (n < limit && a[n] == b[n]) ++n;
    return n;
  }

  std::vector<T> ToVector() const { return {begin(), end()}; }
  friend bool operator==(const SharedList& a, const SharedList& b) {
    return a.size_ == b.size_ && CommonPrefix(a, b) == a.size_;
  }

 private:
  // Slots in segments of doubling size: segment k holds kFirst << k slots, from index
  // kFirst * (2^k - 1). Segments are installed once and never move.
  class Storage {
   public:
    Storage() = default;
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;
    ~Storage() {
      DestroyFrom(0);
      for (size_t k = 0; k < kSegments; ++k)
        if (T* s = segments_[k].load(std::memory_order_acquire))
          std::allocator<T>().deallocate(s, kFirst << k);
    }

    const T& At(size_t i) const {
      auto [k, offset] = Locate(i);
      return segments_[k].load(std::memory_order_acquire)[offset];
    }
    T& At(size_t i) {
      auto [k, offset] = Locate(i);
      return segments_[k].load(std::memory_order_acquire)[offset];
    }
    // Claims slot `index` for the list whose size it is; false when it is taken.
    bool Claim(size_t index) {
      return used_.compare_exchange_strong(index, index + 1, std::memory_order_acq_rel);
    }
    // Fills claimed slot `index`.
    void Construct(size_t index, T item) {
      auto [k, offset] = Locate(index);
      T* segment = segments_[k].load(std::memory_order_acquire);
      if (segment == nullptr) {
        // The first slot of a segment can be claimed by one list only, but a list may fill
        // a later slot first after a Truncate: install with a CAS either way.
        T* fresh = std::allocator<T>().allocate(kFirst << k);
        if (segments_[k].compare_exchange_strong(segment, fresh, std::memory_order_acq_rel)) {
          segment = fresh;
        } else {
          std::allocator<T>().deallocate(fresh, kFirst << k);
        }
      }
      try {
        new (segment + offset) T(std::move(item));
      } catch (...) {
        // Nobody can have claimed past a slot that was never filled.
        used_.store(index, std::memory_order_release);
        throw;
      }
    }
    // Destroys the elements from `n` on; only while no other list holds this storage.
    void DestroyFrom(size_t n) {
      size_t used = used_.load(std::memory_order_acquire);
      for (size_t i = n; i < used; ++i) At(i).~T();
      if (n < used) used_.store(n, std::memory_order_release);
    }

   private:
    static constexpr size_t kFirst = 8;
    static constexpr size_t kSegments = 56;  // kFirst << 56 slots: more than memory holds.
    static std::pair<size_t, size_t> Locate(size_t i) {
      const size_t q = i / kFirst + 1;
      const size_t k = std::bit_width(q) - 1;
      return {k, i - kFirst * ((size_t{1} << k) - 1)};
    }
    std::array<std::atomic<T*>, kSegments> segments_{};
    std::atomic<size_t> used_{0};
  };

  bool Unique() const { return storage_ != nullptr && storage_.use_count() == 1; }
  // Continues in fresh storage holding this list's elements: moved when no other list can
  // see them, copied otherwise.
  void Reallocate() {
    auto fresh = std::make_shared<Storage>();
    const bool unique = Unique();
    for (size_t i = 0; i < size_; ++i) {
      BATON_CHECK(fresh->Claim(i));
      if (unique) {
        fresh->Construct(i, std::move(storage_->At(i)));
      } else {
        fresh->Construct(i, storage_->At(i));
      }
    }
    storage_ = std::move(fresh);
  }

  std::shared_ptr<Storage> storage_;
  size_t size_ = 0;
};

}  // namespace baton

#endif  // BATON_BASE_SHARED_LIST_H_
