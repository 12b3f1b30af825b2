# The kernel image: every kernel source goes into the object library
# `kernel_objs`; rvos_link_kernel() links it twice, the second time with a
# table of function names (scripts/symtab.py) for panic backtraces.

# The build's Python steps (symtab.py, imagecheck.py, mkinitrd.py,
# mkdisk.py) use the standard library alone: -S skips `site` and the .pth
# files of dist-packages, half of a start's 16 ms of CPU.
set(RVOS_SCRIPT_PYTHON ${RV_PYTHON} -S)

file(READ ${RVOS_BASE}/VERSION RVOS_VERSION)
string(STRIP "${RVOS_VERSION}" RVOS_VERSION)

set(RVOS_ARCH_FLAGS -march=rv64ima$<$<BOOL:${CONFIG_RISCV_ISA_C}>:c>_zicsr_zifencei -mabi=lp64
  -mcmodel=medany)
# With a kernel feature off (kernel/Kconfig.features) or -Os, each function
# and object in a section of its own, so that the link's --gc-sections drops
# what nothing uses any more (the system calls of features that are off,
# whose files are left out: kernel/CMakeLists.txt); the linker script KEEPs
# what is reached otherwise. A kernel with every feature is built as before:
# the sections would only move its code, and that moves the instruction
# counts the benchmarks measure (spawn_picolibc_env_1k by 230).
set(RVOS_KERNEL_SECTIONS "")
foreach(_f IPC IPC_HANDLE_TRANSFER IPC_FASTPATH IPC_PORTS WAIT_MANY HANDLE_REVOCATION SHM
    DEVICE_CAPS PROCESS_HANDLES INFO_CALLS RANDOM PRINTK_FULL_FORMAT PANIC_BACKTRACE DEVICE_TREE
    KERNEL_VERBOSE_MESSAGES CONSOLE_INPUT INITRD_ARCHIVE)
  if(NOT CONFIG_${_f})
    set(RVOS_KERNEL_SECTIONS -ffunction-sections -fdata-sections)
  endif()
endforeach()
if(CONFIG_KERNEL_SIZE_OPTIMIZATIONS)
  set(RVOS_KERNEL_SECTIONS -ffunction-sections -fdata-sections)
endif()
# -Os also calls shared prologue and epilogue routines instead of saving
# and restoring registers inline (-msave-restore; arch/riscv/save_restore.S)
# and aligns string constants to their type, not to 8 bytes
# (-malign-data=natural).
set(RVOS_KERNEL_CFLAGS ${RVOS_ARCH_FLAGS} -std=gnu11
  $<IF:$<BOOL:${CONFIG_KERNEL_SIZE_OPTIMIZATIONS}>,-Os,-O2> -g -ffreestanding -fno-builtin
  $<$<BOOL:${CONFIG_KERNEL_SIZE_OPTIMIZATIONS}>:-msave-restore>
  $<$<BOOL:${CONFIG_KERNEL_SIZE_OPTIMIZATIONS}>:-malign-data=natural>
  ${RVOS_KERNEL_SECTIONS}
  -fno-common -fno-stack-protector -fno-tree-loop-distribute-patterns -fno-pic -Wall -Wextra -Werror -Wno-unused-parameter
  $<$<BOOL:${CONFIG_FRAME_POINTERS}>:-fno-omit-frame-pointer>
  -include ${AUTOCONF_H})
# -DRV_DEBUG_INFO=OFF: no DWARF (-g) in the kernel nor the programs. `rv
# test` builds so (nothing it runs reads DWARF: gdb there reads only the
# ELF symbol table): a cold build compiles 13% faster and its folder is a
# quarter the size. -g changes no code (unit.testrunner.user_share compares
# the loadable sections both ways); `rv build` keeps it for gdb.
option(RV_DEBUG_INFO "Compile the kernel and the programs with debug information (-g)" ON)
if(NOT RV_DEBUG_INFO)
  list(REMOVE_ITEM RVOS_KERNEL_CFLAGS -g)
endif()

# CONFIG_KERNEL_LTO: the kernel's C is compiled to GCC's intermediate form
# and optimised as one program when it is linked, with the code generation
# options of its compilation (the link runs the compiler again).
set(RVOS_KERNEL_LTO_FLAGS "")
if(CONFIG_KERNEL_LTO)
  set(RVOS_KERNEL_LTO_FLAGS -flto -Os -msave-restore -malign-data=natural -ffreestanding
    -fno-builtin -ffunction-sections -fdata-sections -fno-common -fno-tree-loop-distribute-patterns
    -fno-pic $<$<BOOL:${CONFIG_FRAME_POINTERS}>:-fno-omit-frame-pointer>)
endif()

