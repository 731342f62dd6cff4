# Use ccache as the compiler launcher when it is installed (and the user has
# not chosen another launcher).
option(LOOM_USE_CCACHE "Use ccache when it is available" ON)
if(LOOM_USE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(LOOM_CCACHE_PROGRAM ccache)
  if(LOOM_CCACHE_PROGRAM)
    message(STATUS "Loom: compiling through ${LOOM_CCACHE_PROGRAM}")
    set(CMAKE_C_COMPILER_LAUNCHER "${LOOM_CCACHE_PROGRAM}")
    set(CMAKE_CXX_COMPILER_LAUNCHER "${LOOM_CCACHE_PROGRAM}")
  endif()
endif()
