# Configure step: merge the Kconfig fragments into <build>/.config and
# <build>/include/generated/autoconf.h, then load the result as CMake
# variables CONFIG_*. See scripts/kconfig.py for the rules and the errors.

# Zephyr's build variables that rvOS does not have: an error naming the
# variable (CMake would only warn that it went unused, and exit 0). The
# cache entry goes, so the corrected command does not meet it again.
set(_unsupported
  "DTC_OVERLAY_FILE|rvOS has no devicetree overlays: the kernel reads the device tree the firmware passes (QEMU's)"
  "EXTRA_DTC_OVERLAY_FILE|rvOS has no devicetree overlays: the kernel reads the device tree the firmware passes (QEMU's)"
  "OVERLAY_CONFIG|Zephyr's old name for EXTRA_CONF_FILE: use -DEXTRA_CONF_FILE=a.conf (several separated by semicolons)"
  "SHIELD|rvOS has no shields: a board's devices come with the board (doc/adding-a-board.md)"
  "SNIPPET|rvOS has no snippets: give the settings as -DEXTRA_CONF_FILE=fragment.conf"
  "FILE_SUFFIX|rvOS has no file suffixes: name the fragments with -DCONF_FILE=prj_x.conf")
set(_refused "")
foreach(_entry ${_unsupported})
  string(REPLACE "|" ";" _pair "${_entry}")
  list(GET _pair 0 _var)
  list(GET _pair 1 _why)
  if(DEFINED ${_var} OR DEFINED CACHE{${_var}})
    unset(${_var} CACHE)
    message(NOTICE "error: -D${_var}: ${_why}")
    set(_refused "${_refused} ${_var}")
  endif()
endforeach()
if(_refused)
  message(FATAL_ERROR "unsupported build variables:${_refused} (the errors above say what to use)")
endif()

set(BOARD_DIR "")
file(GLOB _board_ymls ${RVOS_BASE}/boards/*/${BOARD}/board.yml)
if(NOT _board_ymls)
  file(GLOB _all ${RVOS_BASE}/boards/*/*/board.yml)
  set(_names "")
  foreach(_y ${_all})
    get_filename_component(_d ${_y} DIRECTORY)
    get_filename_component(_n ${_d} NAME)
    list(APPEND _names ${_n})
  endforeach()
  string(REPLACE ";" ", " _names "${_names}")
  message(FATAL_ERROR "unknown board '${BOARD}': the boards are ${_names} (-DBOARD=NAME)")
endif()
list(GET _board_ymls 0 _y)
get_filename_component(BOARD_DIR ${_y} DIRECTORY)

set(_frags ${BOARD_DIR}/${BOARD}_defconfig)
if(NOT EXISTS ${BOARD_DIR}/${BOARD}_defconfig)
  message(FATAL_ERROR "${BOARD_DIR}/${BOARD}_defconfig is missing: every board needs one "
    "(it selects CONFIG_BOARD_<NAME>=y)")
endif()
# CONF_FILE (as Zephyr's): the app's fragments instead of prj.conf,
# ';'-separated, relative to the app folder.
if(DEFINED CONF_FILE AND NOT "${CONF_FILE}" STREQUAL "")
  foreach(_f ${CONF_FILE})
    if(NOT IS_ABSOLUTE ${_f})
      set(_f ${APP_DIR}/${_f})
    endif()
    if(NOT EXISTS ${_f})
      unset(CONF_FILE CACHE)
      message(NOTICE "error: CONF_FILE: ${_f} does not exist (paths are relative to the app "
        "folder; CONF_FILE replaces prj.conf)")
      message(FATAL_ERROR "a CONF_FILE fragment is missing (the error above names it)")
    endif()
    list(APPEND _frags ${_f})
  endforeach()
elseif(EXISTS ${APP_DIR}/prj.conf)
  list(APPEND _frags ${APP_DIR}/prj.conf)
endif()
# The app's settings for one board (as Zephyr's boards/<board>.conf), after
# prj.conf: e.g. a board without virtio leaves the disk out.
if(EXISTS ${APP_DIR}/boards/${BOARD}.conf)
  list(APPEND _frags ${APP_DIR}/boards/${BOARD}.conf)
endif()
foreach(_f ${EXTRA_CONF_FILE})
  if(NOT IS_ABSOLUTE ${_f})
    set(_f ${APP_DIR}/${_f})
  endif()
  if(NOT EXISTS ${_f})
    message(FATAL_ERROR "EXTRA_CONF_FILE: ${_f} does not exist (paths are relative to the app folder)")
  endif()
  list(APPEND _frags ${_f})
endforeach()

# -DCONFIG_X=V on the command line: every CONFIG_ cache variable, applied last.
set(_cmdline "")
get_cmake_property(_cache_vars CACHE_VARIABLES)
foreach(_v ${_cache_vars})
  if(_v MATCHES "^CONFIG_")
    list(APPEND _cmdline "${_v}=${${_v}}")
  endif()
endforeach()

set(KCONFIG_OUT ${CMAKE_BINARY_DIR}/kconfig)
set(AUTOCONF_H ${CMAKE_BINARY_DIR}/include/generated/autoconf.h)
set(DOTCONFIG ${CMAKE_BINARY_DIR}/.config)
set(ENV{srctree} ${RVOS_BASE})
set(ENV{BOARD} ${BOARD})
set(ENV{APP_DIR} ${APP_DIR})
set(ENV{KCONFIG_CONFIG} ${DOTCONFIG})
execute_process(
  COMMAND ${RV_PYTHON} ${RVOS_BASE}/scripts/kconfig.py
    --kconfig ${RVOS_BASE}/Kconfig --config ${DOTCONFIG} --header ${AUTOCONF_H}
    --cmake-out ${KCONFIG_OUT}/config.cmake --symbol-dir ${CMAKE_BINARY_DIR}/include/config
    --fragments ${_frags} --cmdline ${_cmdline}
  WORKING_DIRECTORY ${RVOS_BASE}
  RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "Kconfig merge failed (the errors above name the file and the symbol)")
endif()

include(${KCONFIG_OUT}/config.cmake)

# Configure again when an input changes: Kconfig files, fragments, the .config
# (rv menuconfig writes it).
file(STRINGS ${KCONFIG_OUT}/sources.txt _kconfigs)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${_kconfigs} ${_frags} ${DOTCONFIG} ${BOARD_DIR}/board.yml)
