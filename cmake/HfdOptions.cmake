# hfd_options: compile flags every hfd target links (warnings, sanitizers).
add_library(hfd_options INTERFACE)
target_compile_options(hfd_options INTERFACE -Wall -Wextra -Wno-unused-parameter)
if(HFD_SANITIZE)
  target_compile_options(hfd_options INTERFACE -fsanitize=address,undefined
                                               -fno-sanitize-recover=undefined
                                               -fno-omit-frame-pointer)
  target_link_options(hfd_options INTERFACE -fsanitize=address,undefined)
endif()
if(HFD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "HFD_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  # Instrument everything for coverage; only fuzz targets link the libFuzzer main.
  target_compile_options(hfd_options INTERFACE -fsanitize=fuzzer-no-link)
endif()
