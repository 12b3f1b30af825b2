# Per-symbol configuration dependencies (doc/architecture.md, "What a
# configuration change rebuilds"): compile every C and assembly file through
# scripts/fixdep.c, which replaces autoconf.h in the compiler's dependency
# file by the files of the CONFIG_ symbols the sources mention
# (<build>/include/config/NAME, kept by scripts/kconfig.py). fixdep is a
# host program, built once per version of its source into the user's cache
# (~/.cache/rvos) and shared by every build folder. Without a host C compiler
# (`rv setup` installs gcc) or with -DRV_FIXDEP=OFF, objects depend on
# autoconf.h as before: every configuration change rebuilds everything.

option(RV_FIXDEP "Recompile only the objects that read a changed option" ON)
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
  file(SHA1 ${src} hash)
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
    execute_process(COMMAND ${RV_HOST_CC} -O2 -Wall -Werror -o ${exe}.${tag} ${src}
      RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(WARNING "cannot build ${src} with ${RV_HOST_CC} (${err}): every configuration "
        "change will rebuild everything")
      return()
    endif()
    file(RENAME ${exe}.${tag} ${exe})    # atomic: parallel builds may race here
  endif()
  set(${out} ${exe} PARENT_SCOPE)
endfunction()

if(RV_FIXDEP)
  rvos_fixdep_program(RV_FIXDEP_PROGRAM)
  if(RV_FIXDEP_PROGRAM)
    file(REAL_PATH ${RVOS_BASE} _base_real)
    file(REAL_PATH ${CMAKE_BINARY_DIR} _build_real)
    set(_fixdep ${RV_FIXDEP_PROGRAM} ${RV_SYMBOL_DIR} ${AUTOCONF_H} ${_base_real}/
      ${_build_real}/ --)
    set(CMAKE_C_COMPILER_LAUNCHER ${_fixdep} ${CMAKE_C_COMPILER_LAUNCHER})
    # CMake 3.25 has no launcher for ASM: the rule itself starts with fixdep.
    list(JOIN _fixdep " " _fixdep_words)
    set(CMAKE_ASM_COMPILE_OBJECT "${_fixdep_words} ${CMAKE_ASM_COMPILE_OBJECT}")
  endif()
endif()
