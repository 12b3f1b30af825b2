/* SPDX-License-Identifier: Apache-2.0 */
/* The boot manifest's text: manifest.h says why it is alone here. */
#include "manifest.h"

const char init_manifest[] = CONFIG_INIT_MANIFEST;
