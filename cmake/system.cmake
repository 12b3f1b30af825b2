# System programs from subsys/, for apps that boot into init
# (CONFIG_INIT_PROGRAM="init"): rvos_system_programs(init math ...) adds
# each named one to the app's initrd. Known: init, console, math, sysinfo, fs,
# virtio_blk.
function(rvos_system_programs)
  foreach(_name ${ARGN})
    if(_name STREQUAL "init")
      rvos_program(init SOURCES ${RVOS_BASE}/subsys/init/init.c
        ${RVOS_BASE}/subsys/init/manifest.c)
    elseif(_name STREQUAL "console")
      rvos_program(console SOURCES ${RVOS_BASE}/subsys/servers/console/console.c)
    elseif(_name STREQUAL "math")
      rvos_program(math SOURCES ${RVOS_BASE}/subsys/servers/math/math.c)
    elseif(_name STREQUAL "fs")
      rvos_program(fs SOURCES ${RVOS_BASE}/subsys/servers/fs/fs.c
        ${RVOS_BASE}/subsys/servers/fs/vfs.c ${RVOS_BASE}/subsys/servers/fs/tmpfs.c
        ${RVOS_BASE}/subsys/servers/fs/blkdev_client.c ${RVOS_BASE}/subsys/servers/fs/ext2.c
        ${RVOS_BASE}/subsys/servers/fs/bcache.c ${RVOS_BASE}/subsys/servers/fs/journal.c)
    elseif(_name STREQUAL "sysinfo")
      rvos_program(sysinfo SOURCES ${RVOS_BASE}/subsys/servers/sysinfo/sysinfo.c)
    elseif(_name STREQUAL "virtio_blk")
      rvos_program(virtio_blk SOURCES ${RVOS_BASE}/subsys/servers/virtio_blk/virtio_blk.c)
    else()
      message(FATAL_ERROR "rvos_system_programs(): no system program '${_name}'")
    endif()
  endforeach()
endfunction()
