# Every C and assembly file is compiled through scripts/fixdep.c, a host
# program built once per version of its source into the user's cache
# (~/.cache/rvos) and shared by every build folder. It does two things
# (doc/architecture.md):
# - RV_CONFIG_SPLIT ("One configuration header per object"; with ccache):
#   the object is compiled with a header of its own holding only the options
#   its sources and the headers they include mention, so that ccache's
#   direct mode finds it again in every configuration that agrees on them.
# - RV_FIXDEP ("What a configuration change rebuilds"): the compiler's
#   dependency file names the files of the CONFIG_ symbols the sources
#   mention (<build>/include/config/NAME, kept by scripts/kconfig.py)
#   instead of autoconf.h, so a change recompiles only what reads it.
# Without a host C compiler (`rv setup` installs gcc) neither: objects
# include and depend on autoconf.h, and every change rebuilds everything.

option(RV_FIXDEP "Recompile only the objects that read a changed option" ON)
option(RV_CONFIG_SPLIT "Compile each object with only the options it reads (ccache finds it across configurations)" ON)
set(RV_SYMBOL_DIR ${CMAKE_BINARY_DIR}/include/config)

function(rvos_fixdep_program out)
  set(${out} "" PARENT_SCOPE)
  find_program(RV_HOST_CC NAMES gcc cc)
  if(NOT RV_HOST_CC)
    message(WARNING "no host C compiler (gcc): every configuration change will rebuild "
      "everything; `rv setup` installs gcc")
    return()
  endif()
  set(src ${RVOS_BASE}/scripts/fixdep.c)
  # Linked statically where the host has a static libc (Debian's libc6-dev
  # does): it starts for every object, and a start without the dynamic
  # loader costs about half (3 ms less on a 2-core virtual machine, a
  # minute of CPU in a whole `rv test`). The flags are part of its name.
  set(flags -O2 -Wall -Werror)
  set(static_flags ${flags} -static)
  file(READ ${src} text)
  string(SHA1 hash "${static_flags}\n${text}")
  string(SUBSTRING ${hash} 0 12 hash)
  if(DEFINED ENV{XDG_CACHE_HOME} AND NOT "$ENV{XDG_CACHE_HOME}" STREQUAL "")
    set(dir $ENV{XDG_CACHE_HOME}/rvos)
  elseif(DEFINED ENV{HOME} AND NOT "$ENV{HOME}" STREQUAL "")
    set(dir $ENV{HOME}/.cache/rvos)
  else()
    set(dir ${CMAKE_BINARY_DIR}/tools)
  endif()
  set(exe ${dir}/fixdep-${hash})
  if(NOT EXISTS ${exe})
    file(MAKE_DIRECTORY ${dir})
    string(MD5 tag ${CMAKE_BINARY_DIR})
    execute_process(COMMAND ${RV_HOST_CC} ${static_flags} -o ${exe}.${tag} ${src}
      RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)    # no static libc: the usual dynamic link
      execute_process(COMMAND ${RV_HOST_CC} ${flags} -o ${exe}.${tag} ${src}
        RESULT_VARIABLE rc ERROR_VARIABLE err)
    endif()
    if(NOT rc EQUAL 0)
      message(WARNING "cannot build ${src} with ${RV_HOST_CC} (${err}): every configuration "
        "change will rebuild everything")
      return()
    endif()
    file(RENAME ${exe}.${tag} ${exe})    # atomic: parallel builds may race here
  endif()
  set(${out} ${exe} PARENT_SCOPE)
endfunction()

# The split serves ccache alone: without it (-DRV_CCACHE=OFF, or not
# installed) objects include autoconf.h.
if(NOT RV_CCACHE OR NOT RV_CCACHE_PROGRAM)
  set(RV_CONFIG_SPLIT OFF)
endif()
if(RV_FIXDEP OR RV_CONFIG_SPLIT)
  rvos_fixdep_program(RV_FIXDEP_PROGRAM)
  if(RV_FIXDEP_PROGRAM)
    file(REAL_PATH ${RVOS_BASE} _base_real)
    file(REAL_PATH ${CMAKE_BINARY_DIR} _build_real)
    set(_fixdep ${RV_FIXDEP_PROGRAM})
    if(RV_CONFIG_SPLIT)
      list(APPEND _fixdep --split)
      # The compiler's own header folders (picolibc's and gcc's), which the
      # split's scan follows too: picolibc's <dirent.h> includes
      # <sys/dirent.h>, which lib/include provides through -I.
      execute_process(COMMAND ${CMAKE_C_COMPILER} --specs=picolibc.specs -E -Wp,-v -x c
        /dev/null -o /dev/null ERROR_VARIABLE _search OUTPUT_QUIET RESULT_VARIABLE _rc)
      if(NOT _rc EQUAL 0)
        message(FATAL_ERROR "${CMAKE_C_COMPILER} --specs=picolibc.specs cannot preprocess: "
          "install Debian's picolibc-riscv64-unknown-elf (`rv setup`)\n${_search}")
      endif()
      string(REGEX REPLACE ".*#include <...> search starts here:\n(.*)End of search list.*"
        "\\1" _search "${_search}")
      string(REGEX REPLACE "[ \n]+" ";" _search "${_search}")
      foreach(_d ${_search})
        list(APPEND _fixdep --system ${_d})
      endforeach()
    endif()
    if(RV_FIXDEP)
      list(APPEND _fixdep --symbols ${RV_SYMBOL_DIR})
    endif()
    # The app's folder too: an app may live outside the tree.
    file(REAL_PATH ${APP_DIR} _app_real)
    list(APPEND _fixdep ${AUTOCONF_H} ${_base_real}/ ${_build_real}/ ${_app_real}/ --)
    set(CMAKE_C_COMPILER_LAUNCHER ${_fixdep} ${CMAKE_C_COMPILER_LAUNCHER})
    set(CMAKE_ASM_COMPILER_LAUNCHER ${_fixdep} ${CMAKE_ASM_COMPILER_LAUNCHER})
  endif()
endif()
