#===- KilnAddModel.cmake - kiln_add_model() ----------------------------===#
#
#   kiln_add_model(<target> MODEL <file>
#                  [NAME <c-name>] [TARGET <triple>] [CPU <cpu>]
#                  [FEATURES <+a,-b>] [OPT_LEVEL 0|1|2|3]
#                  [DEVICE cpu|cuda] [GPU_ARCH sm_NN,...] [SHAPES <input>=<AxB> ...]
#                  [OPTIONS <kilnc flag> ...])
#
# Compiles <file> (.onnx or .onnxtxt; relative to the current source
# directory) with kilnc into a static library <target>. Linking <target>
# brings the model's object, its header directory (#include "<name>.h")
# and Kiln::runtime. The model is recompiled when the model file or kilnc
# changes, and only then.
#
#   NAME       the C prefix of the generated symbols (default: <target>
#              with every character outside [A-Za-z0-9_] made '_').
#   TARGET     LLVM target triple. Default: the host for native builds;
#              when cross-compiling, the toolchain's CMAKE_C_COMPILER_TARGET
#              or else what `${CMAKE_C_COMPILER} -dumpmachine` prints.
#              KILN_TARGET_TRIPLE sets a project-wide default.
#   CPU        target CPU (default: kilnc's: the host's for native builds,
#              generic otherwise). KILN_TARGET_CPU sets a project default.
#   FEATURES   target features, e.g. +avx2,+fma.
#   OPT_LEVEL  kilnc's -O level (default 2).
#   DEVICE     cpu (default), or cuda: GPU kernels in the object, run through
#              NAME_run_cuda; the target links Kiln::runtime_cuda.
#   GPU_ARCH   with DEVICE cuda: kilnc's --gpu-arch (default sm_80,sm_90).
#   SHAPES     --shape bindings for symbolic input dimensions.
#   OPTIONS    any other kilnc flags, passed as they are.
#
# Outputs go to ${CMAKE_CURRENT_BINARY_DIR}/kiln/<target>/: <name>.o,
# <name>.h and <name>.manifest.json (kilnc --manifest). The library target
# gets the properties KILN_MODEL_HEADER and KILN_MODEL_MANIFEST.
#
#===--------------------------------------------------------------------===#
include_guard(GLOBAL)

function(_kiln_default_triple out)
  if(KILN_TARGET_TRIPLE)
    set(triple "${KILN_TARGET_TRIPLE}")
  elseif(NOT CMAKE_CROSSCOMPILING)
    set(triple "")
  elseif(CMAKE_C_COMPILER_TARGET)
    set(triple "${CMAKE_C_COMPILER_TARGET}")
  elseif(CMAKE_CXX_COMPILER_TARGET)
    set(triple "${CMAKE_CXX_COMPILER_TARGET}")
  else()
    set(compiler "${CMAKE_C_COMPILER}")
    if(NOT compiler)
      set(compiler "${CMAKE_CXX_COMPILER}")
    endif()
    if(compiler)
      execute_process(COMMAND "${compiler}" -dumpmachine
        OUTPUT_VARIABLE triple OUTPUT_STRIP_TRAILING_WHITESPACE
        RESULT_VARIABLE status ERROR_QUIET)
      if(NOT status EQUAL 0)
        set(triple "")
      endif()
    endif()
    if(NOT triple)
      message(FATAL_ERROR
        "kiln_add_model: cross-compiling, but the toolchain names no target triple "
        "(CMAKE_C_COMPILER_TARGET) and '${compiler} -dumpmachine' gave none; "
        "pass TARGET <triple> or set KILN_TARGET_TRIPLE")
    endif()
  endif()
  set(${out} "${triple}" PARENT_SCOPE)
endfunction()

