# User programs: C with Debian's picolibc, linked at RV_USER_TEXT_BASE by
# lib/user.ld, packed into <build>/initrd.cpio (cpio newc) for the kernel.

# picolibc's <time.h> declares clock_gettime, nanosleep, clock_nanosleep and
# the CLOCK_MONOTONIC and CPU-time clock ids only when the system announces
# those POSIX options, which picolibc does for RTEMS and Cygwin alone.
# lib/src/time.c implements them, so rvOS programs announce them.
set(RVOS_USER_POSIX_OPTIONS -D_POSIX_TIMERS=200809L -D_POSIX_MONOTONIC_CLOCK=200809L
  -D_POSIX_CLOCK_SELECTION=200809L -D_POSIX_CPUTIME=200809L -D_POSIX_THREAD_CPUTIME=200809L)
# CONFIG_FPU: user programs use F and D (lp64d); the kernel never does.
if(CONFIG_FPU)
  set(RVOS_USER_ARCH_FLAGS -march=rv64imafdc_zicsr_zifencei -mabi=lp64d -mcmodel=medany)
  set(RVOS_USER_LINK_ARCH -march=rv64imafdc -mabi=lp64d)
else()
  set(RVOS_USER_ARCH_FLAGS ${RVOS_ARCH_FLAGS})
  set(RVOS_USER_LINK_ARCH -march=rv64ima$<$<BOOL:${CONFIG_RISCV_ISA_C}>:c> -mabi=lp64)
endif()
# CONFIG_USER_LIBC_SPEED: picolibc's release build (lib/Kconfig), its
# headers at compile time and its libraries at link time.
if(CONFIG_USER_LIBC_SPEED)
  set(RVOS_USER_LIBC_BUILD --picolibc-buildtype=release)
else()
  set(RVOS_USER_LIBC_BUILD)
endif()
set(RVOS_USER_CFLAGS ${RVOS_USER_ARCH_FLAGS} --specs=picolibc.specs ${RVOS_USER_LIBC_BUILD} -std=gnu11 -O2 -g
  -ffunction-sections -fdata-sections -fno-omit-frame-pointer -Wall -Wextra -Werror -Wno-unused-parameter
  ${RVOS_USER_POSIX_OPTIONS} -include ${AUTOCONF_H})
if(NOT RV_DEBUG_INFO)   # cmake/kernel.cmake
  list(REMOVE_ITEM RVOS_USER_CFLAGS -g)
endif()
set(RVOS_USER_INCLUDES ${RVOS_BASE}/include ${RVOS_BASE}/lib/include)
# librvos.a: `ar qcs` writes the archive and its symbol index in one run,
# the bytes CMake's `ar qc` and then `ranlib` write in two.
set(CMAKE_C_ARCHIVE_CREATE "<CMAKE_AR> qcs <TARGET> <LINK_FLAGS> <OBJECTS>")
set(CMAKE_C_ARCHIVE_FINISH "")
# The link names the plain ISA so gcc picks picolibc's rv64imac/lp64 (or
# rv64imafdc/lp64d) multilib (a -march with _zicsr_zifencei matches none
# and falls back to rv64gc).
set(RVOS_USER_LDFLAGS ${RVOS_USER_LINK_ARCH} -mcmodel=medany
  --specs=picolibc.specs ${RVOS_USER_LIBC_BUILD} -nostartfiles
  -T ${RVOS_BASE}/lib/user.ld -L${CMAKE_BINARY_DIR}/lib --oslib=rvos -static -Wl,--gc-sections
  -Wl,--no-warn-rwx-segments
  # exit() flushes the streams fopen made (lib/src/stdio_files.c).
  -Wl,--wrap=fdopen -Wl,--wrap=fclose
  # POSIX's checks of a variable's name (lib/src/start.c).
  -Wl,--wrap=setenv -Wl,--wrap=unsetenv
  # printf's and scanf's %e %f %g %a, exact (lib/src/stdio_float.c).
  -Wl,--wrap=vfprintf -Wl,--wrap=__d_vfprintf -Wl,--wrap=vfscanf)

