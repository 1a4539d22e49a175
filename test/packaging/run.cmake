# The packaging test (cmake -P): install the build tree into WORK_DIR/prefix, check that the
# installed package names nothing in the source or build tree, then configure, build and run
# consumer/ against it with find_package(fibertrace) and nothing else on CMAKE_PREFIX_PATH.
foreach(v BUILD_DIR SOURCE_DIR CONSUMER_DIR WORK_DIR CXX)
  if(NOT ${v})
    message(FATAL_ERROR "run.cmake: -D${v}= is required")
  endif()
endforeach()
set(prefix ${WORK_DIR}/prefix)
set(cbuild ${WORK_DIR}/consumer-build)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${ARGN}\n${out}\n${err}")
  endif()
  set(step_out "${out}" PARENT_SCOPE)
  set(step_err "${err}" PARENT_SCOPE)
endfunction()

if(CONFIG)
  set(cfg --config ${CONFIG})
endif()
step("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} ${cfg})

# What must be there.
foreach(f include/ft/ft.hpp include/ft/chan.hpp include/ft/trace.hpp
          include/fibertrace/tracer/reader.hpp include/fibertrace/exporter/model.hpp
          include/fibertrace/exporter/load.hpp bin/fibertrace)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "not installed: ${prefix}/${f}")
  endif()
endforeach()
file(GLOB_RECURSE configs ${prefix}/*/fibertraceConfig.cmake)
if(NOT configs)
  message(FATAL_ERROR "no fibertraceConfig.cmake under ${prefix}")
endif()
# The package must stand on its own: no path into the source or build tree.
file(GLOB_RECURSE pkg ${prefix}/*.cmake)
foreach(f IN LISTS pkg)
  file(READ ${f} text)
  foreach(tree ${SOURCE_DIR} ${BUILD_DIR})
    string(FIND "${text}" "${tree}/" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "${f} refers to ${tree}")
    endif()
  endforeach()
endforeach()

step("configuring the consumer" ${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${cbuild}
     -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=RelWithDebInfo)
step("building the consumer" ${CMAKE_COMMAND} --build ${cbuild} -j2)

# The program runs on fibers and channels and traces itself with FT_TRACE...
set(trace ${WORK_DIR}/consumer.trace)
step("running the consumer" ${CMAKE_COMMAND} -E env FT_TRACE=${trace} ${cbuild}/pingpong 1000)
if(NOT step_out STREQUAL "ping-pong: 1000 round trips, last value 1000\n")
  message(FATAL_ERROR "unexpected output of pingpong: '${step_out}'")
endif()
# ...the installed CLI reads the trace...
step("fibertrace stats" ${prefix}/bin/fibertrace stats --json ${trace})
string(JSON pongs ERROR_VARIABLE jerr GET "${step_out}" groups pong)
if(NOT pongs EQUAL 1)
  message(FATAL_ERROR "stats --json groups.pong = '${pongs}' ${jerr}:\n${step_out}")
endif()
# ...and so does the consumer's own tool on ft::exporter.
step("groups (ft::exporter)" ${cbuild}/groups ${trace})
if(NOT step_out MATCHES "pong N=1\n")
  message(FATAL_ERROR "unexpected output of groups: '${step_out}'")
endif()
message(STATUS "packaging: installed, found, built and ran against ${prefix}")