add_library(kernel_objs OBJECT)
target_compile_options(kernel_objs PRIVATE ${RVOS_KERNEL_CFLAGS} $<$<BOOL:${CONFIG_KERNEL_LTO}>:-flto>)
target_compile_definitions(kernel_objs PRIVATE RVOS_VERSION="${RVOS_VERSION}" __KERNEL__)
target_include_directories(kernel_objs PRIVATE ${RVOS_BASE}/include ${RVOS_BASE}/kernel/include
  ${RVOS_BASE}/arch/riscv/include ${CMAKE_BINARY_DIR}/include)

# Add kernel sources, relative to the calling CMakeLists.txt.
function(rvos_kernel_sources)
  foreach(_s ${ARGN})
    get_filename_component(_abs ${_s} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    target_sources(kernel_objs PRIVATE ${_abs})
  endforeach()
endfunction()

# Add kernel sources only when a Kconfig symbol is enabled.
function(rvos_kernel_sources_ifdef symbol)
  if(${symbol})
    rvos_kernel_sources(${ARGN})
  endif()
endfunction()

# An app's kernel-side code (its app_main) until it has user programs.
function(rvos_app_sources)
  rvos_kernel_sources(${ARGN})
endfunction()

# One link of the kernel: the objects plus `table` (the function-name
# table, or an empty one), with the options rvos_link_kernel sets.
function(rvos_kernel_link elf table)
  add_executable(${elf} ${table})
  target_link_libraries(${elf} PRIVATE kernel_objs)
  target_compile_options(${elf} PRIVATE ${RVOS_ARCH_FLAGS})
  target_link_options(${elf} PRIVATE ${_link_opts})
  set_target_properties(${elf} PROPERTIES LINK_DEPENDS ${_ld})
endfunction()

function(rvos_link_kernel)
  set(_ld ${RVOS_BASE}/arch/riscv/kernel.ld)
  set(_link_opts ${RVOS_ARCH_FLAGS} ${RVOS_KERNEL_LTO_FLAGS} -nostdlib -static -Wl,--gc-sections -Wl,-T,${_ld}
    -Wl,--defsym=KERNEL_LOAD_ADDRESS=${CONFIG_KERNEL_LOAD_ADDRESS}
    -Wl,--defsym=BOOT_STACK_SIZE=${CONFIG_BOOT_STACK_SIZE} -Wl,--no-warn-rwx-segments)
  set(_empty ${CMAKE_BINARY_DIR}/kernel/symtab_empty.S)
  set(_table ${CMAKE_BINARY_DIR}/kernel/symtab.S)
  # The empty table (symtab.py's layout, kernel/symtab.c, with no
  # function), written by CMake itself: no Python start at all, and
  # file(CONFIGURE) leaves an unchanged file alone.
  set(_tab "\t")
  file(CONFIGURE OUTPUT ${_empty} @ONLY CONTENT
"@_tab@.section .ksyms, \"a\"
@_tab@.balign 8
@_tab@.globl ksym_count
ksym_count:
@_tab@.quad 0
@_tab@.globl ksym_addrs
ksym_addrs:
@_tab@.globl ksym_name_offsets
ksym_name_offsets:
@_tab@.globl ksym_names
ksym_names:
@_tab@.byte 0
")

  if(CONFIG_KERNEL_SYMTAB)
    # Pass 1: no names yet. (Without the table, the one link below is the
    # kernel: a link-time optimised kernel's link is most of a small app's
    # build, 0.8 s of hello's.)
    rvos_kernel_link(rvos_pass1.elf ${_empty})
    add_custom_command(OUTPUT ${_table}
      COMMAND ${RVOS_SCRIPT_PYTHON} ${RVOS_BASE}/scripts/symtab.py --nm ${CMAKE_NM}
        --elf $<TARGET_FILE:rvos_pass1.elf> --out ${_table}
      DEPENDS rvos_pass1.elf ${RVOS_BASE}/scripts/symtab.py
      COMMENT "Generating the kernel's function-name table")
  else()
    set(_table ${_empty})
  endif()

  # Pass 2 (the only one without CONFIG_KERNEL_SYMTAB): the same objects
  # plus the table, placed after everything else so no function moves
  # (imagecheck.py --same-functions checks that, with symtab.py's code).
  rvos_kernel_link(rvos.elf ${_table})
  set(_same "")
  if(CONFIG_KERNEL_SYMTAB)
    set(_same --nm ${CMAKE_NM} --same-functions $<TARGET_FILE:rvos_pass1.elf>)
  endif()
  # The image with its static pools must fit the board's RAM below the
  # initrd (when the app has one: programs or files not only on the disk).
  rvos_initrd_names(_names)
  set(_initrd "")
  if(_names)
    set(_initrd --initrd)
  endif()
  add_custom_command(TARGET rvos.elf POST_BUILD
    COMMAND ${RVOS_SCRIPT_PYTHON} ${RVOS_BASE}/scripts/imagecheck.py --config ${DOTCONFIG}
      --kernel $<TARGET_FILE:rvos.elf> --board ${BOARD} --board-cmake ${BOARD_DIR}/board.cmake
      ${_initrd} ${_same})
endfunction()
