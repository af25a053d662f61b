# concur_add_plugin(NAME SOURCES src...)
# Builds one strategy plugin as a dlopen-able module that sees only the C ABI header.
# The entry point is the one visible symbol; everything else stays hidden.
function(concur_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  add_library(${name} MODULE ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${CONCUR_INCLUDE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_LIBRARIES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    OUTPUT_NAME ${name}
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${CONCUR_PLUGIN_OUTPUT_DIR})
endfunction()
