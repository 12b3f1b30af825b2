set(QEMU_BINARY "qemu-system-riscv64")
set(QEMU_MACHINE "sifive_u")
set(QEMU_ARGS "-m 256M -smp 2 -nographic")
set(QEMU_ICOUNT_ARGS "")