function(kiln_add_model target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG ""
    "MODEL;NAME;TARGET;CPU;FEATURES;OPT_LEVEL;DEVICE;GPU_ARCH" "SHAPES;OPTIONS")
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR
      "kiln_add_model(${target}): unknown arguments: ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT ARG_MODEL)
    message(FATAL_ERROR "kiln_add_model(${target}): MODEL <file> is required")
  endif()
  if(TARGET ${target})
    message(FATAL_ERROR "kiln_add_model(${target}): a target '${target}' already exists")
  endif()

  get_filename_component(model "${ARG_MODEL}" ABSOLUTE
    BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${model}")
    message(FATAL_ERROR "kiln_add_model(${target}): model file '${model}' does not exist")
  endif()

  if(ARG_NAME)
    set(name "${ARG_NAME}")
    if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
      message(FATAL_ERROR
        "kiln_add_model(${target}): NAME '${name}' is not a C identifier")
    endif()
  else()
    string(MAKE_C_IDENTIFIER "${target}" name)
  endif()

  if(NOT ARG_DEVICE)
    set(ARG_DEVICE cpu)
  endif()
  if(ARG_DEVICE STREQUAL "cuda")
    if(NOT KILN_HAS_CUDA)
      message(FATAL_ERROR
        "kiln_add_model(${target}): DEVICE cuda needs a Kiln with its CUDA runtime "
        "(libkiln_rt_cuda.a, built on Linux hosts); this Kiln ${KILN_VERSION} has none")
    endif()
  elseif(NOT ARG_DEVICE STREQUAL "cpu")
    message(FATAL_ERROR
      "kiln_add_model(${target}): DEVICE '${ARG_DEVICE}' is not cpu or cuda")
  endif()

  set(flags --name "${name}")
  if(ARG_DEVICE STREQUAL "cuda")
    list(APPEND flags --device=cuda)
    if(ARG_GPU_ARCH)
      list(APPEND flags "--gpu-arch=${ARG_GPU_ARCH}")
    endif()
  elseif(ARG_GPU_ARCH)
    message(FATAL_ERROR "kiln_add_model(${target}): GPU_ARCH needs DEVICE cuda")
  endif()
  if(ARG_TARGET)
    set(triple "${ARG_TARGET}")
  else()
    _kiln_default_triple(triple)
  endif()
  if(triple)
    list(APPEND flags "--target=${triple}")
  endif()
  if(ARG_CPU)
    list(APPEND flags "--cpu=${ARG_CPU}")
  elseif(KILN_TARGET_CPU)
    list(APPEND flags "--cpu=${KILN_TARGET_CPU}")
  endif()
  if(ARG_FEATURES)
    list(APPEND flags "--features=${ARG_FEATURES}")
  endif()
  if(DEFINED ARG_OPT_LEVEL)
    if(NOT ARG_OPT_LEVEL MATCHES "^[0-3]$")
      message(FATAL_ERROR
        "kiln_add_model(${target}): OPT_LEVEL '${ARG_OPT_LEVEL}' is not 0, 1, 2 or 3")
    endif()
    list(APPEND flags "-O${ARG_OPT_LEVEL}")
  endif()
  foreach(shape IN LISTS ARG_SHAPES)
    list(APPEND flags "--shape=${shape}")
  endforeach()
  list(APPEND flags ${ARG_OPTIONS})

  set(dir "${CMAKE_CURRENT_BINARY_DIR}/kiln/${target}")
  set(object "${dir}/${name}.o")
  set(header "${dir}/${name}.h")
  set(manifest "${dir}/${name}.manifest.json")
  file(MAKE_DIRECTORY "${dir}")
  file(RELATIVE_PATH shown "${CMAKE_BINARY_DIR}" "${object}")
  add_custom_command(
    OUTPUT "${object}" "${header}" "${manifest}"
    COMMAND Kiln::kilnc "${model}" -o "${object}" --manifest "${manifest}" ${flags}
    DEPENDS "${model}" "$<TARGET_FILE:Kiln::kilnc>"
    COMMENT "Compiling model ${ARG_MODEL} to ${shown}"
    VERBATIM)
  set_source_files_properties("${object}" PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)

  add_library(${target} STATIC "${object}" "${header}")
  # Inside Kiln's own build (add_subdirectory), kilnc is built first.
  get_target_property(kilnc_imported Kiln::kilnc IMPORTED)
  if(NOT kilnc_imported)
    get_target_property(kilnc_target Kiln::kilnc ALIASED_TARGET)
    add_dependencies(${target} ${kilnc_target})
  endif()
  set_target_properties(${target} PROPERTIES
    LINKER_LANGUAGE C
    KILN_MODEL_HEADER "${header}"
    KILN_MODEL_MANIFEST "${manifest}")
  target_include_directories(${target} INTERFACE "${dir}")
  if(ARG_DEVICE STREQUAL "cuda")
    target_link_libraries(${target} INTERFACE Kiln::runtime_cuda)
  else()
    target_link_libraries(${target} INTERFACE Kiln::runtime)
  endif()
  # Models call libm (expf, tanhf, ...); hosted Unix toolchains keep it apart.
  if(ARG_DEVICE STREQUAL "cpu" AND UNIX AND NOT CMAKE_SYSTEM_NAME STREQUAL "Generic")
    target_link_libraries(${target} INTERFACE m)
  endif()
endfunction()
