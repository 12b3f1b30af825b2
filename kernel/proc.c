/* SPDX-License-Identifier: Apache-2.0 */
#include <rvos/errno.h>
#include <rvos/memory_map.h>
#include <arch/csr.h>
#include <kernel/cpio.h>
#include <kernel/device.h>
#include <kernel/elf.h>
#include <kernel/fpu.h>
#include <kernel/init_program.h>
#include <kernel/mem.h>
#include <kernel/page.h>
#include <kernel/panic.h>
#include <kernel/power.h>
#include <kernel/printk.h>
#include <kernel/aslr.h>
#include <kernel/proc.h>
#include <kernel/shm.h>
#include <kernel/string.h>
#include <kernel/timer.h>
#include <kernel/trace.h>
#include <kernel/util.h>

/* sstatus bits for a process entering U-mode: SPP = 0 (return to U),
 * SPIE = 1 (interrupts on in U-mode; they are always taken there anyway),
 * FS = Off (the firmware leaves the FP unit on: an FP instruction traps,
 * and with CONFIG_FPU gives the process the unit, kernel/fpu.c). */
#define USER_SSTATUS_SET SSTATUS_SPIE
#define USER_SSTATUS_CLEAR (SSTATUS_SPP | SSTATUS_SIE | SSTATUS_SUM | SSTATUS_FS)

/* A handle's view of a process: it outlives the process, keeping how it
 * ended until the last handle is closed. */
struct process_object {
	struct kobject obj;
	bool in_use;
	struct proc *proc; /* NULL once it has ended */
	int pid;           /* the process's, kept after it ends (handle_info) */
	struct rv_exit_info exit;
};

static struct proc procs[CONFIG_MAX_PROCS];
static struct process_object process_objects[CONFIG_MAX_PROCS];
static unsigned int process_objects_in_use;
static unsigned int procs_in_use;
static unsigned int pid_generation[CONFIG_MAX_PROCS];
static const uint8_t *initrd;
static struct proc *first_proc;
static uint64_t initrd_size;

/*
 * The initrd's first CONFIG_INITRD_INDEX_ENTRIES regular files, read once
 * at boot (the archive never changes): a spawn compares names instead of
 * parsing each header before its program again (13 fields of 8 hex
 * digits, about 1,300 instructions an entry). Past the index, or past a
 * malformed entry, the lookup walks the archive from where the index
 * stopped, so it answers exactly as cpio_find on the whole archive.
 */
struct program {
	const char *name; /* without its leading "/" and "./" */
	const void *data;
	size_t size;
};
static struct program programs[CONFIG_INITRD_INDEX_ENTRIES];
static unsigned int program_count;
static size_t index_end;	/* archive offset of the first entry not indexed */

static void index_programs(void)
{
	struct cpio_entry e;
	size_t next = 0;

	while (program_count < CONFIG_INITRD_INDEX_ENTRIES &&
	       cpio_next(initrd, initrd_size, &next, &e) == 1) {
		index_end = next;
		if ((e.mode & CPIO_MODE_TYPE) != CPIO_MODE_REG)
			continue;
		programs[program_count++] = (struct program){
			.name = cpio_skip_root(e.name), .data = e.data, .size = e.size};
	}
}

/* cpio_find on the initrd, through the index. Without the archive
 * (CONFIG_INITRD_ARCHIVE=n) the initrd is the first program's file. */
static int find_program(const char *name, const void **data, size_t *len)
{
	if (!IS_ENABLED(CONFIG_INITRD_ARCHIVE)) {
		if (!initrd_size || !k_streq(name, init_program))
			return -RV_ENOENT;
		*data = initrd;
		*len = initrd_size;
		return 0;
	}
	name = cpio_skip_root(name);
	for (unsigned int i = 0; i < program_count; i++) {
		if (k_streq(programs[i].name, name)) {
			*data = programs[i].data;
			*len = programs[i].size;
			return 0;
		}
	}
	return cpio_find_from(initrd, initrd_size, index_end, name, data, len);
}

void proc_init(const void *archive, uint64_t size)
{
	initrd = archive;
	initrd_size = size;
	if (IS_ENABLED(CONFIG_INITRD_ARCHIVE))
		index_programs();
	for (unsigned int i = 0; i < CONFIG_MAX_PROCS; i++) {
		procs[i].slot = i;
		list_init(&procs[i].sched_link);
	}
}

