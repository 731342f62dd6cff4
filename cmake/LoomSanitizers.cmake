# LOOM_SANITIZERS=address,undefined builds with those sanitizers.
# LOOM_SANITIZE_SCOPE says what they instrument:
#   all      everything: the compiler, the runtime and every tool
#            (scripts/sanitize.sh);
#   runtime  what runs a compiled model: the runtime libraries, loom-run,
#            loom-calibrate and the runtime's tests. The compiler is then
#            compiled exactly as in an ordinary build, so ccache serves it
#            from one (CI's second build folder, scripts/test.sh).
# LOOM_ENABLE_FUZZERS=ON (clang only) adds the libFuzzer targets and
# instruments the libraries for them.
set(LOOM_SANITIZERS "" CACHE STRING
  "Comma-separated sanitizers to build with (e.g. address,undefined)")
set(LOOM_SANITIZE_SCOPE "all" CACHE STRING
  "What LOOM_SANITIZERS instruments: all, or runtime")
set_property(CACHE LOOM_SANITIZE_SCOPE PROPERTY STRINGS all runtime)
option(LOOM_ENABLE_FUZZERS "Build the libFuzzer targets (needs clang)" OFF)

if(NOT LOOM_SANITIZE_SCOPE MATCHES "^(all|runtime)$")
  message(FATAL_ERROR "LOOM_SANITIZE_SCOPE is '${LOOM_SANITIZE_SCOPE}': "
    "use all or runtime")
endif()
set(LOOM_SANITIZE_COMPILE_FLAGS -fsanitize=${LOOM_SANITIZERS}
  -fno-omit-frame-pointer -fno-sanitize-recover=all)
if(LOOM_SANITIZERS AND LOOM_SANITIZE_SCOPE STREQUAL "all")
  add_compile_options(${LOOM_SANITIZE_COMPILE_FLAGS})
  add_link_options(-fsanitize=${LOOM_SANITIZERS})
endif()

# Instruments the runtime side's targets when the scope is `runtime` (with
# scope `all` they already are). A library passes the sanitizers' runtimes
# on to whatever links it.
function(loom_sanitize_runtime_targets)
  if(NOT LOOM_SANITIZERS OR NOT LOOM_SANITIZE_SCOPE STREQUAL "runtime")
    return()
  endif()
  foreach(_target ${ARGN})
    target_compile_options(${_target} PRIVATE ${LOOM_SANITIZE_COMPILE_FLAGS} -g)
    get_target_property(_type ${_target} TYPE)
    if(_type STREQUAL "EXECUTABLE")
      target_link_options(${_target} PRIVATE -fsanitize=${LOOM_SANITIZERS})
    else()
      target_link_options(${_target} INTERFACE -fsanitize=${LOOM_SANITIZERS})
    endif()
  endforeach()
endfunction()

if(LOOM_ENABLE_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "LOOM_ENABLE_FUZZERS needs clang (e.g. "
      "-DCMAKE_CXX_COMPILER=clang++-22); see scripts/fuzz.sh")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
