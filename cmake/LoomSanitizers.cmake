# LOOM_SANITIZERS=address,undefined builds everything with those sanitizers;
# LOOM_ENABLE_FUZZERS=ON (clang only) adds the libFuzzer targets and
# instruments the libraries for them.
set(LOOM_SANITIZERS "" CACHE STRING
  "Comma-separated sanitizers to build with (e.g. address,undefined)")
option(LOOM_ENABLE_FUZZERS "Build the libFuzzer targets (needs clang)" OFF)

if(LOOM_SANITIZERS)
  add_compile_options(-fsanitize=${LOOM_SANITIZERS} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${LOOM_SANITIZERS})
endif()
if(LOOM_ENABLE_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "LOOM_ENABLE_FUZZERS needs clang (e.g. "
      "-DCMAKE_CXX_COMPILER=clang++-22); see scripts/fuzz.sh")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
