/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The console server: owns the UART through a device capability (its
 * handle 1, from init's manifest: "service:console:1:uart0"), takes input
 * by interrupt, and serves <rvos/console.h> to every program: output,
 * cooked or raw input, Ctrl-C for the foreground program. doc/console.md.
 *
 * It never uses stdio: stdio is a client of this server, and a call to
 * itself would never be answered. Its own messages go straight to the UART.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <rvos/console.h>
#include <rvos/service.h>
#include <rvos/user.h>

#define UART_HANDLE 1 /* from the manifest */

#define CTRL_C 0x03
#define CTRL_D 0x04
#define BACKSPACE 0x08
#define CTRL_U 0x15
#define DEL 0x7f

/* ---- the UART: NS16550A (QEMU virt) or SiFive (sifive_u) ---- */

/* NS16550A: byte registers. */
#define NS_RBR 0
#define NS_THR 0
#define NS_IER 1
#define NS_IIR 2
#define NS_LSR 5
#define NS_IIR_FIFOS 0xc0 /* both bits set: the FIFOs are on (16550A) */
#define NS_TX_FIFO 16     /* a 16550A's transmit FIFO, in bytes */
#define NS_IER_RDI 0x01
#define NS_LSR_DR 0x01
#define NS_LSR_OE 0x02 /* overrun: a byte was lost (cleared by reading LSR) */
#define NS_LSR_THRE 0x20
/* SiFive UART: 32-bit registers. */
#define SF_TXDATA 0x00
#define SF_RXDATA 0x04
#define SF_RXCTRL 0x0c
#define SF_IE 0x10
#define SF_FULL_EMPTY (1u << 31)
#define SF_RXEN 1u
#define SF_IE_RXWM 2u

struct uart {
	volatile uint8_t *regs;
	bool sifive;
	/* NS16550A: bytes written each time LSR says the transmitter is
	 * empty (THRE: in FIFO mode, the transmit FIFO is). With the FIFOs
	 * on, its depth less one: the kernel's console writes the same UART
	 * a byte at a time after its own THRE check (printk, debug_write of
	 * programs without this server), and one such byte may land between
	 * our check and our writes. Without them, the holding register: 1. */
	uint32_t tx_burst;
};

static struct uart uart;

/* SiFive: a byte when the transmit FIFO has room (a write to a full one
 * is dropped: txdata's bit 31 says full). */
static void sf_putc(char c)
{
	volatile uint32_t *tx = (volatile uint32_t *)(uart.regs + SF_TXDATA);

	while (*tx & SF_FULL_EMPTY)
		;
	*tx = (uint8_t)c;
}

static void lost_overrun(void);

/* A byte received, or -1. The SiFive UART has no overrun flag. */
static int uart_getc(void)
{
	uint8_t lsr;

	if (uart.sifive) {
		uint32_t v = *(volatile uint32_t *)(uart.regs + SF_RXDATA);
		return (v & SF_FULL_EMPTY) ? -1 : (int)(v & 0xff);
	}
	lsr = uart.regs[NS_LSR];
	if (lsr & NS_LSR_OE)
		lost_overrun();
	return (lsr & NS_LSR_DR) ? uart.regs[NS_RBR] : -1;
}

/* The receive interrupt on or off. Off, the bytes wait in the UART: its
 * FIFO fills and holds the sender (QEMU stops reading its stdin). */
static void uart_rx_interrupt(bool on)
{
	if (uart.sifive) {
		*(volatile uint32_t *)(uart.regs + SF_RXCTRL) = SF_RXEN;
		*(volatile uint32_t *)(uart.regs + SF_IE) = on ? SF_IE_RXWM : 0;
	} else {
		uart.regs[NS_IER] = on ? NS_IER_RDI : 0;
	}
}

typedef uint64_t __attribute__((may_alias)) word_t;
#define ONES 0x0101010101010101ull

/* The index of the first '\n' of p[0, n), or n. A word at a time (aligned
 * loads never cross a page: reading the whole word around a byte of p
 * touches nothing outside p's pages). */
static inline __attribute__((always_inline)) size_t find_newline(const uint8_t *p, size_t n)
{
	const word_t *w = (const word_t *)((uintptr_t)p & ~(uintptr_t)7);
	/* the bytes before p made 0xff: not '\n' (^ gives 0xf5), no borrow */
	uint64_t v = (*w | ((1ull << ((uintptr_t)p & 7) * 8) - 1)) ^ (ONES * '\n');
	uint64_t m;
	size_t i;

	while (!(m = (v - ONES) & ~v & (ONES << 7))) {
		if ((size_t)((const uint8_t *)(w + 1) - p) >= n)
			return n;
		v = *++w ^ (ONES * '\n');
	}
	/* the lowest 0x80 marks the first '\n' (a false one only ever comes
	 * above a true one): its index by a multiply summing bytes */
	i = (size_t)((const uint8_t *)w - p) + (((m & -m) >> 7) * 0x0001020304050607ull >> 56);
	return i < n ? i : n;
}

/* NS16550A: k (at most 15) bytes at p into THR, without a loop. */
static inline __attribute__((always_inline)) void ns_put_run(volatile uint8_t *thr,
								  const uint8_t *p, size_t k)
{
	const uint8_t *e = p + k;

	_Static_assert(NS_TX_FIFO - 1 <= 15, "ns_put_run writes at most 15 bytes");
	switch (k) {
	case 15: *thr = e[-15]; /* fall through */
	case 14: *thr = e[-14]; /* fall through */
	case 13: *thr = e[-13]; /* fall through */
	case 12: *thr = e[-12]; /* fall through */
	case 11: *thr = e[-11]; /* fall through */
	case 10: *thr = e[-10]; /* fall through */
	case 9: *thr = e[-9]; /* fall through */
	case 8: *thr = e[-8]; /* fall through */
	case 7: *thr = e[-7]; /* fall through */
	case 6: *thr = e[-6]; /* fall through */
	case 5: *thr = e[-5]; /* fall through */
	case 4: *thr = e[-4]; /* fall through */
	case 3: *thr = e[-3]; /* fall through */
	case 2: *thr = e[-2]; /* fall through */
	case 1: *thr = e[-1]; /* fall through */
	default: break;
	}
}

/* NS16550A: room for the next byte in this burst (slots left): a burst
 * of uart.tx_burst bytes per LSR check. */
static inline __attribute__((always_inline)) size_t ns_slots(size_t slots)
{
	if (slots)
		return slots;
	while (!(uart.regs[NS_LSR] & NS_LSR_THRE))
		;
	return uart.tx_burst;
}

/* Output, with "\n" as "\r\n" (a terminal's new line); inlined into the
 * WRITE fast path (fast_write), out() for the rest. */
static inline __attribute__((always_inline)) void out_inline(const void *buf, size_t len)
{
	const uint8_t *p = buf, *end = p + len;
	volatile uint8_t *thr = uart.regs + NS_THR;
	size_t slots = 0;

	if (uart.sifive) {
		for (; p < end; p++) {
			if (*p == '\n')
				sf_putc('\r');
			sf_putc((char)*p);
		}
		return;
	}
	/* A burst of bytes per LSR check (uart.tx_burst), the '\r' and the
	 * '\n' of a new line taking one each (maybe in two bursts). */
	while (p < end) {
		const uint8_t *nl = p + find_newline(p, (size_t)(end - p));

		while (p < nl) {
			size_t k;

			slots = ns_slots(slots);
			k = (size_t)(nl - p) < slots ? (size_t)(nl - p) : slots;
			ns_put_run(thr, p, k);
			p += k;
			slots -= k;
		}
		if (p < end) {
			slots = ns_slots(slots);
			*thr = '\r';
			slots = ns_slots(slots - 1);
			*thr = '\n';
			slots--;
			p++;
		}
	}
}

static __attribute__((noinline)) void out(const void *buf, size_t len)
{
	out_inline(buf, len);
}

static void out_str(const char *s)
{
	out(s, strlen(s));
}

/* ---- state ---- */

/* Input nobody has taken yet, as received. */
static uint8_t ring[CONFIG_CONSOLE_SERVER_INPUT_BUFFER];
static uint32_t ring_head, ring_count;
/* The kernel may still hold input typed before this server started. */
static bool early_input = true;

/* Input lost, by cause: counted (CONSOLE_OP_STATS) and said on the
 * console, at most once per CONFIG_CONSOLE_INPUT_LOSS_REPORT_MS. */
struct loss {
	const char *why;
	uint64_t count;      /* since the server started */
	uint64_t unreported; /* not said yet */
	uint64_t said_ns;    /* when it was last said; 0: never */
};
static struct loss loss_overrun = {.why = "UART overrun"};
static struct loss loss_line = {.why = "past the longest line, CONFIG_CONSOLE_SERVER_LINE_MAX"};
static uint64_t received;

/* The cooked line being edited, then handed out (maybe in pieces). */
static char line[CONFIG_CONSOLE_SERVER_LINE_MAX];
static uint32_t line_len, line_sent;
static bool line_done, line_eof;

/* Per-client settings and the pending reads, in arrival order. */
struct client {
	rv_handle_t chan; /* RV_HANDLE_INVALID: free */
	uint32_t mode;
};
struct pending_read {
	rv_handle_t chan;
	uint32_t max;
};
static struct client clients[CONFIG_SERVICE_MAX_CLIENTS];
static struct pending_read reads[CONFIG_SERVICE_MAX_CLIENTS];
static uint32_t num_reads;

/* The program Ctrl-C ends, and the client that named it. */
static rv_handle_t fg_process = RV_HANDLE_INVALID;
static rv_handle_t fg_owner = RV_HANDLE_INVALID;

static struct client *client_find(rv_handle_t chan, bool create)
{
	struct client *free_slot = NULL;

	for (uint32_t i = 0; i < CONFIG_SERVICE_MAX_CLIENTS; i++) {
		if (clients[i].chan == chan)
			return &clients[i];
		if (!free_slot && clients[i].chan == RV_HANDLE_INVALID)
			free_slot = &clients[i];
	}
	if (create && free_slot) {
		free_slot->chan = chan;
		free_slot->mode = CONSOLE_MODE_COOKED;
		return free_slot;
	}
	return NULL;
}

static uint32_t mode_of(rv_handle_t chan)
{
	struct client *c = client_find(chan, false);

	return c ? c->mode : CONSOLE_MODE_COOKED;
}

/* The caller checked there is room (pull). */
static void ring_push(uint8_t c)
{
	ring[(ring_head + ring_count) % sizeof(ring)] = c;
	ring_count++;
}

static uint8_t ring_pop(void)
{
	uint8_t c = ring[ring_head];

	ring_head = (ring_head + 1) % sizeof(ring);
	ring_count--;
	return c;
}

static void loss_add(struct loss *l, uint64_t n)
{
	l->count += n;
	l->unreported += n;
}

/* In decimal (no printf here: it would double the server's size). */
static void out_u64(uint64_t v)
{
	char digits[20];
	size_t n = 0;

	do {
		digits[sizeof(digits) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out(digits + sizeof(digits) - n, n);
}

static void loss_say(struct loss *l)
{
	/* A variable, not the constant: with CONFIG_CONSOLE_INPUT_LOSS_REPORT_MS
	 * 0 (every loss said at once) gcc would call the comparison always
	 * false (-Wtype-limits, an error; found by random.shell) */
	const uint64_t every_ns = CONFIG_CONSOLE_INPUT_LOSS_REPORT_MS * 1000000ull;
	uint64_t now = rv_clock_ns();

	if (!l->unreported || (l->said_ns && every_ns && now - l->said_ns < every_ns))
		return;
	out_str("console: ");
	out_u64(l->unreported);
	out_str(" input bytes lost (");
	out_str(l->why);
	out_str(")\n");
	l->unreported = 0;
	l->said_ns = now ? now : 1;
}

static void lost_overrun(void)
{
	loss_add(&loss_overrun, 1); /* at least one */
}

static void line_reset(void)
{
	line_len = line_sent = 0;
	line_done = line_eof = false;
}

static void fg_clear(void)
{
	if (fg_process != RV_HANDLE_INVALID)
		rv_handle_close(fg_process);
	fg_process = fg_owner = RV_HANDLE_INVALID;
}

static bool fg_running(void)
{
	struct rv_wait_item it = {.handle = fg_process, .signals = RV_SIGNAL_EXITED};

	if (fg_process == RV_HANDLE_INVALID)
		return false;
	return rv_wait_many(&it, 1, 0) == -RV_ETIMEDOUT;
}

/* ---- replies to reads ---- */

static void reply_data(rv_handle_t chan, const void *data, uint32_t len)
{
	static uint8_t buf[CONFIG_MSG_MAX_BYTES];
	struct wire_writer w;

	wire_init_reply(&w, buf, sizeof(buf), NULL, 0, CONSOLE_OP_READ, 0);
	wire_put_bytes(&w, data, len);
	rv_server_reply(chan, &w);
}

static void reads_pop(void)
{
	memmove(&reads[0], &reads[1], (num_reads - 1) * sizeof(reads[0]));
	num_reads--;
}

/* Cooked editing of the bytes in the ring, until the line ends. */
static void cook(void)
{
	while (ring_count && !line_done) {
		uint8_t c = ring_pop();

		switch (c) {
		case '\r':
		case '\n':
			line[line_len++] = '\n'; /* room kept for it, see below */
			out_str("\n");
			line_done = true;
			loss_say(&loss_line);
			break;
		case BACKSPACE:
		case DEL:
			if (line_len) {
				line_len--;
				out_str("\b \b");
			}
			break;
		case CTRL_U:
			while (line_len) {
				line_len--;
				out_str("\b \b");
			}
			break;
		case CTRL_C:
			out_str("^C\n");
			line_reset();
			break;
		case CTRL_D:
			line_done = true;
			line_eof = line_len == 0;
			loss_say(&loss_line);
			break;
		default:
			/* Other control bytes are dropped; the last byte of the
			 * buffer is kept for the '\n'. */
			if ((c < 0x20 && c != '\t') || line_len + 1 >= sizeof(line)) {
				if (c >= 0x20 || c == '\t') {
					/* Typed or pasted past the limit: lost. */
					out_str("\a");
					loss_add(&loss_line, 1);
				}
				break;
			}
			line[line_len++] = (char)c;
			out(&c, 1);
			break;
		}
	}
}

/* Answer the pending reads that input can answer now, in order. */
static void pump(void)
{
	while (num_reads) {
		struct pending_read *r = &reads[0];

		if (mode_of(r->chan) == CONSOLE_MODE_RAW) {
			uint8_t buf[CONSOLE_DATA_MAX];
			uint32_t n = 0;

			if (line_sent < line_len) {
				/* A line left from cooked reads comes first. */
				while (n < r->max && line_sent < line_len)
					buf[n++] = (uint8_t)line[line_sent++];
				if (line_sent == line_len)
					line_reset();
			}
			while (n < r->max && ring_count)
				buf[n++] = ring_pop();
			if (!n)
				return;
			reply_data(r->chan, buf, n);
		} else {
			uint32_t n;

			cook();
			if (!line_done)
				return;
			n = line_len - line_sent < r->max ? line_len - line_sent : r->max;
			reply_data(r->chan, line + line_sent, line_eof ? 0 : n);
			line_sent += line_eof ? 0 : n;
			if (line_eof || line_sent == line_len)
				line_reset();
		}
		reads_pop();
	}
}

/* ---- input ---- */

static void input_byte(uint8_t c)
{
	if (c == CTRL_C && fg_running()) {
		rv_process_kill(fg_process);
		fg_clear();
		out_str("^C\n");
		ring_head = ring_count = 0;
		line_reset();
		return;
	}
	ring_push(c);
}

/*
 * Take input while the ring has room: first what the kernel kept from
 * before this server started (debug_read), then the UART. When the ring
 * is full the rest stays where it is and the UART's receive interrupt is
 * off (back-pressure: the sender waits); once the UART is drained it is
 * on again. Written each time, not only on a change: the kernel's
 * debug_read may have turned it on (kernel/console_input.c).
 */
static void pull(void)
{
	char buf[64];
	long n;
	int c;

	while (ring_count < sizeof(ring)) {
		if (early_input) {
			n = rv_debug_read(buf, sizeof(ring) - ring_count < sizeof(buf) ?
						       sizeof(ring) - ring_count : sizeof(buf));
			if (n > 0) {
				received += (uint64_t)n;
				for (long i = 0; i < n; i++)
					input_byte((uint8_t)buf[i]);
				continue;
			}
			early_input = false;
		}
		c = uart_getc();
		if (c < 0) {
			uart_rx_interrupt(true);
			loss_say(&loss_overrun);
			return;
		}
		received++;
		input_byte((uint8_t)c);
	}
	uart_rx_interrupt(false);
	loss_say(&loss_overrun);
}

/* Answer the reads that input can answer; each answer makes room in the
 * ring, so take more input and go on while reads wait. */
static void flow(void)
{
	uint32_t before;

	do {
		pump();
		before = ring_count;
		pull();
	} while (num_reads && ring_count != before);
}

static void on_interrupt(void *ctx, uint32_t observed)
{
	pull();
	rv_device_irq_ack(UART_HANDLE);
	flow();
}

/* ---- requests ---- */

static int op_write(struct wire_reader *req, struct wire_writer *reply)
{
	const void *data;
	uint32_t len;

	if (wire_get_bytes(req, &data, &len) < 0 || wire_end(req) < 0)
		return -RV_EBADMSG;
	out(data, len);
	wire_put_u32(reply, len);
	return 0;
}

typedef uint32_t __attribute__((may_alias)) u32_alias;

/* The server loop's fast path (rv_server.fast): a well-formed WRITE (the
 * header, one bytes field, no handle) is written and answered here, with
 * the reply op_write would make (wire_init_reply + wire_put_u32); anything
 * else goes to the decoder. */
static uint32_t fast_write(void *ctx, const struct rv_msg *msg, uint8_t *reply, uint32_t cap)
{
	const uint8_t *in = msg->bytes;
	uint32_t n;

	(void)ctx;
	/* (the loop's buffers are aligned: their headers go by words; rvOS
	 * is little-endian, as the wire is) */
	if (((uintptr_t)in | (uintptr_t)reply) & 3 || msg->num_bytes < CONSOLE_WRITE_ROOM ||
	    msg->num_handles || ((const u32_alias *)in)[0] != CONSOLE_OP_WRITE ||
	    ((const u32_alias *)in)[1] != 0 ||
	    /* the bytes field's type and length: n, the rest of the message */
	    ((const u32_alias *)in)[2] !=
		    (WIRE_T_BYTES | (n = msg->num_bytes - CONSOLE_WRITE_ROOM) << 8) ||
	    in[12] != (uint8_t)(n >> 24) || cap < WIRE_HEADER_SIZE + WIRE_U32_SIZE)
		return 0;
	out_inline(in + CONSOLE_WRITE_ROOM, n);
	((u32_alias *)reply)[0] = CONSOLE_OP_WRITE | WIRE_REPLY;
	((u32_alias *)reply)[1] = 0;
	((u32_alias *)reply)[2] = WIRE_T_U32 | n << 8; /* the u32 field: type, n */
	reply[12] = (uint8_t)(n >> 24);
	return WIRE_HEADER_SIZE + WIRE_U32_SIZE;
}

static int op_read(struct wire_reader *req)
{
	rv_handle_t chan = rv_server_client();
	uint32_t max;

	if (wire_get_u32(req, &max) < 0 || wire_end(req) < 0)
		return -RV_EBADMSG;
	if (max == 0 || max > CONSOLE_DATA_MAX)
		return -RV_EINVAL;
	for (uint32_t i = 0; i < num_reads; i++)
		if (reads[i].chan == chan)
			return -RV_EBUSY; /* one read at a time per client */
	if (num_reads == CONFIG_SERVICE_MAX_CLIENTS)
		return -RV_EBUSY;
	reads[num_reads++] = (struct pending_read){.chan = chan, .max = max};
	flow();
	return RV_SERVER_REPLY_LATER;
}

static int op_set_mode(struct wire_reader *req)
{
	struct client *c;
	uint32_t mode;

	if (wire_get_u32(req, &mode) < 0 || wire_end(req) < 0)
		return -RV_EBADMSG;
	if (mode != CONSOLE_MODE_COOKED && mode != CONSOLE_MODE_RAW)
		return -RV_EINVAL;
	c = client_find(rv_server_client(), true);
	if (!c)
		return -RV_ENOSPC;
	c->mode = mode;
	return 0;
}

static int op_foreground(struct wire_reader *req)
{
	struct rv_handle_info info;
	rv_handle_t proc;

	if (wire_get_handle(req, &proc) < 0 || wire_end(req) < 0)
		return -RV_EBADMSG;
	if (rv_handle_info(proc, &info) < 0 || info.type != RV_OBJ_PROCESS)
		return -RV_EWRONGTYPE; /* the loop closes the handle */
	if (!(info.rights & RV_RIGHT_MANAGE))
		return -RV_EPERM;
	fg_clear();
	fg_process = proc;
	fg_owner = rv_server_client();
	return 0;
}

static int op_stats(struct wire_reader *req, struct wire_writer *reply)
{
	if (wire_end(req) < 0)
		return -RV_EBADMSG;
	wire_put_u64(reply, received);
	wire_put_u64(reply, loss_overrun.count);
	wire_put_u64(reply, loss_line.count);
	return reply->err;
}

static int console_handler(void *ctx, struct wire_reader *req, struct wire_writer *reply)
{
	switch (req->op) {
	case CONSOLE_OP_WRITE:
		return op_write(req, reply);
	case CONSOLE_OP_READ:
		return op_read(req);
	case CONSOLE_OP_SET_MODE:
		return op_set_mode(req);
	case CONSOLE_OP_FOREGROUND:
		return op_foreground(req);
	case CONSOLE_OP_BACKGROUND:
		if (wire_end(req) < 0)
			return -RV_EBADMSG;
		if (fg_owner == rv_server_client())
			fg_clear();
		return 0;
	case CONSOLE_OP_STATS:
		return op_stats(req, reply);
	default:
		return -RV_ENOSYS;
	}
}

/* A client is gone: forget its mode, its pending read, its foreground. */
static void on_close(void *ctx, rv_handle_t chan)
{
	struct client *c = client_find(chan, false);

	if (c)
		c->chan = RV_HANDLE_INVALID;
	for (uint32_t i = 0; i < num_reads; i++) {
		if (reads[i].chan == chan) {
			memmove(&reads[i], &reads[i + 1], (num_reads - i - 1) * sizeof(reads[0]));
			num_reads--;
			break;
		}
	}
	if (fg_owner == chan)
		fg_clear();
}

static int uart_open(void)
{
	struct rv_device_info info;
	long ret = rv_device_info(UART_HANDLE, &info);

	if (ret < 0)
		return (int)ret;
	if (!strcmp(info.compatible, "sifive,uart0"))
		uart.sifive = true;
	else if (strcmp(info.compatible, "ns16550a"))
		return -RV_ENODEV;
	ret = rv_device_map(UART_HANDLE);
	if (ret < 0)
		return (int)ret;
	uart.regs = (volatile uint8_t *)ret;
	/* Whoever set the UART up (the firmware) chose FIFO mode or not:
	 * IIR says which (16550A data sheet, IIR bits 6-7). Reading IIR
	 * only clears a pending transmit interrupt, which is never on. */
	if (!uart.sifive)
		uart.tx_burst = (uart.regs[NS_IIR] & NS_IIR_FIFOS) == NS_IIR_FIFOS ? NS_TX_FIFO - 1 : 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct rv_server srv = {
		.handler = console_handler,
		.event = UART_HANDLE,
		.event_signals = RV_SIGNAL_IRQ,
		.on_event = on_interrupt,
		.on_close = on_close,
		.fast = fast_write,
	};
	int ret;

	ret = uart_open();
	if (ret < 0) {
		/* No UART: say so on the kernel's console, end (init reports it). */
		static const char msg[] = "console: no UART at handle 1 (manifest: "
					  "service:console:N:uart0)\n";
		rv_debug_write(msg, sizeof(msg) - 1);
		return 1;
	}
	for (uint32_t i = 0; i < CONFIG_SERVICE_MAX_CLIENTS; i++)
		clients[i].chan = RV_HANDLE_INVALID;
	/* What was typed before (the kernel kept it), then the UART. */
	pull();
	ret = rv_service_register(CONSOLE_SERVICE_NAME, &srv.requests);
	if (ret < 0) {
		out_str("console: cannot register: ");
		out_str(rv_strerror(ret));
		out_str("\n");
		return 1;
	}
	/* Input that came before registration: the first event wakes us. */
	ret = rv_server_serve(&srv);
	out_str("console: server loop ended: ");
	out_str(rv_strerror(ret));
	out_str("\n");
	return 1;
}
