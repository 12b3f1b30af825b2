/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Capability IPC: handles, rights, channels, wait_many, shared memory.
 * The full description, with every limit and what happens at it, is
 * doc/ipc.md.
 */
#ifndef RVOS_IPC_H
#define RVOS_IPC_H

#include <stdint.h>

/*
 * A handle names a kernel object in one process's handle table, with
 * rights. Its 32-bit value encodes the table slot (low RV_HANDLE_SLOT_BITS
 * bits) and the slot's generation (the rest): closing a handle bumps the
 * generation, so a stale value never names the slot's next object (-EBADF).
 * Handle 0 of every process is its bootstrap channel: the first handle its
 * spawner gave it (for programs init starts, the channel to init; the
 * runtime sends init's requests there, e.g. stdio's connection to the
 * console). Nothing else is ever put in slot 0: a process started without
 * handles (the first one) has no handle 0, and closing it leaves slot 0
 * empty for good.
 */
typedef uint32_t rv_handle_t;

#define RV_HANDLE_SLOT_BITS 11
#define RV_HANDLE_INVALID 0xffffffffu
/* The caller's own process, where a call says so (watchdog): no handle
 * has this value either (a slot whose generation would reach it is
 * retired). */
#define RV_HANDLE_SELF 0xfffffffeu

/* Rights carried by a handle; checked on every use. */
#define RV_RIGHT_READ (1u << 0)      /* channel_read; map shm readable; wait on it */
#define RV_RIGHT_WRITE (1u << 1)     /* channel_write; map shm writable */
#define RV_RIGHT_TRANSFER (1u << 2)  /* send the handle through a channel */
#define RV_RIGHT_DUPLICATE (1u << 3) /* handle_duplicate */
#define RV_RIGHT_MAP (1u << 4)       /* shm_map, device_map */
#define RV_RIGHT_MANAGE (1u << 5)    /* process: kill */
#define RV_RIGHT_DMA (1u << 6)       /* device: dma_create, dma_addr (DMA-capable devices only) */
/* process: the debugger (debug, call 45). Never given by default, and not
 * in RV_RIGHTS_ALL: only a process granted it (RV_DBG_GRANT, init's
 * manifest option `debug`) gets it on the handles of what it spawns. */
#define RV_RIGHT_DEBUG (1u << 7)
#define RV_RIGHTS_ALL 0x7fu

/* Object types, as handle_info reports them. */
enum rv_object_type {
	RV_OBJ_NONE = 0,
	RV_OBJ_CHANNEL = 1,
	RV_OBJ_SHM = 2,
	RV_OBJ_PROCESS = 3,
	RV_OBJ_DEVICE = 4, /* a device's registers and interrupt (doc/devices.md) */
	RV_OBJ_PORT = 5,   /* a wait set with persistent bindings (doc/ipc.md, Ports) */
	RV_OBJ_REVOKER = 6, /* revokes what handle_derive derived (doc/ipc.md, Revocation) */
};

struct rv_handle_info {
	uint32_t type;   /* enum rv_object_type */
	uint32_t rights; /* RV_RIGHT_* */
	int32_t pid;     /* RV_OBJ_PROCESS: the process's pid (kept after it
			  * ends); 0 for other objects */
	uint32_t pad;    /* RV_HANDLE_DERIVED or 0 */
};

/* rv_handle_info.pad: the handle came from handle_derive (directly, or a
 * duplicate or transfer of such a handle): its revoker can end it. */
#define RV_HANDLE_DERIVED (1u << 0)

/* Signals, for wait_many. */
#define RV_SIGNAL_READABLE (1u << 0)    /* channel: a message is queued */
#define RV_SIGNAL_WRITABLE (1u << 1)    /* channel: the peer's queue has room */
#define RV_SIGNAL_PEER_CLOSED (1u << 2) /* channel: the other end is closed */
#define RV_SIGNAL_EXITED (1u << 3)      /* process: it has ended */
#define RV_SIGNAL_IRQ (1u << 4)         /* device: its interrupt is pending (ack it) */
#define RV_SIGNAL_STOPPED (1u << 5)     /* process: stopped by its debugger (debug) */

/* What port_wait reports (doc/ipc.md, Ports). */
struct rv_port_event {
	uint64_t key;      /* the key the handle was bound with */
	uint32_t observed; /* the bound signals that were set */
	int32_t status;    /* with a receive buffer: what the read of the
			    * channel end gave (0: a message is in it, or
			    * channel_read's error); RV_PORT_NOT_READ: no
			    * read was tried */
};
#define RV_PORT_NOT_READ 1

/* Flags for channel_write / channel_read. */
#define RV_IPC_NONBLOCK (1u << 0) /* -EAGAIN instead of waiting */

/* Deadlines are absolute, in ns of the monotonic clock (rv_clock_ns);
 * RV_DEADLINE_NEVER waits for ever; 0 (or any past time) does not wait. */
#define RV_DEADLINE_NEVER UINT64_MAX

/* One message to send or the buffers to receive one into. */
struct rv_msg {
	void *bytes;          /* send: the bytes; receive: buffer */
	uint32_t num_bytes;   /* send: length; receive: capacity; updated with the length */
	uint32_t num_handles; /* send: count; receive: capacity; updated with the count */
	rv_handle_t *handles; /* send: handles to move; receive: where the new ones go */
};

/* One entry of wait_many. */
struct rv_wait_item {
	rv_handle_t handle;
	uint32_t signals;  /* wanted */
	uint32_t observed; /* out: the object's signals when the call returned */
	uint32_t pad;
};

/* A device capability (RV_OBJ_DEVICE), as device_info reports it. */
#define RV_DEVICE_NAME_MAX 16
struct rv_device_info {
	char name[RV_DEVICE_NAME_MAX];       /* e.g. "uart0", NUL-terminated */
	char compatible[RV_DEVICE_NAME_MAX]; /* device-tree compatible, e.g. "ns16550a" */
	uint64_t base;                       /* physical address of the registers */
	uint64_t size;                       /* bytes of registers */
	uint32_t irq;                        /* interrupt number, 0: none */
	uint32_t pad;
	uint64_t irqs;                       /* interrupts delivered to user space */
};

#endif /* RVOS_IPC_H */
