# Finds Debian's LLVM/MLIR 22.1 and fails early, naming the packages to
# install, when any part of it is missing.
set(LOOM_LLVM_ROOT "/usr/lib/llvm-22" CACHE PATH
    "Prefix of the LLVM/MLIR 22.1 installation")
set(_loom_pkgs "libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools")
set(_loom_hint "Install them with `sudo apt-get install ${_loom_pkgs}` or run scripts/install-deps.sh")

# Only LOOM_LLVM_ROOT: another LLVM on the system must not be picked up
# silently.
find_package(MLIR 22.1 CONFIG QUIET
  PATHS "${LOOM_LLVM_ROOT}/lib/cmake/mlir" NO_DEFAULT_PATH)
if(NOT MLIR_FOUND)
  message(FATAL_ERROR
    "Loom: LLVM/MLIR 22.1 not found under ${LOOM_LLVM_ROOT}. "
    "Loom builds against Debian's packages ${_loom_pkgs}. ${_loom_hint}.")
endif()
message(STATUS "Loom: MLIR ${LLVM_PACKAGE_VERSION} from ${MLIR_DIR}")

# Tools the build and the tests run: a missing one is a missing package.
foreach(_tool mlir-tblgen:mlir-22-tools mlir-opt:mlir-22-tools
              FileCheck:llvm-22-tools lit:llvm-22-tools not:llvm-22-tools)
  string(REPLACE ":" ";" _pair "${_tool}")
  list(GET _pair 0 _name)
  list(GET _pair 1 _pkg)
  if(NOT EXISTS "${LLVM_TOOLS_BINARY_DIR}/${_name}")
    message(FATAL_ERROR "Loom: ${LLVM_TOOLS_BINARY_DIR}/${_name} is missing; "
      "it comes with Debian's package ${_pkg}. ${_loom_hint}.")
  endif()
endforeach()
if(NOT EXISTS "${LLVM_LIBRARY_DIR}/libMLIR.so")
  message(FATAL_ERROR "Loom: ${LLVM_LIBRARY_DIR}/libMLIR.so is missing. ${_loom_hint}.")
endif()

list(APPEND CMAKE_MODULE_PATH "${MLIR_CMAKE_DIR}" "${LLVM_CMAKE_DIR}")
# AddMLIR writes generated docs below MLIR_BINARY_DIR/docs.
set(MLIR_BINARY_DIR "${PROJECT_BINARY_DIR}")
set(LLVM_RUNTIME_OUTPUT_INTDIR "${PROJECT_BINARY_DIR}/bin")
set(LLVM_LIBRARY_OUTPUT_INTDIR "${PROJECT_BINARY_DIR}/lib")
# Debian names an `llvm-lit` that it does not ship.
set(LLVM_EXTERNAL_LIT "${LLVM_TOOLS_BINARY_DIR}/lit" CACHE FILEPATH "lit" FORCE)

include(TableGen)
include(AddLLVM)
include(AddMLIR)
include(HandleLLVMOptions)
