// Containers for what a run records per request and per page: millions of
// items in a large crawl. A vector's doubling holds up to three times its items
// at the moment it grows (old and new buffers) and up to twice after; blocks of
// a fixed size grow by one block at a time and waste at most one partly filled
// block per container (one per worker). Random access: they sort in place.
#pragma once

#include <boost/container/deque.hpp>
#include <boost/container/options.hpp>
#include <cstddef>

namespace concur::results {

template <class T, std::size_t PerBlock>
using Blocks = boost::container::deque<
    T, void, boost::container::deque_options_t<boost::container::block_size<PerBlock>>>;

}  // namespace concur::results
