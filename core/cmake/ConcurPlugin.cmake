# concur_add_plugin(NAME name SOURCES src... [LIBRARIES lib...] [NO_INSTALL])
# Builds one strategy plugin as a dlopen-able module that sees only the C ABI
# header (the concur::plugin_api target). The entry point is the one visible
# symbol; everything else stays hidden. The same function serves the concur
# tree and plugins built out of tree after find_package(concur): in the tree
# the module lands in build/plugins/, beside the concur binary; out of tree in
# the project's build folder. `cmake --install` puts it in lib/concur/plugins,
# where an installed concur looks (unless NO_INSTALL).
function(concur_add_plugin)
  cmake_parse_arguments(ARG "NO_INSTALL" "NAME" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_NAME OR NOT ARG_SOURCES)
    message(FATAL_ERROR "concur_add_plugin(NAME name SOURCES src...): NAME and SOURCES are required")
  endif()
  if(NOT ARG_NAME MATCHES "^[a-z0-9_]+$")
    message(FATAL_ERROR "concur_add_plugin: '${ARG_NAME}' is not a plugin name ([a-z0-9_]+)")
  endif()
  set(name ${ARG_NAME})
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE concur::plugin_api ${ARG_LIBRARIES})
  # A descriptor or option table in designated initializers leaves out what
  # it does not use (init, serve, choices): zero, in C++ as in C. g++ (and
  # clang++ 18) still warn about it under -Wextra, in C++ only; not here.
  target_compile_options(${name} PRIVATE
    $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>:-Wno-missing-field-initializers>)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    OUTPUT_NAME ${name}
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(DEFINED CONCUR_PLUGIN_OUTPUT_DIR)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${CONCUR_PLUGIN_OUTPUT_DIR})
  endif()
  if(NOT ARG_NO_INSTALL)
    install(TARGETS ${name} LIBRARY DESTINATION lib/concur/plugins)
  endif()
endfunction()
