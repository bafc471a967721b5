# Helpers that register tests, so every module declares them the same way.

# hfd_add_test(NAME n SOURCES s... LIBS l... [LABELS unit|conformance|integration|vulkan ...]
#              [TIMEOUT seconds])
# One gtest binary is one CTest test. Labels select what a run covers (see scripts/test).
function(hfd_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} hfd_test_support GTest::gtest GTest::gtest_main)
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "HFD_FIXTURES_DEFAULT=${HFD_FIXTURES_DEFAULT};HFD_BUILD_DIR=${PROJECT_BINARY_DIR}")
endfunction()

# hfd_add_fuzzer(NAME n SOURCES s... LIBS l... [CORPUS dir])
# Built only with HFD_FUZZ; runs for HFD_FUZZ_SECONDS as a CTest test labelled "fuzz".
function(hfd_add_fuzzer)
  cmake_parse_arguments(F "" "NAME;CORPUS" "SOURCES;LIBS" ${ARGN})
  if(NOT HFD_FUZZ)
    return()
  endif()
  add_executable(${F_NAME} ${F_SOURCES})
  target_link_libraries(${F_NAME} PRIVATE ${F_LIBS})
  target_link_options(${F_NAME} PRIVATE -fsanitize=fuzzer)
  set(work ${CMAKE_CURRENT_BINARY_DIR}/${F_NAME}_corpus)
  file(MAKE_DIRECTORY ${work})
  set(args -max_total_time=${HFD_FUZZ_SECONDS} -seed=1 -rss_limit_mb=4096 ${work})
  if(F_CORPUS)
    list(APPEND args ${F_CORPUS})
  endif()
  add_test(NAME ${F_NAME} COMMAND ${F_NAME} ${args})
  set_tests_properties(${F_NAME} PROPERTIES LABELS fuzz TIMEOUT 300)
endfunction()