unsigned int proc_count(void)
{
	return procs_in_use;
}

unsigned int process_object_count(void)
{
	return process_objects_in_use;
}

static uint32_t info_state(const struct proc *p)
{
	switch (p->state) {
	case PROC_READY:
		return RV_PROC_READY;
	case PROC_RUNNING:
		return RV_PROC_RUNNING;
	case PROC_ZOMBIE:
		return RV_PROC_ZOMBIE;
	default:
		break;
	}
	switch (p->block) {
	case BLOCK_SLEEP:
		return RV_PROC_SLEEPING;
	case BLOCK_WAIT_CHILD:
		return RV_PROC_WAIT_CHILD;
	default:
		/* channel_read and both paths of channel_call publish the end
		 * they read (recv_end); wait_many and a blocked write do not. */
		return p->recv_end ? RV_PROC_RECEIVING : RV_PROC_WAITING;
	}
}

bool proc_info(unsigned int slot, struct rv_proc_info *out)
{
	const struct proc *p = &procs[slot];
	uint64_t ticks = p->cpu_ticks;

	if (p->state == PROC_FREE)
		return false;
	memset(out, 0, sizeof(*out));
	out->slot = slot;
	out->pid = p->pid;
	out->parent_pid = p->creator_pid;
	out->state = info_state(p);
	out->priority = p->priority;
	out->handles = p->handles.used;
	if (p == current && p->state == PROC_RUNNING)
		ticks += timer_now() - p->ran_since; /* the slice it is in */
	out->cpu_ns = timer_ticks_to_ns(ticks);
	out->user_pages = (uint32_t)p->as.user_pages;
	out->shm_pages = IS_ENABLED(CONFIG_SHM) ? (uint32_t)shm_mapped_pages(p) : 0;
	out->table_pages = (uint32_t)p->as.table_pages;
	out->max_pages = (uint32_t)p->as.max_pages;
	k_strlcpy(out->name, p->name, sizeof(out->name));
	return true;
}

struct process_object *process_object_alloc(void)
{
	for (unsigned int i = 0; i < CONFIG_MAX_PROCS; i++) {
		struct process_object *po = &process_objects[i];
		if (po->in_use)
			continue;
		po->in_use = true;
		po->proc = NULL;
		po->pid = 0;
		kobject_init(&po->obj, RV_OBJ_PROCESS);
		process_objects_in_use++;
		return po;
	}
	return NULL;
}

/* The process holds the object's first reference until it ends. */
void process_object_attach(struct process_object *po, struct proc *p)
{
	po->proc = p;
	po->pid = p->pid;
	p->pobj = po;
}

int process_object_pid(struct kobject *obj)
{
	return container_of(obj, struct process_object, obj)->pid;
}

struct kobject *process_object_kobj(struct process_object *po)
{
	return &po->obj;
}

struct proc *process_object_proc(struct kobject *obj)
{
	return container_of(obj, struct process_object, obj)->proc;
}

int process_object_exit_info(struct kobject *obj, struct rv_exit_info *out)
{
	struct process_object *po = container_of(obj, struct process_object, obj);

	if (po->proc)
		return -RV_EAGAIN;
	*out = po->exit;
	return 0;
}

uint32_t process_object_signals(const struct kobject *obj)
{
	const struct process_object *po = container_of(obj, struct process_object, obj);

	return po->proc ? debug_signals(po->proc) : RV_SIGNAL_EXITED;
}

void process_object_release(struct kobject *obj)
{
	struct process_object *po = container_of(obj, struct process_object, obj);

	if (po->proc)
		po->proc->pobj = NULL;
	po->in_use = false;
	process_objects_in_use--;
}

