# How QEMU runs this board (read by `rv flash`: one set(NAME "value") per line).
set(QEMU_BINARY "qemu-system-riscv64")
set(QEMU_MACHINE "sifive_u")
# -smp 2: hart 0 is the E51 monitor core, the kernel runs on hart 1.
# -no-reboot: OpenSBI here can only reboot (gpio-restart); this makes it an exit.
set(QEMU_ARGS "-m 256M -smp 2 -nographic -no-reboot")
# One hart cannot run the kernel on this machine, so no -icount measurements.
# Where -m puts the RAM (the build checks that the kernel image fits it:
# scripts/imagecheck.py).
set(QEMU_RAM_BASE "0x80000000")
set(QEMU_ICOUNT_ARGS "")
# No test device: the exit status comes from the kernel's power-off line.
set(QEMU_EXIT_STATUS "console")
# No virtio on sifive_u, so no disk: `rv flash` attaches no image and apps
# keep their files on tmpfs (in RAM).
set(QEMU_DISK_DEVICE "")
