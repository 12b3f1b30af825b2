# Disk images: an app's ext2 image, built on the host with Debian's e2fsprogs.
#
# rvos_disk_image([DIR folder] [SIZE_KIB n] [BLOCK_SIZE n] [INODES n]
#                 [INODE_SIZE n] [RESERVED_PERCENT n] [PROGRAMS name...]
#                 [FEATURES feature...] [JOURNAL] [READ_ONLY] [DISK_ONLY])
#
# builds ${CMAKE_BINARY_DIR}/disk.img (ext2 revision 1) from the app's folder
# DIR (relative to the app; default fs/ when the app has one) plus the named
# programs, stripped, under /bin. `rv flash` attaches disk.img as a virtio
# block device on boards that have virtio; `rv test` checks it with
# e2fsck -fn after each run (doc/testing.md).
#
#   SIZE_KIB          image size in KiB (default 4096)
#   BLOCK_SIZE        1024, 2048 or 4096 (default 4096)
#   INODES            number of inodes (default: mke2fs's, one per 4 KiB on
#                     images under 512 MiB)
#   INODE_SIZE        128 or 256 (default 256)
#   RESERVED_PERCENT  blocks reserved for the super-user (default 5, as mke2fs)
#   PROGRAMS          rvos_program()/rvos_system_programs() names to install
#                     as /bin/<name>; they stay in the initrd too unless
#                     DISK_ONLY is given
#   FEATURES          mke2fs -O entries, e.g. ^resize_inode ^dir_index
#   JOURNAL           give the image a journal (has_journal: ext3's layout) of
#                     CONFIG_FS_DISK_JOURNAL_MIB MiB; mke2fs needs at least
#                     1024 journal blocks (4 MiB with 4 KiB blocks) and the
#                     journal may take at most half of SIZE_KIB
#   READ_ONLY         `rv flash` attaches the image read-only (the device
#                     reports it; writes fail)
#   DISK_ONLY         the PROGRAMS are left out of the initrd (they can only be
#                     run from the disk)
#
# The image is rebuilt when an input changes (a file in DIR, a program, the
# options); a boot's writes to it are kept until then. The image is
# reproducible: same inputs, same bytes (scripts/mkdisk.py).

