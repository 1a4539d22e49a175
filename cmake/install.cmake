# Installation: `cmake --install` puts the public headers (include/ft/), the headers the
# libraries' own interfaces need (include/fibertrace/{tracer,exporter,server}/), the static
# libraries, the `fibertrace` CLI and a CMake package in place, so that
#
#   find_package(fibertrace REQUIRED)
#   target_link_libraries(app PRIVATE ft::runtime)
#
# gives the same targets as add_subdirectory(fibertrace): ft::runtime, ft::tracer,
# ft::exporter, ft::server_core, ft::server, ft::options, and ft::fibertrace (the CLI).
# Included once from the top-level CMakeLists.txt, after the parts are defined.
option(FT_INSTALL "Generate fibertrace's install rules and CMake package" ${PROJECT_IS_TOP_LEVEL})
if(NOT FT_INSTALL)
  return()
endif()

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(FT_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/fibertrace)
set(FT_INSTALL_PRIVATE_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/fibertrace)

# The libraries publish their include directories as plain source paths (right for
# add_subdirectory); an exported target may only name them for the build tree. Each source
# path becomes $<BUILD_INTERFACE:path> plus the matching installed directory:
#   <root>/include -> include/, <root> -> include/fibertrace/, <root>/<part> ->
#   include/fibertrace/<part>/. Generator expressions already present are kept as they are.
function(ft_install_map_includes target)
  get_target_property(dirs ${target} INTERFACE_INCLUDE_DIRECTORIES)
  if(NOT dirs)
    return()
  endif()
  set(out "")
  foreach(d IN LISTS dirs)
    if(d MATCHES "^\\$<")
      list(APPEND out "${d}")
      continue()
    endif()
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${d})
    list(APPEND out "$<BUILD_INTERFACE:${d}>")
    if(rel STREQUAL "include")
      list(APPEND out "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>")
    elseif(rel STREQUAL "")
      list(APPEND out "$<INSTALL_INTERFACE:${FT_INSTALL_PRIVATE_INCLUDEDIR}>")
    elseif(NOT rel MATCHES "^\\.\\." AND NOT rel MATCHES "/")
      list(APPEND out "$<INSTALL_INTERFACE:${FT_INSTALL_PRIVATE_INCLUDEDIR}/${rel}>")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES out)
  set_property(TARGET ${target} PROPERTY INTERFACE_INCLUDE_DIRECTORIES "${out}")
endfunction()

# What exists in this build (a part whose dependencies are missing skips itself).
set(ft_install_targets ft_options)
set_target_properties(ft_options PROPERTIES EXPORT_NAME options)
set(ft_install_parts "")
foreach(name tracer runtime exporter server_core server)
  if(TARGET ft_${name})
    list(APPEND ft_install_targets ft_${name})
    set_target_properties(ft_${name} PROPERTIES EXPORT_NAME ${name})
    ft_install_map_includes(ft_${name})
    list(APPEND ft_install_parts ${name})
  endif()
endforeach()
if(TARGET fibertrace)
  list(APPEND ft_install_targets fibertrace)
  set_target_properties(fibertrace PROPERTIES EXPORT_NAME fibertrace)
endif()

install(TARGETS ${ft_install_targets}
  EXPORT fibertraceTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})

# Headers: the public API, and the headers of each installed part (the exporter's model
# includes tracer/events.hpp, tracer/reader.hpp and vocab/fibers.hpp; the server's API includes
# exporter/model.hpp).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/ft DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.hpp")
# vocab/ holds the notions the runtime and the tracer share (tracer/events.hpp includes it).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/vocab/ DESTINATION ${FT_INSTALL_PRIVATE_INCLUDEDIR}/vocab
        FILES_MATCHING PATTERN "*.hpp")
foreach(part tracer exporter server)
  if(TARGET ft_${part} OR (part STREQUAL "server" AND TARGET ft_server_core))
    install(DIRECTORY ${PROJECT_SOURCE_DIR}/${part}/
            DESTINATION ${FT_INSTALL_PRIVATE_INCLUDEDIR}/${part}
            FILES_MATCHING PATTERN "*.hpp")
  endif()
endforeach()

install(EXPORT fibertraceTargets
  NAMESPACE ft::
  FILE fibertraceTargets.cmake
  DESTINATION ${FT_INSTALL_CMAKEDIR})

# The package's find_dependency calls: only for what the installed targets link.
set(ft_deps "Threads")
if(TARGET ft_runtime)
  list(APPEND ft_deps "Boost 1.74 COMPONENTS context")
endif()
if(TARGET ft_exporter)
  list(APPEND ft_deps "nlohmann_json" "ZLIB")
endif()
if(TARGET ft_server_core)
  list(APPEND ft_deps "Boost 1.74" "ZLIB")
endif()
list(REMOVE_DUPLICATES ft_deps)
set(FT_CONFIG_DEPENDENCIES "")
foreach(d IN LISTS ft_deps)
  string(APPEND FT_CONFIG_DEPENDENCIES "find_dependency(${d})\n")
endforeach()
set(FT_CONFIG_PARTS "${ft_install_parts}")

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/fibertraceConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/fibertraceConfig.cmake
  INSTALL_DESTINATION ${FT_INSTALL_CMAKEDIR})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/fibertraceConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/fibertraceConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/fibertraceConfigVersion.cmake
        DESTINATION ${FT_INSTALL_CMAKEDIR})
