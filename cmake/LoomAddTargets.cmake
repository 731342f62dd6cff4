# Helpers that keep every Loom target on the one shared MLIR.
#
# Debian's mlir-opt links libMLIR.so; the Loom plugin is loaded into it, so no
# Loom library may absorb a static copy of MLIR. Every Loom library and tool
# therefore links the imported shared targets `MLIR` and `LLVM` and nothing
# else from the LLVM tree.

# loom_add_library(name SOURCES... [DEPENDS tablegen-targets...]
#                  [LINK loom-libraries...])
function(loom_add_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;LINK" ${ARGN})
  add_library(${name} STATIC ${ARG_UNPARSED_ARGUMENTS})
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  target_link_libraries(${name} PUBLIC ${ARG_LINK} MLIR LLVM)
  set_property(GLOBAL APPEND PROPERTY LOOM_LIBRARIES ${name})
endfunction()

# loom_add_tool(name SOURCES... [LINK loom-libraries...]): an executable in
# build/bin.
function(loom_add_tool name)
  cmake_parse_arguments(ARG "" "" "LINK" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE ${ARG_LINK} MLIR LLVM)
endfunction()

# loom_add_tablegen(target TD_FILE GEN...): runs mlir-tblgen on TD_FILE once
# per "OUTPUT:flags" pair and groups the outputs in the target `target`.
function(loom_add_tablegen target td)
  set(TABLEGEN_OUTPUT "")
  set(LLVM_TARGET_DEFINITIONS "${td}")
  foreach(_gen ${ARGN})
    string(REPLACE ":" ";" _pair "${_gen}")
    list(GET _pair 0 _out)
    list(GET _pair 1 _flags)
    separate_arguments(_flags UNIX_COMMAND "${_flags}")
    mlir_tablegen(${_out} ${_flags})
  endforeach()
  add_public_tablegen_target(${target})
endfunction()
