# Warnings and sanitizers as INTERFACE targets, so no target edits CMAKE_CXX_FLAGS.
add_library(scribe_options INTERFACE)
add_library(scribe::options ALIAS scribe_options)
target_compile_options(scribe_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
# GCC takes Asio's coroutine frames (awaitable_frame_base: a class-level operator new, the sized
# operator delete) for a mismatched pair once it inlines them, depending on the frame's size and
# what it awaits: a false positive (GCC PR middle-end/109224). Everything Scribe allocates itself
# is owned by smart pointers or containers, which this warning has nothing to say about.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(scribe_options INTERFACE -Wno-mismatched-new-delete)
endif()
if(SCRIBE_WERROR)
  target_compile_options(scribe_options INTERFACE -Werror)
endif()
target_compile_definitions(scribe_options INTERFACE
  BOOST_ASIO_NO_DEPRECATED)
target_include_directories(scribe_options INTERFACE ${PROJECT_SOURCE_DIR})

add_library(scribe_sanitizers INTERFACE)
add_library(scribe::sanitizers ALIAS scribe_sanitizers)
if(SCRIBE_SANITIZE)
  list(JOIN SCRIBE_SANITIZE "," _scribe_sanitizers)
  target_compile_options(scribe_sanitizers INTERFACE
    -fsanitize=${_scribe_sanitizers} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(scribe_sanitizers INTERFACE -fsanitize=${_scribe_sanitizers})
endif()
# Fuzzing: every library gets libFuzzer's coverage instrumentation and ASan+UBSan; only the fuzz
# targets link libFuzzer itself (-fsanitize=fuzzer, tests/fuzz/CMakeLists.txt), so the other
# executables keep their own main().
if(SCRIBE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "SCRIBE_FUZZ needs clang: configure with CXX=clang++")
  endif()
  if(SCRIBE_SANITIZE)
    message(FATAL_ERROR "SCRIBE_FUZZ sets its own sanitizers: leave SCRIBE_SANITIZE empty")
  endif()
  # Without UBSan's `function` check: clang 14 cannot emit its prologue data for the split parts
  # of a coroutine ("error: Cannot represent a difference across sections").
  target_compile_options(scribe_sanitizers INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(scribe_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
target_link_libraries(scribe_options INTERFACE scribe_sanitizers)
