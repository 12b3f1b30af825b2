/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ext2's on-disk structures (revision 0 and 1, the fields this server
 * reads or writes, plus the later fields it must keep intact), from the
 * ext2/ext4 disk-layout documentation. Everything on disk is little-endian;
 * so are RISC-V and the x86/arm hosts the unit tests run on, so the
 * structures are read in place (the assert below keeps a big-endian build
 * from silently misreading them).
 */
#ifndef FS_EXT2_FORMAT_H
#define FS_EXT2_FORMAT_H

#include <stddef.h>
#include <stdint.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ext2 structures are little-endian");

#define EXT2_SUPER_OFFSET 1024 /* bytes from the start of the device */
#define EXT2_SUPER_SIZE 1024
#define EXT2_SUPER_MAGIC 0xEF53
#define EXT2_MIN_LOG_BLOCK 10 /* 1 KiB */
#define EXT2_MAX_LOG_BLOCK 16 /* 64 KiB */

#define EXT2_ROOT_INO 2
#define EXT2_GOOD_OLD_FIRST_INO 11
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_GOOD_OLD_REV 0
#define EXT2_DYNAMIC_REV 1

#define EXT2_NDIR_BLOCKS 12
#define EXT2_IND_BLOCK 12
#define EXT2_DIND_BLOCK 13
#define EXT2_TIND_BLOCK 14
#define EXT2_N_BLOCKS 15

/* s_state */
#define EXT2_VALID_FS 0x0001
#define EXT2_ERROR_FS 0x0002

/* Features. compat: an implementation that does not know them may read
 * and write. ro_compat: it may only read. incompat: it may not mount. */
#define EXT2_FEATURE_COMPAT_SPARSE_SUPER2 0x0200

#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE 0x0002
#define EXT2_FEATURE_RO_COMPAT_DIR_NLINK 0x0020
#define EXT2_FEATURE_RO_COMPAT_EXTRA_ISIZE 0x0040
#define EXT2_FEATURE_RO_COMPAT_METADATA_CSUM 0x0400

#define EXT2_FEATURE_INCOMPAT_COMPRESSION 0x0001
#define EXT2_FEATURE_INCOMPAT_FILETYPE 0x0002
#define EXT2_FEATURE_INCOMPAT_RECOVER 0x0004
#define EXT2_FEATURE_INCOMPAT_JOURNAL_DEV 0x0008
#define EXT2_FEATURE_INCOMPAT_META_BG 0x0010
#define EXT2_FEATURE_INCOMPAT_EXTENTS 0x0040
#define EXT2_FEATURE_INCOMPAT_64BIT 0x0080
#define EXT2_FEATURE_INCOMPAT_MMP 0x0100
#define EXT2_FEATURE_INCOMPAT_FLEX_BG 0x0200
#define EXT2_FEATURE_INCOMPAT_EA_INODE 0x0400
#define EXT2_FEATURE_INCOMPAT_DIRDATA 0x1000
#define EXT2_FEATURE_INCOMPAT_CSUM_SEED 0x2000
#define EXT2_FEATURE_INCOMPAT_LARGEDIR 0x4000
#define EXT2_FEATURE_INCOMPAT_INLINE_DATA 0x8000
#define EXT2_FEATURE_INCOMPAT_ENCRYPT 0x10000
#define EXT2_FEATURE_INCOMPAT_CASEFOLD 0x20000

