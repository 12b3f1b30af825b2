#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A disk with a volatile write cache that can lose power: an NBD server.

QEMU's virtio-blk drive connects to it over a Unix socket
(`rv flash --disk-nbd SOCKET`); `rv test`'s power-cut scenarios
(doc/testing.md, "Power cuts") run it in the runner's process. Standard
library only, so any python3 runs it.

The model (doc/files.md, "Crash safety"):

- A WRITE is acknowledged at once; reads see every acknowledged write.
- A write is *promised* once a FLUSH received after its acknowledgement
  has completed: only then does it reach the image file.
- Writes and flushes are counted from 1. With a cut at request K, request
  K is not carried out and nothing from then on is answered (the machine
  lost power). The image file then keeps every promised write and, for
  each write acknowledged since the last completed flush, in order, at
  random (seeded): all of it, none of it, or a random subset of its
  512-byte sectors (a torn write). Writes never acknowledged are lost.
- Without a cut, a client that disconnects (NBD_CMD_DISC, or the socket
  closing) leaves every acknowledged write in the file, as a disk powered
  off properly writes its cache back.

Protocol: the fixed newstyle handshake (NBD_OPT_GO, NBD_OPT_INFO,
NBD_OPT_EXPORT_NAME, NBD_OPT_ABORT; every other option is refused with
NBD_REP_ERR_UNSUP), simple replies only, and the commands READ, WRITE,
FLUSH and DISC; the export advertises NBD_FLAG_SEND_FLUSH and nothing
else (no FUA, TRIM or WRITE_ZEROES: QEMU then sends none of them; one that
comes anyway is answered EINVAL). One client, one export (its name is
ignored).

By hand:

    python3 scripts/nbdcut.py IMAGE --socket /tmp/d.sock [--cut-at K --seed S]
    rv flash -d BUILD --disk-nbd /tmp/d.sock        # in another terminal

