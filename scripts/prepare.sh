#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Everything a boot needs: set-up, the laid-out tree, the kernel, the
# initramfs. Each step does only what changed since the last run.

source "$(dirname "$0")/lib.sh"

bash "$TOP/scripts/setup.sh"
bash "$TOP/scripts/tree.sh"
bash "$TOP/scripts/build.sh"
bash "$TOP/scripts/initramfs.sh"