function(rvos_disk_image)
  cmake_parse_arguments(D "READ_ONLY;DISK_ONLY;JOURNAL"
    "DIR;SIZE_KIB;BLOCK_SIZE;INODES;INODE_SIZE;RESERVED_PERCENT" "PROGRAMS;FEATURES" ${ARGN})
  file(RELATIVE_PATH _app ${RVOS_BASE} ${CMAKE_CURRENT_SOURCE_DIR})
  set(_where "rvos_disk_image() in ${_app}/CMakeLists.txt")
  if(D_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "${_where}: unknown argument(s) ${D_UNPARSED_ARGUMENTS}; the options "
      "are DIR, SIZE_KIB, BLOCK_SIZE, INODES, INODE_SIZE, RESERVED_PERCENT, PROGRAMS, "
      "FEATURES, JOURNAL, READ_ONLY, DISK_ONLY (see cmake/disk.cmake)")
  endif()
  get_property(_done GLOBAL PROPERTY RVOS_DISK_ARGS SET)
  if(_done)
    message(FATAL_ERROR "${_where}: called twice; an app has one disk image")
  endif()

  if(DEFINED D_DIR)
    get_filename_component(_dir ${D_DIR} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    if(NOT IS_DIRECTORY ${_dir})
      message(FATAL_ERROR "${_where}: DIR ${D_DIR} is not a folder (${_dir}); create it "
        "or give the folder to copy, relative to the app")
    endif()
  elseif(IS_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/fs)
    set(_dir ${CMAKE_CURRENT_SOURCE_DIR}/fs)
  else()
    set(_dir "")
  endif()

  foreach(_opt SIZE_KIB:4096:64:67108864 BLOCK_SIZE:4096:1024:4096 INODES::16:4194304
      INODE_SIZE::128:1024 RESERVED_PERCENT::0:50)
    string(REPLACE ":" ";" _f ${_opt})
    list(GET _f 0 _name)
    list(GET _f 1 _default)
    list(GET _f 2 _min)
    list(GET _f 3 _max)
    if(NOT DEFINED D_${_name})
      set(D_${_name} "${_default}")
    endif()
    if(NOT D_${_name} STREQUAL "")
      if(NOT D_${_name} MATCHES "^[0-9]+$" OR D_${_name} LESS ${_min}
          OR D_${_name} GREATER ${_max})
        message(FATAL_ERROR "${_where}: ${_name} ${D_${_name}} is not a whole number in "
          "[${_min}, ${_max}]")
      endif()
    endif()
  endforeach()
  if(NOT D_BLOCK_SIZE MATCHES "^(1024|2048|4096)$")
    message(FATAL_ERROR "${_where}: BLOCK_SIZE ${D_BLOCK_SIZE}: give 1024, 2048 or 4096")
  endif()
  if(D_INODE_SIZE AND NOT D_INODE_SIZE MATCHES "^(128|256|512|1024)$")
    message(FATAL_ERROR "${_where}: INODE_SIZE ${D_INODE_SIZE}: give 128 or 256")
  endif()
  if(D_DISK_ONLY AND NOT D_PROGRAMS)
    message(FATAL_ERROR "${_where}: DISK_ONLY names no programs: add PROGRAMS name...")
  endif()

  find_program(RVOS_MKE2FS mke2fs PATHS /usr/sbin /sbin)
  find_program(RVOS_DEBUGFS debugfs PATHS /usr/sbin /sbin)
  if(NOT RVOS_MKE2FS OR NOT RVOS_DEBUGFS)
    message(FATAL_ERROR "${_where}: mke2fs or debugfs not found: install Debian's e2fsprogs "
      "(run ./rv setup)")
  endif()

  set(_args --app ${_app} --size-kib ${D_SIZE_KIB} --block-size ${D_BLOCK_SIZE})
  if(_dir)
    list(APPEND _args --dir ${_dir})
  endif()
  if(D_INODES)
    list(APPEND _args --inodes ${D_INODES})
  endif()
  if(D_INODE_SIZE)
    list(APPEND _args --inode-size ${D_INODE_SIZE})
  endif()
  if(NOT D_RESERVED_PERCENT STREQUAL "")
    list(APPEND _args --reserved-percent ${D_RESERVED_PERCENT})
  endif()
  if(D_FEATURES)
    string(REPLACE ";" "," _feat "${D_FEATURES}")
    list(APPEND _args --features ${_feat})
  endif()
  if(D_JOURNAL)
    if(NOT CONFIG_FS_DISK_JOURNAL_MIB MATCHES "^[0-9]+$")
      message(FATAL_ERROR "${_where}: JOURNAL needs CONFIG_FS_DISK_JOURNAL_MIB (the journal's "
        "size in MiB, subsys/servers/fs/Kconfig.disk), which this configuration does not "
        "have")
    endif()
    list(APPEND _args --journal-mib ${CONFIG_FS_DISK_JOURNAL_MIB})
  endif()
  set_property(GLOBAL PROPERTY RVOS_DISK_ARGS "${_args}")
  set_property(GLOBAL PROPERTY RVOS_DISK_PROGRAMS "${D_PROGRAMS}")
  set_property(GLOBAL PROPERTY RVOS_DISK_WHERE "${_where}")
  if(D_DISK_ONLY)
    set_property(GLOBAL PROPERTY RVOS_DISK_ONLY_PROGRAMS "${D_PROGRAMS}")
  endif()
  if(D_READ_ONLY)
    set_property(GLOBAL PROPERTY RVOS_DISK_READ_ONLY ON)
  endif()
endfunction()

# Called once at the end of the top-level CMakeLists.txt, when every program
# target exists (an app may name programs it defines after rvos_disk_image()).
function(rvos_make_disk_image)
  get_property(_has GLOBAL PROPERTY RVOS_DISK_ARGS SET)
  get_property(_ro GLOBAL PROPERTY RVOS_DISK_READ_ONLY)
  # Read by `rv flash`: attach the image read-only.
  if(_has AND _ro)
    set(RVOS_DISK_READ_ONLY ON CACHE INTERNAL "rvos_disk_image(READ_ONLY)")
  else()
    set(RVOS_DISK_READ_ONLY OFF CACHE INTERNAL "rvos_disk_image(READ_ONLY)")
  endif()
  if(NOT _has)
    return()
  endif()
  get_property(_args GLOBAL PROPERTY RVOS_DISK_ARGS)
  get_property(_progs GLOBAL PROPERTY RVOS_DISK_PROGRAMS)
  get_property(_where GLOBAL PROPERTY RVOS_DISK_WHERE)
  set(_deps ${RVOS_BASE}/scripts/mkdisk.py ${RVOS_BASE}/cmake/mke2fs.conf)
  foreach(_p ${_progs})
    if(NOT TARGET ${_p})
      message(FATAL_ERROR "${_where}: PROGRAMS names '${_p}', which is no program of this "
        "app: define it with rvos_program(${_p} SOURCES ...) or rvos_system_programs(${_p})")
    endif()
    list(APPEND _args --program "${_p}=$<TARGET_FILE:${_p}>")
    list(APPEND _deps ${_p})
  endforeach()
  if(TARGET programs_checked)
    list(APPEND _deps ${RVOS_PROGRAMS_CHECKED})   # rvos_check_programs()
  endif()
  set(_img ${CMAKE_BINARY_DIR}/disk.img)
  add_custom_command(OUTPUT ${_img}
    COMMAND ${RVOS_SCRIPT_PYTHON} ${RVOS_BASE}/scripts/mkdisk.py -o ${_img}
      --staging ${CMAKE_BINARY_DIR}/disk-staging --strip ${CMAKE_STRIP}
      --mke2fs ${RVOS_MKE2FS} --debugfs ${RVOS_DEBUGFS}
      --depfile ${CMAKE_BINARY_DIR}/disk.img.d ${_args}
    DEPENDS ${_deps}
    DEPFILE ${CMAKE_BINARY_DIR}/disk.img.d
    COMMENT "Making disk.img"
    VERBATIM)
  add_custom_target(disk_image ALL DEPENDS ${_img})
endfunction()