struct ext2_super {
	uint32_t s_inodes_count;
	uint32_t s_blocks_count;
	uint32_t s_r_blocks_count;
	uint32_t s_free_blocks_count;
	uint32_t s_free_inodes_count;
	uint32_t s_first_data_block;
	uint32_t s_log_block_size; /* block size = 1024 << this */
	uint32_t s_log_frag_size;
	uint32_t s_blocks_per_group;
	uint32_t s_frags_per_group;
	uint32_t s_inodes_per_group;
	uint32_t s_mtime; /* last mount */
	uint32_t s_wtime; /* last write */
	uint16_t s_mnt_count;
	int16_t s_max_mnt_count;
	uint16_t s_magic;
	uint16_t s_state;
	uint16_t s_errors;
	uint16_t s_minor_rev_level;
	uint32_t s_lastcheck;
	uint32_t s_checkinterval;
	uint32_t s_creator_os;
	uint32_t s_rev_level;
	uint16_t s_def_resuid;
	uint16_t s_def_resgid;
	/* revision 1 (EXT2_DYNAMIC_REV) from here */
	uint32_t s_first_ino;
	uint16_t s_inode_size;
	uint16_t s_block_group_nr;
	uint32_t s_feature_compat;
	uint32_t s_feature_incompat;
	uint32_t s_feature_ro_compat;
	uint8_t s_uuid[16];
	char s_volume_name[16];
	char s_last_mounted[64];
	uint32_t s_algorithm_usage_bitmap;
	uint8_t s_prealloc_blocks;
	uint8_t s_prealloc_dir_blocks;
	uint16_t s_reserved_gdt_blocks; /* after the descriptors, with resize_inode */
	uint8_t s_journal_uuid[16];
	uint32_t s_journal_inum;
	uint32_t s_journal_dev;
	uint32_t s_last_orphan;
	uint32_t s_hash_seed[4];
	uint8_t s_def_hash_version;
	uint8_t s_jnl_backup_type;
	uint16_t s_desc_size;
	uint32_t s_default_mount_opts;
	uint32_t s_first_meta_bg;
	uint32_t s_mkfs_time;
	uint32_t s_jnl_blocks[17];
	uint32_t s_blocks_count_hi;
	uint32_t s_r_blocks_count_hi;
	uint32_t s_free_blocks_hi;
	uint16_t s_min_extra_isize;
	uint16_t s_want_extra_isize;
	uint32_t s_flags;
	uint8_t s_pad1[588 - 356];
	uint32_t s_backup_bgs[2]; /* sparse_super2: the two groups with backups */
	uint8_t s_pad2[EXT2_SUPER_SIZE - 596];
};
_Static_assert(sizeof(struct ext2_super) == EXT2_SUPER_SIZE, "ext2 superblock size");
_Static_assert(offsetof(struct ext2_super, s_magic) == 56, "s_magic");
_Static_assert(offsetof(struct ext2_super, s_first_ino) == 84, "s_first_ino");
_Static_assert(offsetof(struct ext2_super, s_feature_ro_compat) == 100, "s_feature_ro_compat");
_Static_assert(offsetof(struct ext2_super, s_reserved_gdt_blocks) == 206, "s_reserved_gdt_blocks");
_Static_assert(offsetof(struct ext2_super, s_desc_size) == 254, "s_desc_size");
_Static_assert(offsetof(struct ext2_super, s_min_extra_isize) == 348, "s_min_extra_isize");
_Static_assert(offsetof(struct ext2_super, s_backup_bgs) == 588, "s_backup_bgs");

/* One block group's descriptor (32 bytes without the 64bit feature). */
struct ext2_group_desc {
	uint32_t bg_block_bitmap;
	uint32_t bg_inode_bitmap;
	uint32_t bg_inode_table;
	uint16_t bg_free_blocks_count;
	uint16_t bg_free_inodes_count;
	uint16_t bg_used_dirs_count;
	uint16_t bg_flags;
	uint32_t bg_exclude_bitmap;
	uint16_t bg_block_bitmap_csum;
	uint16_t bg_inode_bitmap_csum;
	uint16_t bg_itable_unused;
	uint16_t bg_checksum;
};
_Static_assert(sizeof(struct ext2_group_desc) == 32, "ext2 group descriptor size");

/* i_mode types (the POSIX values) */
#define EXT2_S_IFMT 0170000
#define EXT2_S_IFSOCK 0140000
#define EXT2_S_IFLNK 0120000
#define EXT2_S_IFREG 0100000
#define EXT2_S_IFBLK 0060000
#define EXT2_S_IFDIR 0040000
#define EXT2_S_IFCHR 0020000
#define EXT2_S_IFIFO 0010000

