/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The console service ("console"): the terminal, shared by every program.
 * The server owns the UART (a device capability init gives it) and takes
 * input by interrupt. doc/console.md is the full description.
 *
 * Requests, in the wire codec (rvos/wire.h), each answered with the same op:
 *
 *   CONSOLE_OP_WRITE      bytes data            -> u32 written
 *   CONSOLE_OP_READ       u32 max (>= 1)        -> bytes data (0 bytes: end of
 *                                                  input, Ctrl-D); answered
 *                                                  when there is input
 *   CONSOLE_OP_SET_MODE   u32 CONSOLE_MODE_*    -> (status only)
 *   CONSOLE_OP_FOREGROUND handle process        -> (status only): Ctrl-C
 *                                                  kills it (it needs MANAGE)
 *   CONSOLE_OP_BACKGROUND                       -> (status only): forget the
 *                                                  foreground process
 *   CONSOLE_OP_STATS                            -> u64 received, u64 lost to
 *                                                  UART overruns, u64 lost past
 *                                                  a cooked line's limit
 *
 * Modes are per client and apply to its reads:
 *   cooked (the default): the server echoes, Backspace/DEL erase, Ctrl-U
 *     erases the line, Enter ends it; a read gets one whole line ("\n"
 *     included, or cut at max). Ctrl-D on an empty line is end of input
 *     (a 0-byte reply); elsewhere it hands over the line so far.
 *   raw: a read gets the bytes as they came (at least 1), no echo.
 * Ctrl-C, whatever the mode: if a foreground process is set and running,
 * the server kills it, prints "^C" and drops the input typed so far; else
 * a cooked reader's line is dropped ("^C", new line) and a raw reader gets
 * the byte 0x03.
 * Reads are answered in the order they came; input nobody reads waits in
 * the server (CONFIG_CONSOLE_SERVER_INPUT_BUFFER bytes); when that is full
 * the server stops taking input from the UART until a read makes room, so
 * the sender waits. Input that is lost all the same (a UART overrun; the
 * rest of a cooked line past CONFIG_CONSOLE_SERVER_LINE_MAX) is counted
 * (CONSOLE_OP_STATS) and said on the console.
 */
#ifndef RVOS_CONSOLE_H
#define RVOS_CONSOLE_H

#include <stddef.h>
#include <stdint.h>
#include <rvos/ipc.h>

#define CONSOLE_SERVICE_NAME "console"

enum console_op {
	CONSOLE_OP_WRITE = 1,
	CONSOLE_OP_READ = 2,
	CONSOLE_OP_SET_MODE = 3,
	CONSOLE_OP_FOREGROUND = 4,
	CONSOLE_OP_BACKGROUND = 5,
	CONSOLE_OP_STATS = 6,
};

enum console_mode {
	CONSOLE_MODE_COOKED = 0,
	CONSOLE_MODE_RAW = 1,
};

/* CONSOLE_OP_STATS: input bytes since the server started. */
struct console_stats {
	uint64_t received;     /* taken from the UART (and the kernel's early input) */
	uint64_t lost_overrun; /* at least: the UART had no room (an overrun) */
	uint64_t lost_line;    /* typed past a cooked line's limit */
};

/* Most data bytes in one WRITE request or READ reply. */
#define CONSOLE_DATA_MAX (CONFIG_MSG_MAX_BYTES - 8 /* header */ - 5 /* bytes field */)

/* Client calls on a channel from rv_connect(CONSOLE_SERVICE_NAME). Each
 * returns >= 0 or a negative rv errno. */
/* Write all of buf (in CONSOLE_DATA_MAX pieces): len or an error. */
long console_write(rv_handle_t con, const void *buf, size_t len);
/* The same, building each request in place: the CONSOLE_WRITE_ROOM bytes
 * before buf are the caller's scratch (stdio's buffers keep them free), and
 * the bytes of buf already sent may be overwritten too (a later piece's
 * header). No copy of the data in the program. */
#define CONSOLE_WRITE_ROOM (8 /* header */ + 5 /* bytes field */)
long console_write_room(rv_handle_t con, void *buf, size_t len);
/* Read up to max bytes (waits for input): count, 0 at end of input. */
long console_read(rv_handle_t con, void *buf, size_t max);
int console_set_mode(rv_handle_t con, enum console_mode mode);
/* Make process (a handle with MANAGE; it moves) the one Ctrl-C ends. */
int console_foreground(rv_handle_t con, rv_handle_t process);
int console_background(rv_handle_t con);
int console_stats(rv_handle_t con, struct console_stats *out);

/* The console channel this program's stdin/stdout use (connected on first
 * use); RV_HANDLE_INVALID when there is no console service (output then
 * goes to the kernel's debug console). */
rv_handle_t console_handle(void);
/* The console service ended (-RV_EPEERCLOSED): connect to it again,
 * waiting CONFIG_USER_STDIO_RECONNECT_MS for init to restart it. */
rv_handle_t console_reconnect(void);

#endif /* RVOS_CONSOLE_H */
