# -*- Python -*-
# lit configuration for Loom's FileCheck tests.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "Loom"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".pbtxt"]
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py",
                   "unittests", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.loom_obj_root, "test")

config.substitutions.append(("%shlibext", config.shlibext))
config.substitutions.append(("%loom_src_root", config.loom_src_root))
config.substitutions.append(
    ("%loom_plugin", os.path.join(config.loom_lib_dir, "LoomPlugin" + config.shlibext)))

# Encodes an ONNX model written as a text proto: %onnx-encode < m.pbtxt > m.onnx
config.substitutions.append(
    ("%onnx-encode", "%s --encode=onnx.ModelProto -I%s %s" % (
        config.protoc, os.path.dirname(os.path.dirname(config.onnx_proto)),
        config.onnx_proto)))
# Encodes a tensor written as a text proto (a model input or output file).
config.substitutions.append(
    ("%tensor-encode", "%s --encode=onnx.TensorProto -I%s %s" % (
        config.protoc, os.path.dirname(os.path.dirname(config.onnx_proto)),
        config.onnx_proto)))
config.substitutions.append(("%onnx-node-tests", config.onnx_node_tests))
config.substitutions.append(("%loom_lib_dir", config.loom_lib_dir))
config.substitutions.append(
    ("%loomc_path", os.path.join(config.loom_tools_dir, "loomc")))
config.substitutions.append(
    ("%loom_run_path", os.path.join(config.loom_tools_dir, "loom-run")))
# LOOM_TEST_SANITIZE=address,undefined (the lit-sanitized ctest test, in a
# build folder configured with LOOM_SANITIZERS): every artefact loomc writes
# is instrumented (loomc --sanitize) and linked with the sanitizers'
# runtimes, and so are the test programs linked here.
test_sanitize = os.environ.get("LOOM_TEST_SANITIZE", "")
if test_sanitize and not config.loom_sanitizers:
    lit_config.fatal("LOOM_TEST_SANITIZE needs a build folder configured with "
                     "LOOM_SANITIZERS (its loom-run loads instrumented "
                     "models): see scripts/test.sh and scripts/sanitize.sh")
link_sanitizers = config.loom_sanitizers
config.substitutions.append(
    ("%loom_link_flags",
     "-fsanitize=" + link_sanitizers if link_sanitizers else ""))

if config.loom_sanitizers:
    # Programs that interpose malloc themselves cannot run instrumented.
    config.available_features.add("instrumented-runtime")
    # Executables loomc links take the instrumented runtime.
    config.environment["LOOM_LINKER_FLAGS"] = "-fsanitize=" + config.loom_sanitizers
    # An instrumented compiler cannot be loaded as a plugin into Debian's
    # uninstrumented mlir-opt.
    if config.loom_sanitize_scope == "all":
        config.available_features.add("sanitizers")

# ONNX Runtime through onnxruntime-node (scripts/install-deps.sh installs it
# into benchmarks/.node when npm is reachable).
import shutil
if shutil.which("node") and os.path.isdir(os.path.join(
        config.loom_src_root, "benchmarks", ".node", "node_modules",
        "onnxruntime-node")):
    config.available_features.add("onnxruntime")
if shutil.which("mpirun"):
    config.available_features.add("mpirun")

# oneDNN held to an instruction set (the lit-models-onednn-avx2 ctest test
# sets ONEDNN_MAX_CPU_ISA=AVX2): passed on to the tests, and a feature.
if os.environ.get("ONEDNN_MAX_CPU_ISA"):
    isa = os.environ["ONEDNN_MAX_CPU_ISA"]
    config.environment["ONEDNN_MAX_CPU_ISA"] = isa
    config.available_features.add("onednn-isa-" + isa.lower())

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
# Commands that loomc prints for users (reproducers) name loom-opt plainly.
llvm_config.with_environment("PATH", config.loom_tools_dir, append_path=True)

asan_options = "abort_on_error=0:exitcode=86"
if test_sanitize:
    config.available_features.add("sanitized-models")
    # Leaks are checked (detect_leaks is ASan's default on Linux); a report
    # fails the test.
    config.environment["ASAN_OPTIONS"] = asan_options
    config.environment["UBSAN_OPTIONS"] = "halt_on_error=1:print_stacktrace=1"
# `%no_leak_check CMD`: no leak check at CMD's exit, for the two cases where
# one says nothing: a process that dies on purpose, or exits on a peer's
# death, mid-collective (its Gloo context is not torn down), and one that
# ends with more than one OpenMP thread alive (LeakSanitizer's tracer
# crashes stopping libgomp's idle workers).
config.substitutions.append(
    ("%no_leak_check",
     "env ASAN_OPTIONS=%s:detect_leaks=0" % asan_options
     if (test_sanitize or config.loom_sanitizers) else ""))

# Debian's own mlir-opt: the plugin tests load Loom into it.
tools = [
    ToolSubst("%mlir_opt", os.path.join(config.llvm_tools_dir, "mlir-opt"),
              unresolved="fatal"),
    ToolSubst("loom-opt", unresolved="fatal"),
    ToolSubst("loomc", unresolved="fatal",
              extra_args=["--sanitize=" + test_sanitize] if test_sanitize else None),
    ToolSubst("loom-run", unresolved="fatal"),
    ToolSubst("loom-boxing-check", unresolved="fatal"),
    ToolSubst("loom-boxing-check-2d", unresolved="fatal"),
    ToolSubst("loom-calibrate", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, [config.loom_tools_dir, config.llvm_tools_dir])