int proc_program_next(size_t *offset, const char **name, size_t *name_len)
{
	struct cpio_entry e;
	int r;

	if (!IS_ENABLED(CONFIG_INITRD_ARCHIVE)) {
		/* the one program (CONFIG_INITRD_ARCHIVE=n), once */
		if (*offset || !initrd_size)
			return 0;
		*offset = 1;
		*name = init_program;
		*name_len = k_strlen(init_program);
		return 1;
	}
	while ((r = cpio_next(initrd, initrd_size, offset, &e)) == 1) {
		const char *n = cpio_skip_root(e.name);
		size_t len = k_strlen(n);

		/* Programs are the regular files spawn can name. */
		if ((e.mode & CPIO_MODE_TYPE) == CPIO_MODE_REG && len > 0 &&
		    len < CONFIG_PROC_NAME_MAX) {
			*name = n;
			*name_len = len;
			return 1;
		}
	}
	return r;
}

struct proc *proc_by_pid(int pid)
{
	struct proc *p;

	if (pid <= 0)
		return NULL;
	p = &procs[(unsigned int)pid % CONFIG_MAX_PROCS];
	return (p->state != PROC_FREE && p->pid == pid) ? p : NULL;
}

static struct proc *slot_alloc(void)
{
	for (unsigned int i = 0; i < CONFIG_MAX_PROCS; i++) {
		struct proc *p = &procs[i];
		if (p->state != PROC_FREE)
			continue;
		/* pid = generation * MAX_PROCS + slot: unique until the
		 * generation wraps, and found again in O(1). */
		pid_generation[i]++;
		if ((uint64_t)pid_generation[i] * CONFIG_MAX_PROCS + i > 0x7fffffff)
			pid_generation[i] = 1;
		memset(p, 0, sizeof(*p));
		handle_table_init(&p->handles);
		p->slot = i;
		p->pid = (int)(pid_generation[i] * CONFIG_MAX_PROCS + i);
		list_init(&p->sched_link);
		procs_in_use++;
		return p;
	}
	return NULL;
}

static void slot_free(struct proc *p)
{
	p->state = PROC_FREE;
	procs_in_use--;
}

/* Map the program's segments and copy their file contents. */
static int load_segments(struct proc *p, const uint8_t *image, const struct elf_image *elf)
{
	for (unsigned int i = 0; i < elf->segment_count; i++) {
		const struct elf_segment *seg = &elf->segments[i];
		uintptr_t start = seg->vaddr & ~(uintptr_t)(PAGE_SIZE - 1);
		uintptr_t end = (seg->vaddr + seg->memsz + PAGE_SIZE - 1) & ~(uintptr_t)(PAGE_SIZE - 1);
		unsigned int perms = 0;
		int err;

		if (seg->flags & ELF_R)
			perms |= VM_READ;
		if (seg->flags & ELF_W)
			perms |= VM_WRITE;
		if (seg->flags & ELF_X)
			perms |= VM_EXEC;
		err = as_map_anon(&p->as, start, end - start, perms);
		if (err)
			return err;
		err = vm_write_user_pages(&p->as, seg->vaddr, image + seg->offset, seg->filesz);
		if (err)
			return err;
	}
	return 0;
}

/* Write a pointer to each NUL-terminated string of strings[0, len) (found
 * at user address ustrings) at user address *at, then a NULL; *at moves
 * past them. A few pointers a write: batch's size only trades stack for
 * page-table walks. */
static int put_string_vector(struct proc *p, uintptr_t *at, uintptr_t ustrings,
			     const char *strings, size_t len)
{
	uintptr_t batch[16];
	unsigned int n = 0;
	size_t off = 0;
	bool last;
	int err;

	do {
		last = off == len;
		batch[n++] = last ? 0 : ustrings + off;
		if (!last)
			off += k_strlen(strings + off) + 1;
		if (n == ARRAY_SIZE(batch) || last) {
			err = vm_write_user_pages(&p->as, *at, batch, n * sizeof(batch[0]));
			if (err)
				return err;
			*at += n * sizeof(batch[0]);
			n = 0;
		}
	} while (!last);
	return 0;
}

/* The user stack: its first CONFIG_USER_STACK_SIZE bytes (the rest of
 * the reserve is mapped as it is touched, kernel/vm.c); the program name,
 * the argument and the environment strings at the top; below them argv[]
 * and, right after its NULL, envp[] (System V's order); argc, argv and envp
 * arrive in a0, a1 and a2 (see lib/src/crt0.S). */