# rvos_program(NAME SOURCES a.c b.c ... [INCLUDES dir ...]): a program in the
# app's initrd. In-QEMU tests add ${RVOS_BASE}/tests/kernel/common (check.h).
function(rvos_program name)
  cmake_parse_arguments(P "" "" "SOURCES;INCLUDES" ${ARGN})
  if(NOT P_SOURCES)
    message(FATAL_ERROR "rvos_program(${name}): give its SOURCES")
  endif()
  # The kernel finds a program by a name shorter than CONFIG_PROC_NAME_MAX
  # (its NUL included); a longer one could never start.
  string(LENGTH "${name}" _len)
  if(NOT _len LESS CONFIG_PROC_NAME_MAX)
    math(EXPR _need "${_len} + 1")
    message(NOTICE "error: Kconfig: CONFIG_PROC_NAME_MAX=${CONFIG_PROC_NAME_MAX}: the app's "
      "program ${name} has a name of ${_len} bytes, which the kernel would refuse: raise "
      "CONFIG_PROC_NAME_MAX to ${_need} or more (cmake/user.cmake)")
    message(FATAL_ERROR "a program's name is too long for CONFIG_PROC_NAME_MAX (the error above)")
  endif()
  add_executable(${name} ${P_SOURCES} $<TARGET_OBJECTS:rvos_crt0>)
  target_compile_options(${name} PRIVATE ${RVOS_USER_CFLAGS})
  target_include_directories(${name} PRIVATE ${RVOS_USER_INCLUDES} ${P_INCLUDES})
  target_link_options(${name} PRIVATE ${RVOS_USER_LDFLAGS})
  # librvos.a comes in through the link spec (--oslib=rvos), which CMake
  # does not see: without it here a changed library relinks nothing.
  set_target_properties(${name} PROPERTIES
    LINK_DEPENDS "${RVOS_BASE}/lib/user.ld;${CMAKE_BINARY_DIR}/lib/librvos.a"
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/programs)
  # Within the kernel's ELF loader limits: rvos_check_programs().
  add_dependencies(${name} rvos)
  set_property(GLOBAL APPEND PROPERTY RVOS_PROGRAMS ${name})
endfunction()

# rvos_test_programs(NAME ...): in-QEMU test programs, each built from
# src/NAME.c with tests/kernel/common (check.h) and tests/user/common
# (malformed.h) on the include path.
function(rvos_test_programs)
  foreach(_name ${ARGN})
    rvos_program(${_name} SOURCES src/${_name}.c
      INCLUDES ${RVOS_BASE}/tests/kernel/common ${RVOS_BASE}/tests/user/common)
  endforeach()
endfunction()

# rvos_initrd_file(NAME FILE): put a file that is not built here (a test's
# malformed program, data) into the initrd under NAME.
function(rvos_initrd_file name file)
  get_filename_component(_abs ${file} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
  set_property(GLOBAL APPEND PROPERTY RVOS_INITRD_FILES "${name}=${_abs}")
endfunction()

# The app's programs within the kernel's ELF loader limits
# (CONFIG_ELF_MAX_SEGMENTS, CONFIG_ELF_MAX_SEGMENT_BYTES), checked by one
# run of scripts/imagecheck.py once they are all linked (a Python start
# per program cost 40 ms each); the initrd and the disk image wait for it.
set(RVOS_PROGRAMS_CHECKED ${CMAKE_BINARY_DIR}/programs/checked.stamp)
function(rvos_check_programs)
  get_property(_progs GLOBAL PROPERTY RVOS_PROGRAMS)
  if(NOT _progs)
    return()
  endif()
  set(_args "")
  foreach(_p ${_progs})
    list(APPEND _args --program $<TARGET_FILE:${_p}>)
  endforeach()
  add_custom_command(OUTPUT ${RVOS_PROGRAMS_CHECKED}
    COMMAND ${RVOS_SCRIPT_PYTHON} ${RVOS_BASE}/scripts/imagecheck.py --config ${DOTCONFIG} ${_args}
    COMMAND ${CMAKE_COMMAND} -E touch ${RVOS_PROGRAMS_CHECKED}
    DEPENDS ${_progs} ${DOTCONFIG} ${RVOS_BASE}/scripts/imagecheck.py
    COMMENT "Checking the programs against the ELF loader's limits")
  add_custom_target(programs_checked ALL DEPENDS ${RVOS_PROGRAMS_CHECKED})
endfunction()

function(rvos_make_initrd)
  get_property(_progs GLOBAL PROPERTY RVOS_PROGRAMS)
  get_property(_files GLOBAL PROPERTY RVOS_INITRD_FILES)
  # rvos_disk_image(... DISK_ONLY): those programs are on the disk alone.
  get_property(_disk_only GLOBAL PROPERTY RVOS_DISK_ONLY_PROGRAMS)
  if(_disk_only)
    list(REMOVE_ITEM _progs ${_disk_only})
  endif()
  if(NOT _progs AND NOT _files)
    return()  # a kernel-only app: no initrd
  endif()
  set(_entries "")
  set(_deps "")
  foreach(_p ${_progs})
    list(APPEND _entries "${_p}=$<TARGET_FILE:${_p}>")
    list(APPEND _deps ${_p})
  endforeach()
  if(TARGET programs_checked)
    list(APPEND _deps ${RVOS_PROGRAMS_CHECKED})   # rvos_check_programs()
  endif()
  foreach(_f ${_files})
    list(APPEND _entries "--raw" "${_f}")
    string(REGEX REPLACE "^[^=]*=" "" _path "${_f}")
    list(APPEND _deps ${_path})
  endforeach()
  # CONFIG_INITRD_ARCHIVE=n: the initrd is the first program's ELF file,
  # no archive (the kernel has no cpio reader then): one program only.
  set(_single "")
  if(NOT CONFIG_INITRD_ARCHIVE)
    list(LENGTH _progs _np)
    if(_files OR NOT _np EQUAL 1 OR NOT "${_progs}" STREQUAL "${CONFIG_INIT_PROGRAM}")
      set(_all ${_progs} ${_files})
      string(REPLACE ";" ", " _all "${_all}")
      message(NOTICE "error: Kconfig: CONFIG_INITRD_ARCHIVE=n, CONFIG_INIT_PROGRAM="
        "\"${CONFIG_INIT_PROGRAM}\": without the archive the initrd holds one program, the "
        "first one, but this app puts these in it: ${_all}: turn on CONFIG_INITRD_ARCHIVE")
      message(FATAL_ERROR "the configuration breaks a rule of the initrd (the error above)")
    endif()
    set(_single --single)
  endif()
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/initrd.cpio
    COMMAND ${RVOS_SCRIPT_PYTHON} ${RVOS_BASE}/scripts/mkinitrd.py --strip ${CMAKE_STRIP} ${_single}
      -o ${CMAKE_BINARY_DIR}/initrd.cpio ${_entries}
    DEPENDS ${_deps} ${RVOS_BASE}/scripts/mkinitrd.py
    COMMENT "Packing initrd.cpio")
  add_custom_target(initrd ALL DEPENDS ${CMAKE_BINARY_DIR}/initrd.cpio)
