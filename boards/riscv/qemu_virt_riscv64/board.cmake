# How QEMU runs this board (read by `rv flash`: one set(NAME "value") per line).
set(QEMU_BINARY "qemu-system-riscv64")
set(QEMU_MACHINE "virt")
# virtio-mmio devices with the modern interface (register version 2, virtio
# 1.x): QEMU makes them legacy (version 1) unless told.
set(QEMU_ARGS "-m 128M -smp 1 -nographic -global virtio-mmio.force-legacy=false")
# Benchmarks: one hart, and rdinstret counts guest instructions exactly.
# Where -m puts the RAM (the build checks that the kernel image fits it:
# scripts/imagecheck.py).
set(QEMU_RAM_BASE "0x80000000")
set(QEMU_ICOUNT_ARGS "-smp 1 -icount shift=0")
# The SiFive test device (syscon) ends QEMU with the kernel's exit status.
set(QEMU_EXIT_STATUS "qemu")
# Disks: `rv flash` attaches <build>/disk.img (or --disk IMG) as this device
# on one of the machine's virtio-mmio slots.
set(QEMU_DISK_DEVICE "virtio-blk-device")
# An entropy source: `rv flash` adds this device after the disk (so the
# disk keeps the last slot, 0x10008000, and the entropy device takes the
# one below it); the kernel seeds its random numbers from it at boot
# (CONFIG_VIRTIO_RNG_SEED). `rv flash --no-rng` leaves it out.
set(QEMU_RNG_DEVICE "virtio-rng-device")
