# Writes OUT, a header naming the commit the build was made from, and rewrites
# it only when the commit changes (so an unchanged tree rebuilds nothing).
#   cmake -DSOURCE_DIR=... -DOUT=... -P write_build_id.cmake
execute_process(COMMAND git -C "${SOURCE_DIR}" describe --always --dirty --abbrev=12
  OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE failed)
if(failed OR commit STREQUAL "")
  set(commit "unknown")  # a tarball or a Docker context without .git
endif()
set(text "// Written by core/cmake/write_build_id.cmake at build time.\n#define CONCUR_GIT_COMMIT \"${commit}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
