// Containers for what a run records per request and per page: millions of
// items in a large crawl. A vector's doubling holds up to three times its items
// at the moment it grows (old and new buffers) and up to twice after; a deque
// grows by one block (512 bytes in libstdc++) at a time and never moves an
// item, and its random-access iterators let it sort in place.
//
// Not boost::container::deque, whose block size is ours to choose: in Boost
// 1.74 clearing one that never held an item adds 8 to a null pointer
// (deque.hpp:1804), which UBSan rightly reports, and moving into such a deque
// clears it.
#pragma once

#include <deque>

namespace concur::results {

template <class T>
using Blocks = std::deque<T>;

}  // namespace concur::results
