// hash::sha256 against the test vectors of FIPS 180-2 (appendix B): one
// block, two blocks, a million characters; and bytes past a NUL count.
#include <catch2/catch.hpp>
#include <string>

#include "hash/sha256.hpp"

using concur::hash::sha256;

TEST_CASE("sha256 gives FIPS 180-2's digests", "[hash][sha256]") {
  CHECK(sha256("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256(std::string(1'000'000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256 reads every byte it is given, NUL included", "[hash][sha256]") {
  const std::string with_nul("a\0b", 3);
  CHECK(sha256(with_nul) == "59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138");
  CHECK(sha256(with_nul) != sha256("ab"));
}
