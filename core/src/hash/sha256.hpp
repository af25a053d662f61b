// SHA-256 (FIPS 180-4): checksums and content keys, such as the demo server's
// puzzle cache (its file names and its payload check). OpenSSL's; like every
// digest of the project it is reached through hash/, the one folder that
// includes OpenSSL.
#pragma once

#include <string>
#include <string_view>

namespace concur::hash {

// The digest of `data` as 64 lowercase hex characters.
std::string sha256(std::string_view data);

}  // namespace concur::hash
