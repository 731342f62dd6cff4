# Finds the protobuf classes of ONNX (Debian's libonnx-dev, protobuf 3.21)
# that the ONNX frontend reads models with.
find_package(Protobuf QUIET)
find_package(ONNX CONFIG QUIET)
if(NOT Protobuf_FOUND OR NOT ONNX_FOUND OR NOT TARGET onnx_proto)
  message(FATAL_ERROR "Loom: the ONNX protobuf classes were not found. "
    "They come with Debian's packages libonnx-dev and libprotobuf-dev: "
    "`sudo apt-get install libonnx-dev libprotobuf-dev` or run scripts/install-deps.sh.")
endif()
find_program(LOOM_PROTOC protoc)
get_target_property(_onnx_includes onnx_proto INTERFACE_INCLUDE_DIRECTORIES)
find_file(LOOM_ONNX_PROTO onnx/onnx.proto HINTS ${_onnx_includes} /usr/include
  NO_DEFAULT_PATH)
message(STATUS "Loom: ONNX ${ONNX_VERSION}, protobuf ${Protobuf_VERSION}")