endfunction()

# The rules of the configuration that hold for one program (`# check
# PROGRAM:` in a Kconfig file, scripts/kconfig_checks.py): the merge wrote
# those that fail to kconfig/program-checks.txt; the build stops here, before
# any compiler runs, if the app builds one of those programs.
function(rvos_check_program_rules)
  get_property(_progs GLOBAL PROPERTY RVOS_PROGRAMS)
  # For tools that need to know (scripts/randconfig.py).
  string(REPLACE ";" "\n" _list "${_progs}")
  file(WRITE ${KCONFIG_OUT}/programs.txt "${_list}\n")
  file(STRINGS ${KCONFIG_OUT}/program-checks.txt _failed)
  set(_n 0)
  foreach(_line ${_failed})
    string(REGEX MATCH "^[^\t]*" _prog "${_line}")
    if(_prog IN_LIST _progs)
      string(REGEX REPLACE "^[^\t]*\t" "" _msg "${_line}")
      message(NOTICE "error: Kconfig: ${_msg} [the app builds ${_prog}]")
      math(EXPR _n "${_n} + 1")
    endif()
  endforeach()
  if(_n GREATER 0)
    message(FATAL_ERROR "the configuration breaks ${_n} rule(s) of the programs this app builds "
      "(the errors above name the symbols and the rule's file and line)")
  endif()
  rvos_check_init_program()
endfunction()

# rvos_initrd_names(OUT): the names in the app's initrd (its programs but
# those only on the disk, and rvos_initrd_file()'s); empty: no initrd.
function(rvos_initrd_names out)
  get_property(_progs GLOBAL PROPERTY RVOS_PROGRAMS)
  get_property(_files GLOBAL PROPERTY RVOS_INITRD_FILES)
  get_property(_disk_only GLOBAL PROPERTY RVOS_DISK_ONLY_PROGRAMS)
  if(_disk_only AND _progs)
    list(REMOVE_ITEM _progs ${_disk_only})
  endif()
  foreach(_f ${_files})
    string(REGEX REPLACE "=.*$" "" _name "${_f}")
    list(APPEND _progs ${_name})
  endforeach()
  set(${out} ${_progs} PARENT_SCOPE)
endfunction()

# The kernel starts CONFIG_INIT_PROGRAM from the initrd: in an app with one,
# a name that is not there built and then stopped at boot ("cannot start
# the first program").
function(rvos_check_init_program)
  rvos_initrd_names(_names)
  if(NOT _names OR "${CONFIG_INIT_PROGRAM}" IN_LIST _names)
    return()  # a kernel-only app starts no program
  endif()
  string(REPLACE ";" ", " _list "${_names}")
  message(NOTICE "error: Kconfig: CONFIG_INIT_PROGRAM=\"${CONFIG_INIT_PROGRAM}\": the kernel "
    "starts the first program from the app's initrd, which has no such program (it has: "
    "${_list}): set CONFIG_INIT_PROGRAM to one of them (cmake/user.cmake)")
  message(FATAL_ERROR "CONFIG_INIT_PROGRAM is not in the app's initrd (the error above)")
endfunction()

# System programs (init, servers): rvos_system_programs().
include(${RVOS_BASE}/cmake/system.cmake)
# Disk images (ext2, e2fsprogs): rvos_disk_image().
include(${RVOS_BASE}/cmake/disk.cmake)
