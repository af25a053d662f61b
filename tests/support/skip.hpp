// A test that cannot run here is reported to ctest as skipped, never as passed:
// skip_test() says why and ends the binary with kSkipExitCode, which the
// SKIP_RETURN_CODE property (tests/CMakeLists.txt) turns into "Skipped". Catch2 v2
// has no skip of its own, and ending the binary ends every case after this one:
// a case that may skip needs a ctest entry of its own (concur_add_test's OWN_ENTRY).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace concur::test {

inline constexpr int kSkipExitCode = 77;

[[noreturn]] inline void skip_test(const std::string &why) {
  std::fprintf(stderr, "SKIPPED: %s\n", why.c_str());
  std::exit(kSkipExitCode);
}

}  // namespace concur::test