It applies the model to IMAGE at the cut (or writes the cache back when
the client goes) and prints the requests it counted.
"""

import argparse
import errno
import mmap
import os
import random
import socket
import struct
import sys
import threading
import zlib

SECTOR = 512

# Handshake (all numbers big-endian).
NBDMAGIC = 0x4E42444D41474943        # "NBDMAGIC"
IHAVEOPT = 0x49484156454F5054        # "IHAVEOPT": the newstyle magic, and every option's
REPLY_MAGIC = 0x0003E889045565A9     # option replies
FLAG_FIXED_NEWSTYLE = 1 << 0         # handshake flags (server) / client flags
FLAG_NO_ZEROES = 1 << 1
OPT_EXPORT_NAME, OPT_ABORT, OPT_INFO, OPT_GO = 1, 2, 6, 7
REP_ACK, REP_INFO = 1, 3
REP_ERR_UNSUP, REP_ERR_INVALID = (1 << 31) + 1, (1 << 31) + 3
INFO_EXPORT, INFO_BLOCK_SIZE = 0, 3
MAX_OPTION_BYTES = 4096

# Transmission.
REQUEST_MAGIC = 0x25609513
SIMPLE_REPLY_MAGIC = 0x67446698
CMD_READ, CMD_WRITE, CMD_DISC, CMD_FLUSH = 0, 1, 2, 3
CMD_NAMES = {0: "READ", 1: "WRITE", 2: "DISC", 3: "FLUSH", 4: "TRIM", 5: "CACHE",
             6: "WRITE_ZEROES", 7: "BLOCK_STATUS"}
TFLAG_HAS_FLAGS = 1 << 0
TFLAG_SEND_FLUSH = 1 << 2
EXPORT_FLAGS = TFLAG_HAS_FLAGS | TFLAG_SEND_FLUSH
EIO, EINVAL = 5, 22
MAX_REQUEST_BYTES = 32 << 20          # advertised as the largest request

REQUEST = struct.Struct(">IHHQQI")    # magic, flags, type, handle, offset, length
SIMPLE_REPLY = struct.Struct(">IIQ")  # magic, error, handle


class ProtocolError(Exception):
    """The client broke the protocol: the connection is dropped."""


def read_data(f, buf):
    """Read file f into buf, which holds zeros: only the parts that are not
    holes (SEEK_DATA: of a sparse 24 MiB image with 52 KiB of data, only
    those)."""
    fd = f.fileno()
    view = memoryview(buf)
    pos = 0
    while pos < len(buf):
        try:
            start = os.lseek(fd, pos, os.SEEK_DATA)
            end = min(len(buf), os.lseek(fd, start, os.SEEK_HOLE))
        except OSError as e:
            if e.errno == errno.ENXIO:        # only a hole after pos
                return
            start, end = pos, len(buf)        # no SEEK_DATA here: read it all
        f.seek(start)
        while start < end:
            n = f.readinto(view[start:end])
            if not n:
                return
            start += n
        pos = end


class CacheDisk:
    """The image file as a disk with a write cache (the module's doc)."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.size = os.fstat(f.fileno()).st_size
            if self.size == 0 or self.size % SECTOR:
                raise ValueError(f"{path}: {self.size} bytes is not a whole number of "
                                 f"{SECTOR}-byte sectors: give an image made by mke2fs")
            # What reads see: every acknowledged write. Anonymous memory, zeros
            # until touched (a bytearray's 24 MiB cost 15 ms to zero).
            self.view = mmap.mmap(-1, self.size)
            read_data(f, self.view)
        self.pending = []     # (offset, bytes): acknowledged, not yet promised
        self.promised_writes = 0

    def read(self, off, n):
        return bytes(self.view[off:off + n])

    def write(self, off, data):
        self.view[off:off + len(data)] = data
        self.pending.append((off, bytes(data)))

    def flush(self):
        """Every write acknowledged so far is promised: into the file."""
        if not self.pending:
            return
        with open(self.path, "r+b") as f:
            for off, data in self.pending:
                f.seek(off)
                f.write(data)
        self.promised_writes += len(self.pending)
        self.pending = []

    def power_cut(self, rng):
        """The file as a disk that lost power keeps it; returns what happened to
        the unpromised writes: {"kept": n, "lost": n, "torn": n, "sectors": n}."""
        stats = {"kept": 0, "lost": 0, "torn": 0, "sectors": 0}
        with open(self.path, "r+b") as f:
            for off, data in self.pending:
                fate = rng.randrange(3)
                if fate == 1:
                    stats["lost"] += 1
                    continue
                if fate == 0:
                    f.seek(off)
                    f.write(data)
                    stats["kept"] += 1
                    stats["sectors"] += -(-len(data) // SECTOR)
                    continue
                # Torn: each sector (by the disk's sector boundaries) kept or not.
                stats["torn"] += 1
                pos = off
                end = off + len(data)
                while pos < end:
                    nxt = min(end, (pos // SECTOR + 1) * SECTOR)
                    if rng.random() < 0.5:
                        f.seek(pos)
                        f.write(data[pos - off:nxt - off])
                        stats["sectors"] += 1
                    pos = nxt
        self.pending = []
        return stats


class NbdCutServer:
    """Serves one NBD client on a Unix socket, in a thread.

    start() listens (call it before QEMU starts); at the cut the thread
    applies the model to the image (what a disk keeps is settled the moment
    it loses power: nothing is answered after it) and then sets `cut` and
    calls on_cut(), so the image can be read while the client still hangs;
    finish() (after the client is gone or killed) waits for the thread and,
    without a cut, writes the cache back; `requests` counts the writes and
    flushes, `trace` has a CRC of each one's kind, offset and length (to
    compare two runs)."""

    def __init__(self, image, socket_path, cut_at=None, seed=0, log=None, on_cut=None):
        if cut_at is not None and cut_at < 1:
            raise ValueError("cut_at counts requests from 1")
        self.disk = CacheDisk(image)
        self.socket_path = socket_path
        self.cut_at = cut_at
        self.seed = seed
        self.log = log
        self.on_cut = on_cut
        self.cut = threading.Event()
        self.stop = threading.Event()
        self.requests = 0          # WRITE and FLUSH requests received (the cut counts them)
        self.reads = self.writes = self.flushes = 0
        self.trace = []            # one CRC per counted request
        self.error = None          # why the connection ended badly, if it did
        self.clean_end = False     # DISC or the client closing without a cut
        self.cut_stats = None
        self.listener = None
        self.conn = None
        self.thread = None

    # ------------------------------------------------------------ life cycle

    def start(self):
        if os.path.exists(self.socket_path):
            os.unlink(self.socket_path)
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.socket_path)
        self.listener.listen(1)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def finish(self, timeout=10.0):
        """After the client is gone: stop; without a cut the cache is written
        back. Returns the cut's statistics (None without a cut)."""
        self.stop.set()
        if self.listener is not None:
            try:
                self.listener.close()     # a client that never connected
            except OSError:
                pass
        if self.thread is not None:
            self.thread.join(timeout)
        if not self.cut.is_set():
            self.disk.flush()             # powered off properly
        try:
            os.unlink(self.socket_path)
        except OSError:
            pass
        return self.cut_stats

    def _say(self, text):
        if self.log:
            self.log(text)

    # ------------------------------------------------------------ the connection

    def _run(self):
        try:
            self.listener.settimeout(120)
            conn, _ = self.listener.accept()
        except OSError as e:
            self.error = f"no client connected ({e})"
            return
        self.conn = conn
        try:
            if self._handshake(conn):
                self._transmission(conn)
        except ProtocolError as e:
            self.error = f"protocol error: {e}"
            self._say(f"nbdcut: {self.error}")
        except OSError as e:
            if not self.cut.is_set():
                self.error = f"connection failed: {e}"
        finally:
            # After a cut the connection stays open and silent (a disk without
            # power neither answers nor fails) until the client goes or finish().
            if self.cut.is_set():
                self._drain(conn)
            conn.close()

    def _power_cut(self):
        """The model at the cut: the image keeps what it says (from `seed`),
        then `cut` is set and on_cut() called."""
        try:
            self.cut_stats = self.disk.power_cut(random.Random(self.seed))
        except OSError as e:
            self.error = f"cannot apply the power cut to {self.disk.path}: {e}"
            self.disk.pending = []
        self.cut.set()
        if self.on_cut is not None:
            self.on_cut()

    def _drain(self, conn):
        conn.settimeout(0.2)
        while not self.stop.is_set():
            try:
                if not conn.recv(65536):
                    return
            except socket.timeout:
                continue
            except OSError:
                return

    def _recv(self, conn, n):
        buf = bytearray(n)
        view = memoryview(buf)
        got = 0
        while got < n:
            k = conn.recv_into(view[got:], n - got)
            if k == 0:
                raise EOFError
            got += k
        return buf

    def _option_reply(self, conn, option, kind, data=b""):
        conn.sendall(struct.pack(">QIII", REPLY_MAGIC, option, kind, len(data)) + data)

    def _handshake(self, conn):
        """Fixed newstyle negotiation; True once in transmission."""
        conn.sendall(struct.pack(">QQH", NBDMAGIC, IHAVEOPT,
                                 FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES))
        try:
            (cflags,) = struct.unpack(">I", self._recv(conn, 4))
            if cflags & ~(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES):
                raise ProtocolError(f"unknown client flags {cflags:#x}")
            no_zeroes = bool(cflags & FLAG_NO_ZEROES)
            while True:
                magic, option, length = struct.unpack(">QII", self._recv(conn, 16))
                if magic != IHAVEOPT:
                    raise ProtocolError(f"option magic {magic:#x}, expected IHAVEOPT")
                if length > MAX_OPTION_BYTES:
                    raise ProtocolError(f"option {option} carries {length} bytes")
                data = bytes(self._recv(conn, length)) if length else b""
                if option == OPT_EXPORT_NAME:
                    conn.sendall(struct.pack(">QH", self.disk.size, EXPORT_FLAGS) +
                                 (b"" if no_zeroes else bytes(124)))
                    return True
                if option == OPT_ABORT:
                    self._option_reply(conn, option, REP_ACK)
                    return False
                if option in (OPT_INFO, OPT_GO):
                    # 32-bit name length, the name, 16-bit count of info requests, each 16 bits.
                    ok = len(data) >= 6
                    if ok:
                        (nlen,) = struct.unpack(">I", data[:4])
                        ok = len(data) >= 4 + nlen + 2
                        if ok:
                            (nreq,) = struct.unpack(">H", data[4 + nlen:6 + nlen])
                            ok = len(data) == 6 + nlen + 2 * nreq
                    if not ok:
                        self._option_reply(conn, option, REP_ERR_INVALID,
                                           b"NBD_OPT_GO/INFO data does not parse")
                        continue
                    self._option_reply(conn, option, REP_INFO,
                                       struct.pack(">HQH", INFO_EXPORT, self.disk.size,
                                                   EXPORT_FLAGS))
                    self._option_reply(conn, option, REP_INFO,
                                       struct.pack(">HIII", INFO_BLOCK_SIZE, SECTOR, 4096,
                                                   MAX_REQUEST_BYTES))
                    self._option_reply(conn, option, REP_ACK)
                    if option == OPT_GO:
                        return True
                    continue
                self._option_reply(conn, option, REP_ERR_UNSUP,
                                   f"option {option} is not supported".encode())
        except EOFError:
            return False

    def _transmission(self, conn):
        disk = self.disk
        while True:
            try:
                head = self._recv(conn, REQUEST.size)
            except EOFError:
                if not self.cut.is_set():
                    self.clean_end = True
                return
            magic, _flags, kind, handle, off, length = REQUEST.unpack(head)
            if magic != REQUEST_MAGIC:
                raise ProtocolError(f"request magic {magic:#x}")
            if kind == CMD_DISC:
                self.clean_end = True
                return
            data = None
            if kind == CMD_WRITE:
                if length > MAX_REQUEST_BYTES:
                    raise ProtocolError(f"a write of {length} bytes")
                data = self._recv(conn, length)
            counted = kind != CMD_READ
            if counted:
                self.requests += 1
                # The request's kind and place, not its bytes (times differ per run).
                self.trace.append(zlib.crc32(struct.pack(">HQI", kind, off, length)))
                if self.cut_at is not None and self.requests >= self.cut_at:
                    self._say(f"nbdcut: power cut at request {self.requests} "
                              f"({CMD_NAMES.get(kind, kind)} offset {off} length {length})")
                    self._power_cut()
                    return      # nothing more is answered; the client hangs
            error = 0
            payload = b""
            in_range = off + length <= disk.size
            if kind == CMD_READ:
                self.reads += 1
                if in_range and length <= MAX_REQUEST_BYTES:
                    payload = disk.read(off, length)
                else:
                    error, payload = EINVAL, bytes(min(length, MAX_REQUEST_BYTES))
            elif kind == CMD_WRITE:
                self.writes += 1
                if in_range:
                    disk.write(off, data)
                else:
                    error = EINVAL
            elif kind == CMD_FLUSH:
                self.flushes += 1
                try:
                    disk.flush()
                except OSError:
                    error = EIO
            else:
                error = EINVAL       # not advertised
            conn.sendall(SIMPLE_REPLY.pack(SIMPLE_REPLY_MAGIC, error, handle) + payload)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="See the module's documentation (scripts/nbdcut.py) "
                                "and doc/testing.md.")
    p.add_argument("image", help="the disk image (raw), changed in place")
    p.add_argument("--socket", required=True, help="Unix socket to listen on")
    p.add_argument("--cut-at", type=int, metavar="K",
                   help="lose power at the K-th write or flush request (from 1)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the torn-write choices at the cut (default 0)")
    a = p.parse_args(argv)
    if a.cut_at is not None and a.cut_at < 1:
        p.error("--cut-at counts from 1")
    try:
        srv = NbdCutServer(a.image, a.socket, a.cut_at, a.seed,
                           log=lambda t: print(t, flush=True)).start()
    except (OSError, ValueError) as e:
        sys.exit(f"nbdcut: {e}")
    print(f"nbdcut: serving {a.image} on {a.socket}"
          + (f", power cut at request {a.cut_at}" if a.cut_at else ""), flush=True)
    said = False
    try:
        while srv.thread.is_alive():
            srv.thread.join(0.2)
            if srv.cut.is_set() and not said:
                print("nbdcut: the power is cut: nothing more is answered; stop the client "
                      "(Ctrl-A X in QEMU)", flush=True)
                said = True
    except KeyboardInterrupt:
        pass
    stats = srv.finish()
    print(f"nbdcut: {srv.requests} write and flush requests ({srv.writes} writes, "
          f"{srv.flushes} flushes), {srv.reads} reads"
          + (f"; {srv.error}" if srv.error else ""))
    if stats is not None:
        print(f"nbdcut: unpromised writes at the cut: {stats['kept']} kept, {stats['lost']} "
              f"lost, {stats['torn']} torn ({stats['sectors']} sectors written)")
    return 1 if srv.error else 0


if __name__ == "__main__":
    sys.exit(main())