static int setup_stack(struct proc *p, const char *name, const char *args, size_t args_len,
		       size_t env_len)
{
	size_t name_len = k_strlen(name) + 1;
	size_t argc = 1 + k_strings_count(args, args_len);
	size_t envc = k_strings_count(args + args_len, env_len);
	uintptr_t sp = as_stack_top(&p->as), strings, at;
	int err;

	err = as_map_stack(&p->as, CONFIG_USER_STACK_SIZE);
	if (err)
		return err;
	sp -= args_len + env_len + name_len;
	strings = sp;
	err = vm_write_user_pages(&p->as, strings, name, name_len);
	if (!err)
		err = vm_write_user_pages(&p->as, strings + name_len, args, args_len + env_len);
	if (err)
		return err;
	sp = (sp - (argc + 1 + envc + 1) * sizeof(uintptr_t)) & ~(uintptr_t)15;
	at = sp;
	err = vm_write_user_pages(&p->as, at, &strings, sizeof(strings)); /* argv[0] */
	at += sizeof(strings);
	if (!err)
		err = put_string_vector(p, &at, strings + name_len, args, args_len);
	if (!err)
		err = put_string_vector(p, &at, strings + name_len + args_len, args + args_len,
					env_len);
	if (err)
		return err;
	p->regs->x[2] = sp;
	p->regs->x[10] = argc;
	p->regs->x[11] = sp;
	p->regs->x[12] = sp + (argc + 1) * sizeof(uintptr_t);
	return 0;
}

static void __attribute__((noreturn)) proc_first_run(void)
{
	arch_user_return(current->regs);
}

int proc_spawn(const char *name, const char *args, size_t args_len, size_t env_len,
	       unsigned int priority, struct proc *parent)
{
	const void *image;
	size_t image_size;
	int err;

	err = find_program(name, &image, &image_size);
	if (err)
		return err;
	return proc_spawn_image(name, image, image_size, args, args_len, env_len, priority, parent);
}

int proc_spawn_image(const char *name, const void *image, size_t image_size, const char *args,
		     size_t args_len, size_t env_len, unsigned int priority, struct proc *parent)
{
	struct elf_image elf;
	struct proc *p;
	uintptr_t kstack_top;
	int err;

	err = elf_parse(image, image_size, RV_USER_BASE, RV_HEAP_BASE, &elf);
	if (err) {
		printk("spawn %s: not a valid program: %s\n", name, elf.error);
		return err;
	}
	p = slot_alloc();
	if (!p)
		return -RV_ENOMEM;
	/* A new process starts with its spawner's page quota (the first one
	 * with CONFIG_PROC_MAX_PAGES): lowering a process's quota lowers what
	 * it can start, too. */
	err = as_create(&p->as, (uint16_t)(p->slot + 1),
			current ? current->as.max_pages : CONFIG_PROC_MAX_PAGES);
	if (err)
		goto out_free_slot;
	aslr_place(&p->as);

	kstack_top = vm_kernel_stack_top(p->slot);
	p->regs = (struct user_regs *)(kstack_top - sizeof(struct user_regs));
	memset(p->regs, 0, sizeof(*p->regs));
	p->regs->sepc = elf.entry;
	p->regs->sstatus = (csr_read(sstatus) & ~USER_SSTATUS_CLEAR) | USER_SSTATUS_SET;
#ifdef CONFIG_FPU
	p->fpu_valid = false;
	p->fpu_used = false;
#endif
	p->ctx.ra = (uintptr_t)proc_first_run;
	p->ctx.sp = (uintptr_t)p->regs;

	err = load_segments(p, image, &elf);
	if (!err)
		err = setup_stack(p, name, args, args_len, env_len);
	if (err)
		goto out_destroy;

	p->heap_end = as_heap_base(&p->as);
	k_strlcpy(p->name, name, sizeof(p->name));
	p->priority = priority;
	p->parent = parent;
	p->creator_pid = current ? current->pid : 0;
	if (parent)
		parent->live_children++;
	if (!first_proc) {
		first_proc = p;
		debug_first_proc(p);
	}
	trace_proc_start(p);
	sched_make_ready(p);
	return p->pid;

out_destroy:
	as_destroy(&p->as);
out_free_slot:
	slot_free(p);
	return err;
}

static bool wait_matches(const struct proc *parent, const struct proc *child)
{
	return parent->state == PROC_BLOCKED && parent->block == BLOCK_WAIT_CHILD &&
	       (parent->wait_for == -1 || parent->wait_for == child->pid);
}

