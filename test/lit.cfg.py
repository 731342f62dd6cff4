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
# LOOM_TEST_SANITIZE=address,undefined (the lit-sanitized ctest test): every
# artefact loomc writes is instrumented (loomc --sanitize) and linked with
# the sanitizers' runtimes, so are the test programs linked here, and
# loom-run, uninstrumented, gets the runtimes preloaded to load them.
test_sanitize = os.environ.get("LOOM_TEST_SANITIZE", "")
link_sanitizers = config.loom_sanitizers or test_sanitize
config.substitutions.append(
    ("%loom_link_flags",
     "-fsanitize=" + link_sanitizers if link_sanitizers else ""))

# Sanitizer builds cannot load Loom's plugin into Debian's uninstrumented
# mlir-opt.
if config.loom_sanitizers:
    config.available_features.add("sanitizers")
    # Executables loomc links take the instrumented runtime.
    config.environment["LOOM_LINKER_FLAGS"] = "-fsanitize=" + config.loom_sanitizers

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

def sanitized_loom_run():
    """loom-run with the sanitizers' runtimes preloaded (it loads
    instrumented libraries but is not instrumented itself)."""
    import subprocess
    runtimes = []
    for name in ("libasan.so", "libubsan.so"):
        path = subprocess.run(["c++", "-print-file-name=" + name],
                              capture_output=True, text=True).stdout.strip()
        runtimes.append(os.path.realpath(path))
    # LeakSanitizer cannot stop the OpenMP threads of an uninstrumented
    # host reliably: leaks are checked in the instrumented executables.
    return "env LD_PRELOAD=%s ASAN_OPTIONS=detect_leaks=0 %s" % (
        ":".join(runtimes), os.path.join(config.loom_tools_dir, "loom-run"))


if test_sanitize:
    config.available_features.add("sanitized-models")
    # Leaks are checked (detect_leaks is ASan's default on Linux); a report
    # fails the test.
    config.environment["ASAN_OPTIONS"] = "abort_on_error=0:exitcode=86"
    config.environment["UBSAN_OPTIONS"] = "halt_on_error=1:print_stacktrace=1"

# Debian's own mlir-opt: the plugin tests load Loom into it.
tools = [
    ToolSubst("%mlir_opt", os.path.join(config.llvm_tools_dir, "mlir-opt"),
              unresolved="fatal"),
    ToolSubst("loom-opt", unresolved="fatal"),
    ToolSubst("loomc", unresolved="fatal",
              extra_args=["--sanitize=" + test_sanitize] if test_sanitize else None),
    ToolSubst("loom-run", unresolved="fatal",
              command=(sanitized_loom_run() if test_sanitize else None)),
    ToolSubst("loom-boxing-check", unresolved="fatal"),
    ToolSubst("loom-boxing-check-2d", unresolved="fatal"),
    ToolSubst("loom-calibrate", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, [config.loom_tools_dir, config.llvm_tools_dir])
