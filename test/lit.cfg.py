# lit.cfg.py - lit configuration for Kiln's FileCheck tests.
#
# Test files: .mlir (kiln-opt), .onnxtxt (kilnc on ONNX textual models),
# .c (C programs linked against generated objects). Tools come from the
# build's bin/ and LLVM's tool directory.
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "Kiln"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.excludes = ["Inputs", "e2e", "onnx-backend", "fuzz", "cuda", "CMakeLists.txt", "lit.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "test")

# Kiln's tools first, then LLVM's (FileCheck, not), then the system's.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.kiln_tools_dir, append_path=True)
llvm_config.use_default_substitutions()

config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(("%python", config.python_executable))
# The bad-model corpus (test/Robustness): a generator of broken models and a
# wrapper that requires exit status 1 and no output left behind.
robustness_inputs = os.path.join(os.path.dirname(__file__), "Robustness", "Inputs")
config.substitutions.append(
    ("%bad_model", config.python_executable + " " + os.path.join(robustness_inputs, "bad_model.py")))
config.substitutions.append(
    ("%expect_error", config.python_executable + " " + os.path.join(robustness_inputs, "expect_error.py")))
# Tests of the TorchScript front end need kilnc built with libtorch.
if config.have_torchscript:
    config.available_features.add("torchscript")
config.substitutions.append(("%runtime_include", config.runtime_include))
# Tests that run generated code compile it with %kilnc_sanitize: nothing in
# a normal build, --sanitize=address in a sanitizer build.
config.substitutions.append(("%kilnc_sanitize", getattr(config, "kilnc_sanitize", "")))
if getattr(config, "sanitized", False):
    config.available_features.add("sanitized")
# Tests that make device nodes (mknod) need root.
if hasattr(os, "geteuid") and os.geteuid() == 0:
    config.available_features.add("can-mknod")
config.substitutions.append(("%runtime_lib", config.runtime_lib))
config.substitutions.append(("%runtime_cuda_lib", config.runtime_cuda_lib))
# Tests of kilnc --device=cuda need the CUDA toolkit (libdevice, ptxas,
# fatbinary); none of them needs a GPU.
if getattr(config, "cuda_toolkit", ""):
    config.available_features.add("cuda-toolkit")
    config.substitutions.append(("%cuda_toolkit", config.cuda_toolkit))
config.substitutions.append(("%fatbin", config.python_executable + " " +
                             os.path.join(os.path.dirname(__file__), "cuda", "fatbin.py")))

tools = ["kilnc", "kiln-opt", "kiln-run", "FileCheck", "not", "count", "split-file"]
llvm_config.add_tool_substitutions(tools, [config.kiln_tools_dir, config.llvm_tools_dir])
