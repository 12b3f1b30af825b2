/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rvOS error codes: the one error enum shared by the kernel and user space.
 *
 * Every syscall returns a value >= 0 on success or the negation of one of these
 * codes. Kernel-internal helpers (device-tree parser, ELF loader, allocators) use
 * the same codes so an error can travel unchanged from where it is found to the
 * caller that reports it.
 */
#ifndef RVOS_ERRNO_H
#define RVOS_ERRNO_H

enum rv_errno {
	RV_OK = 0,
	RV_EPERM = 1,       /* operation not permitted (missing right) */
	RV_ENOENT = 2,      /* no such object, name or file */
	RV_ESRCH = 3,       /* no such process */
	RV_EINTR = 4,       /* interrupted */
	RV_EIO = 5,         /* device or I/O error */
	RV_E2BIG = 7,       /* argument list or message too large */
	RV_ENOEXEC = 8,     /* malformed executable */
	RV_EBADF = 9,       /* bad, stale or closed handle */
	RV_ECHILD = 10,     /* no child to wait for */
	RV_EAGAIN = 11,     /* would block, try again */
	RV_ENOMEM = 12,     /* out of memory or pool slots */
	RV_EACCES = 13,     /* access denied */
	RV_EFAULT = 14,     /* bad user pointer */
	RV_EBUSY = 16,      /* resource busy */
	RV_EEXIST = 17,     /* already exists */
	RV_ENODEV = 19,     /* no such device */
	RV_EINVAL = 22,     /* invalid argument */
	RV_ENFILE = 23,     /* system-wide table full */
	RV_EMFILE = 24,     /* per-process table full */
	RV_ENOSPC = 28,     /* no space left */
	RV_ERANGE = 34,     /* result out of range */
	RV_ENOSYS = 38,     /* no such syscall */
	RV_EMSGSIZE = 90,   /* message or buffer size wrong */
	RV_EWRONGTYPE = 91, /* handle refers to an object of another type */
	RV_EPEERCLOSED = 92, /* the other end of a channel is closed */
	RV_ETIMEDOUT = 110, /* deadline passed */
	RV_EOVERFLOW = 75,  /* value too large for its type */
	RV_EBADMSG = 74,    /* malformed message or data */
	RV_ELOOP = 40,      /* a cycle of channel ends; too many symbolic links */
	RV_EXDEV = 18,      /* across file systems */
	RV_ENOTDIR = 20,    /* not a directory */
	RV_EISDIR = 21,     /* is a directory */
	RV_EFBIG = 27,      /* file too large */
	RV_ESPIPE = 29,     /* not seekable */
	RV_EROFS = 30,      /* read-only file system or device */
	RV_EMLINK = 31,     /* too many links */
	RV_EPIPE = 32,      /* write to a pipe whose reader is gone */
	RV_ENAMETOOLONG = 36, /* a name or path too long */
	RV_ENOTEMPTY = 39,  /* directory not empty */
	RV_ENOTSUP = 95,    /* operation not supported */
	RV_EUCLEAN = 117,   /* file system structure is corrupt */
	RV_ECANCELED = 125, /* the handle's derivation was revoked (doc/ipc.md, Revocation) */
};

/* Short name of an error code (positive or negative), "E?" for an unknown one. */
static inline const char *rv_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case RV_OK: return "OK";
	case RV_EPERM: return "EPERM";
	case RV_ENOENT: return "ENOENT";
	case RV_ESRCH: return "ESRCH";
	case RV_EINTR: return "EINTR";
	case RV_EIO: return "EIO";
	case RV_E2BIG: return "E2BIG";
	case RV_ENOEXEC: return "ENOEXEC";
	case RV_EBADF: return "EBADF";
	case RV_ECHILD: return "ECHILD";
	case RV_EAGAIN: return "EAGAIN";
	case RV_ENOMEM: return "ENOMEM";
	case RV_EACCES: return "EACCES";
	case RV_EFAULT: return "EFAULT";
	case RV_EBUSY: return "EBUSY";
	case RV_EEXIST: return "EEXIST";
	case RV_ENODEV: return "ENODEV";
	case RV_EINVAL: return "EINVAL";
	case RV_ENFILE: return "ENFILE";
	case RV_EMFILE: return "EMFILE";
	case RV_ENOSPC: return "ENOSPC";
	case RV_ERANGE: return "ERANGE";
	case RV_ENOSYS: return "ENOSYS";
	case RV_EMSGSIZE: return "EMSGSIZE";
	case RV_EWRONGTYPE: return "EWRONGTYPE";
	case RV_EPEERCLOSED: return "EPEERCLOSED";
	case RV_ETIMEDOUT: return "ETIMEDOUT";
	case RV_EOVERFLOW: return "EOVERFLOW";
	case RV_EBADMSG: return "EBADMSG";
	case RV_ELOOP: return "ELOOP";
	case RV_EXDEV: return "EXDEV";
	case RV_ENOTDIR: return "ENOTDIR";
	case RV_EISDIR: return "EISDIR";
	case RV_EFBIG: return "EFBIG";
	case RV_ESPIPE: return "ESPIPE";
	case RV_EROFS: return "EROFS";
	case RV_EMLINK: return "EMLINK";
	case RV_EPIPE: return "EPIPE";
	case RV_ENAMETOOLONG: return "ENAMETOOLONG";
	case RV_ENOTEMPTY: return "ENOTEMPTY";
	case RV_ENOTSUP: return "ENOTSUP";
	case RV_EUCLEAN: return "EUCLEAN";
	case RV_ECANCELED: return "ECANCELED";
	default: return "E?";
	}
}

#endif /* RVOS_ERRNO_H */
