# cmake -DNM=nm -DARCHIVES="a.a;b.a" -P check_sans_io.cmake
# Fails if an engine archive calls a clock or uses Boost.Asio (see SansIo.cmake).
set(forbidden
  "std::chrono::_V2::system_clock::now\\(\\)"
  "std::chrono::_V2::steady_clock::now\\(\\)"
  " U clock_gettime"
  " U gettimeofday"
  " U time$"
  "boost::asio::")
set(failed "")
foreach(archive IN LISTS ARCHIVES)
  execute_process(COMMAND ${NM} -C ${archive} OUTPUT_VARIABLE symbols RESULT_VARIABLE rc
                  ERROR_QUIET)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cannot list the symbols of ${archive}")
  endif()
  string(REPLACE "\n" ";" lines "${symbols}")
  set(object "")
  foreach(line IN LISTS lines)
    if(line MATCHES "^(.*\\.o):$")
      set(object "${CMAKE_MATCH_1}")
    endif()
    foreach(pattern IN LISTS forbidden)
      if(line MATCHES "${pattern}")
        get_filename_component(name ${archive} NAME)
        list(APPEND failed "${name}(${object}): ${line}")
      endif()
    endforeach()
  endforeach()
endforeach()
if(failed)
  list(REMOVE_DUPLICATES failed)
  string(REPLACE ";" "\n  " report "${failed}")
  message(FATAL_ERROR "sans-IO code calls a clock or Boost.Asio:\n  ${report}\n"
          "Engines take the time as an argument; runners read it from their Transport.")
endif()
list(LENGTH ARCHIVES n)
message(STATUS "sans-IO rule holds in ${n} archives")
