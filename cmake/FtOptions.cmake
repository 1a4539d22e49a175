# Compile options every fibertrace target shares: warnings, frame pointers (the tracer walks
# them), and the sanitizer of this build, if any.
add_library(ft_options INTERFACE)
target_compile_options(ft_options INTERFACE
  -Wall -Wextra -Wpedantic -Wno-missing-field-initializers
  -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer)

if(FT_SANITIZE STREQUAL "address")
  target_compile_options(ft_options INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=undefined)
  target_link_options(ft_options INTERFACE -fsanitize=address,undefined)
  target_compile_definitions(ft_options INTERFACE FT_ASAN=1)
  # GCC 12 misreports libstdc++ internals as uninitialized under ASan.
  target_compile_options(ft_options INTERFACE -Wno-maybe-uninitialized)
elseif(FT_SANITIZE STREQUAL "thread")
  target_compile_options(ft_options INTERFACE -fsanitize=thread)
  target_link_options(ft_options INTERFACE -fsanitize=thread)
  target_compile_definitions(ft_options INTERFACE FT_TSAN=1)
  # TSan does not model atomic_thread_fence, and GCC 12 says so at each one (-Wtsan). Ours order
  # only Dekker-style "does anyone need waking" checks between atomics (proc.cpp, ring.hpp, the
  # tracer's stop protocol); every datum is handed over by acquire/release or a lock, which TSan
  # does model, so nothing it checks depends on them.
  target_compile_options(ft_options INTERFACE -Wno-tsan)
elseif(FT_SANITIZE)
  message(FATAL_ERROR "FT_SANITIZE must be empty, 'address' or 'thread', not '${FT_SANITIZE}'")
endif()