/* i_flags */
#define EXT2_INDEX_FL 0x00001000 /* hashed directory (dir_index): cleared when we change it */
#define EXT2_EXTENTS_FL 0x00080000
#define EXT2_INLINE_DATA_FL 0x10000000
#define EXT2_HUGE_FILE_FL 0x00040000

struct ext2_inode {
	uint16_t i_mode;
	uint16_t i_uid;
	uint32_t i_size;
	uint32_t i_atime;
	uint32_t i_ctime;
	uint32_t i_mtime;
	uint32_t i_dtime;
	uint16_t i_gid;
	uint16_t i_links_count;
	uint32_t i_blocks; /* 512-byte units, indirect and xattr blocks included */
	uint32_t i_flags;
	uint32_t i_osd1;
	uint32_t i_block[EXT2_N_BLOCKS];
	uint32_t i_generation;
	uint32_t i_file_acl;  /* extended-attribute block */
	uint32_t i_size_high; /* i_dir_acl in revision 0; regular files' size >> 32 */
	uint32_t i_faddr;
	uint16_t i_blocks_hi;
	uint16_t i_file_acl_high;
	uint16_t i_uid_high;
	uint16_t i_gid_high;
	uint16_t i_checksum_lo;
	uint16_t i_reserved;
	/* large inodes (s_inode_size > 128) from here, i_extra_isize bytes of it */
	uint16_t i_extra_isize;
	uint16_t i_checksum_hi;
	uint32_t i_ctime_extra; /* bits 0-1 epoch, 2-31 nanoseconds */
	uint32_t i_mtime_extra;
	uint32_t i_atime_extra;
	uint32_t i_crtime;
	uint32_t i_crtime_extra;
	uint32_t i_version_hi;
	uint32_t i_projid;
};
#define EXT2_INODE_EXTRA_SIZE 32 /* bytes after the first 128 that we fill (through i_crtime_extra + 8) */
_Static_assert(sizeof(struct ext2_inode) == 160, "ext2 inode (with the large fields)");
_Static_assert(offsetof(struct ext2_inode, i_block) == 40, "i_block");
_Static_assert(offsetof(struct ext2_inode, i_size_high) == 108, "i_size_high");
_Static_assert(offsetof(struct ext2_inode, i_extra_isize) == 128, "i_extra_isize");
_Static_assert(offsetof(struct ext2_inode, i_crtime_extra) == 148, "i_crtime_extra");

/* A directory entry; name_len is 16 bits without the filetype feature. */
struct ext2_dirent {
	uint32_t inode;
	uint16_t rec_len;
	uint8_t name_len;
	uint8_t file_type;
	char name[];
};
_Static_assert(sizeof(struct ext2_dirent) == 8, "ext2 directory entry header");
#define EXT2_DIRENT_SIZE(n) ((8u + (n) + 3u) & ~3u)

/* file_type with the filetype feature */
#define EXT2_FT_UNKNOWN 0
#define EXT2_FT_REG_FILE 1
#define EXT2_FT_DIR 2
#define EXT2_FT_CHRDEV 3
#define EXT2_FT_BLKDEV 4
#define EXT2_FT_FIFO 5
#define EXT2_FT_SOCK 6
#define EXT2_FT_SYMLINK 7

/* An extended-attribute block starts with this header. */
#define EXT2_XATTR_MAGIC 0xEA020000u
struct ext2_xattr_header {
	uint32_t h_magic;
	uint32_t h_refcount;
	uint32_t h_blocks;
	uint32_t h_hash;
};

#define EXT2_LINK_MAX 32000   /* ext2's i_links_count limit */
#define EXT2_FAST_SYMLINK_MAX 59 /* targets up to this long live in i_block */

#endif /* FS_EXT2_FORMAT_H */
