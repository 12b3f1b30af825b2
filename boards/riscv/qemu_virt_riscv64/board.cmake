# How QEMU runs this board. `rv flash` reads these variables with
# `cmake -P`-free parsing: one set() per line, values in quotes.
set(QEMU_BINARY "qemu-system-riscv64")
set(QEMU_MACHINE "virt")
set(QEMU_ARGS "-m 128M -smp 1 -nographic")
set(QEMU_ICOUNT_ARGS "-smp 1 -icount shift=0")
