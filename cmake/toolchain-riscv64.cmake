# Cross toolchain: Debian's gcc-riscv64-unknown-elf (bare metal, with picolibc).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv64)
set(CROSS riscv64-unknown-elf-)
find_program(RV_CROSS_GCC ${CROSS}gcc)
if(NOT RV_CROSS_GCC)
  message(FATAL_ERROR "riscv64-unknown-elf-gcc not found: install Debian's "
    "gcc-riscv64-unknown-elf (`./rv setup` does it)")
endif()
set(CMAKE_C_COMPILER ${RV_CROSS_GCC})
set(CMAKE_ASM_COMPILER ${RV_CROSS_GCC})
set(CMAKE_OBJCOPY ${CROSS}objcopy CACHE FILEPATH "")
set(CMAKE_NM ${CROSS}nm CACHE FILEPATH "")
set(CMAKE_STRIP ${CROSS}strip CACHE FILEPATH "")
# The compiler is known to work and cannot link a host-style test program:
# skip CMake's probe (it would also cost a second of every pristine build).
set(CMAKE_C_COMPILER_WORKS TRUE)
set(CMAKE_ASM_COMPILER_WORKS TRUE)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
