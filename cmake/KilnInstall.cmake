#===- cmake/KilnInstall.cmake - The installed package ------------------===#
#
# `cmake --install build --prefix P` lays out:
#   P/bin/kilnc, P/bin/kiln-run
#   P/lib/libkiln_rt.a, P/include/kiln/runtime.h
#   P/lib/cmake/Kiln/   KilnConfig.cmake (+ version file), the exported
#                       targets and KilnAddModel.cmake (kiln_add_model)
#   P/lib/pkgconfig/kiln-runtime.pc   (relocatable: ${pcfiledir})
#   P/share/kiln/runtime/runtime.c    (for cross-compiling consumers)
#   P/share/doc/kiln/                 README and docs
# The tools and runtime install rules live beside their targets; this file
# holds the package files. Included last from the top-level CMakeLists.
#
#===--------------------------------------------------------------------===#
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(KILN_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Kiln)
set(KILN_RUNTIME_SOURCE_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/kiln/runtime)

install(EXPORT KilnToolTargets NAMESPACE Kiln::
  DESTINATION ${KILN_CMAKE_INSTALL_DIR})
install(EXPORT KilnRuntimeTargets NAMESPACE Kiln::
  DESTINATION ${KILN_CMAKE_INSTALL_DIR})

configure_package_config_file(cmake/KilnConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/KilnConfig.cmake
  INSTALL_DESTINATION ${KILN_CMAKE_INSTALL_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR KILN_RUNTIME_SOURCE_INSTALL_DIR)
# 0.x releases: only the same minor version is compatible. The package is
# usable from any architecture's project (the tools run on the host), so
# the pointer size of the consumer is not checked.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/KilnConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion
  ARCH_INDEPENDENT)
install(FILES
  ${PROJECT_BINARY_DIR}/cmake/KilnConfig.cmake
  ${PROJECT_BINARY_DIR}/cmake/KilnConfigVersion.cmake
  cmake/KilnAddModel.cmake
  DESTINATION ${KILN_CMAKE_INSTALL_DIR})

configure_file(cmake/kiln-runtime.pc.in ${PROJECT_BINARY_DIR}/kiln-runtime.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/kiln-runtime.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(FILES README.md
  docs/architecture.md docs/c-api.md docs/cmake.md docs/cuda.md docs/onnx-import.md
  docs/onnx-ops.md
  docs/reproducibility.md docs/testing.md
  DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/kiln)
install(FILES docs/dialect/kiln.md DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/kiln/dialect)