/* The slot of a process that exited and was waited for (or never will be). */
static void reap(struct proc *p)
{
	if (p->parent)
		p->parent->live_children--;
	slot_free(p);
}

void proc_exit(struct proc *p, const struct rv_exit_info *how)
{
	struct proc *parent = p->parent;

	trace_proc_exit(p, how->reason, how->code);
	debug_proc_exit(p);
	sched_remove(p);
	waiters_remove_all(p);
	p->exit = *how;
	/* Everything it held: devices it drove (reset first, so that no DMA
	 * reaches the frames its regions give back), handles (peers see
	 * PEER_CLOSED), mappings. */
	if (IS_ENABLED(CONFIG_DEVICE_CAPS))
		device_proc_exit(p);
	fpu_proc_exit(p);
	handle_table_close_all(&p->handles);
	if (IS_ENABLED(CONFIG_SHM))
		shm_unmap_all(p);
	if (IS_ENABLED(CONFIG_PROCESS_HANDLES) && p->pobj) {
		struct process_object *po = p->pobj;
		po->exit = *how;
		po->proc = NULL;
		p->pobj = NULL;
		kobject_notify(&po->obj);
		kobject_put(&po->obj);
	}
	/* Children outlive their parent as orphans: nobody will wait for them. */
	for (unsigned int i = 0; i < CONFIG_MAX_PROCS && p->live_children; i++) {
		struct proc *c = &procs[i];
		if (c->state == PROC_FREE || c->parent != p)
			continue;
		c->parent = NULL;
		p->live_children--;
		if (c->state == PROC_ZOMBIE)
			slot_free(c);
	}
	as_destroy(&p->as);

	if (p == first_proc) {
		/* The first process ended: so does the system. */
		printk("rvOS: %s (pid %d) %s %d\n", p->name, p->pid,
		       how->reason == RV_EXIT_NORMAL ? "exited with status" : "was ended, cause",
		       how->code);
		poweroff(how->reason == RV_EXIT_NORMAL ? how->code & 0xff : POWEROFF_STATUS_FAIL);
	}
	if (parent) {
		p->state = PROC_ZOMBIE;
		if (wait_matches(parent, p))
			sched_make_ready(parent);
	} else {
		/* An orphan: nobody waits, free the slot now. When p is current
		 * it still runs on its kernel stack until schedule() switches
		 * away, and nothing can take the slot before that. */
		slot_free(p);
	}
	if (p == current) {
		schedule();
		panic(KMSG("exited process %d was scheduled again", "exited pid %d ran"), p->pid);
	}
}

int proc_wait(int pid, struct rv_exit_info *info)
{
	struct proc *self = current;

	for (;;) {
		struct proc *found = NULL;
		if (pid != -1) {
			struct proc *c = proc_by_pid(pid);
			if (!c || c->parent != self)
				return -RV_ECHILD;
			if (c->state == PROC_ZOMBIE)
				found = c;
		} else {
			if (!self->live_children)
				return -RV_ECHILD;
			for (unsigned int i = 0; i < CONFIG_MAX_PROCS && !found; i++) {
				if (procs[i].state == PROC_ZOMBIE && procs[i].parent == self)
					found = &procs[i];
			}
		}
		if (found) {
			int child_pid = found->pid;
			*info = found->exit;
			reap(found);
			return child_pid;
		}
		self->state = PROC_BLOCKED;
		self->block = BLOCK_WAIT_CHILD;
		self->wait_for = pid;
		schedule();
	}
}

#ifdef CONFIG_TRACING
void proc_trace_names(void)
{
	for (unsigned int i = 0; i < CONFIG_MAX_PROCS; i++) {
		if (procs[i].state != PROC_FREE && procs[i].state != PROC_ZOMBIE)
			trace_proc_name(&procs[i], 1);
	}
}
#endif /* CONFIG_TRACING */

#if defined(CONFIG_WATCHDOG) || defined(CONFIG_DEBUGGER)
struct proc *proc_in_slot(unsigned int slot)
{
	return procs[slot].state == PROC_FREE ? NULL : &procs[slot];
}
#endif /* CONFIG_WATCHDOG || CONFIG_DEBUGGER */
