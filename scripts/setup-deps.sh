#!/usr/bin/env bash
# Installs the Debian 12 packages aurora-numa needs to build, test and run. Idempotent, and
# silent when nothing is missing. Needs root when something is missing.
set -euo pipefail

packages=(
  # build
  cmake make g++ pkg-config clang llvm ccache
  # BPF: libbpf for the loader, bpftool for skeletons and vmlinux.h, libelf/zlib for libbpf
  libbpf-dev bpftool libelf-dev zlib1g-dev
  # topology and NUMA syscalls
  libnuma-dev libhwloc-dev numactl hwloc
  # C++ libraries
  libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev libtomlplusplus-dev libexpected-dev
  libncurses-dev
  # tests and benchmarks
  googletest libgtest-dev libbenchmark-dev tmux linux-perf
  # multi-node VM tests: QEMU (TCG), busybox as the guest's /init, cpio for the initramfs
  qemu-system-x86 busybox-static cpio xz-utils
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
  echo "setup-deps: missing packages: ${missing[*]}; run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "setup-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
