# The sans-IO rule, held by the build: engine code neither includes Boost.Asio
# nor reads a clock. shoal_sans_io(target) marks a target as engine code:
# - its sources compile with a poisoned boost/asio/detail/config.hpp first on
#   the include path, so including any Boost.Asio header is a compile error;
# - the sans_io_rule test lists the symbols its archive calls and fails on a
#   clock read (system_clock/steady_clock::now, clock_gettime, gettimeofday,
#   time) or any Boost.Asio symbol.
set(SHOAL_SANS_IO_TARGETS "" CACHE INTERNAL "")

function(shoal_sans_io target)
  target_include_directories(${target} BEFORE PRIVATE ${PROJECT_SOURCE_DIR}/cmake/sans_io)
  set(SHOAL_SANS_IO_TARGETS ${SHOAL_SANS_IO_TARGETS} ${target} CACHE INTERNAL "")
endfunction()

# Called once every target is defined.
function(shoal_sans_io_test)
  set(archives "")
  foreach(t IN LISTS SHOAL_SANS_IO_TARGETS)
    list(APPEND archives "$<TARGET_FILE:${t}>")
  endforeach()
  add_test(NAME sans_io_rule
    COMMAND ${CMAKE_COMMAND} -DNM=${CMAKE_NM} "-DARCHIVES=${archives}"
            -P ${PROJECT_SOURCE_DIR}/cmake/check_sans_io.cmake)
endfunction()
