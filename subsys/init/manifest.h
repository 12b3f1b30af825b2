/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The boot manifest's text (CONFIG_INIT_MANIFEST, doc/boot-manifest.md).
 * It lives in manifest.c, a file of its own: nearly every configuration
 * has a manifest of its own, and init.c, which reads it only through this
 * array, then has the same configuration header in all of them, so ccache
 * compiles it once (doc/architecture.md, "One configuration header per
 * object").
 */
#ifndef INIT_MANIFEST_H
#define INIT_MANIFEST_H

extern const char init_manifest[];

#endif
