// PCI devices and the node they hang off (/sys/bus/pci/devices/*/numa_node), so placement can
// keep a NIC's or NVMe drive's interrupt and DMA work near it.
#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "topology/sysfs_readers.hpp"

namespace aurora::topology_detail {

namespace {

constexpr const char* kPciDevices = "/sys/bus/pci/devices";

// The class file is "0xCCSSPP": base class, subclass, programming interface (PCI spec).
bool parse_class(const std::string& class_code, unsigned& value) {
  std::string_view text = class_code;
  if (text.rfind("0x", 0) != 0) return false;
  text.remove_prefix(2);
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

std::string pci_kind_of_class(const std::string& class_code) {
  unsigned value = 0;
  if (!parse_class(class_code, value)) return "other";
  switch (value >> 16) {
    case 0x01: return "storage";      // mass storage: NVMe, SATA, SAS, RAID
    case 0x02: return "network";      // Ethernet, InfiniBand, ...
    case 0x03: return "gpu";          // display and 3D controllers (data-centre GPUs are 0x0302)
    case 0x12: return "accelerator";  // processing accelerators
    default: return "other";
  }
}

Result<std::vector<PciDevice>> read_pci_devices(const HostRoot& root) {
  auto entries = root.list_dir(kPciDevices);
  if (!entries) {
    // No PCI bus (some Arm boards, containers without /sys/bus): no devices, not an error.
    if (entries.error().kind == ErrorKind::kNotFound) return std::vector<PciDevice>{};
    return tl::unexpected(entries.error());
  }
  std::sort(entries->begin(), entries->end());
  std::vector<PciDevice> devices;
  for (const std::string& address : *entries) {
    const std::string dir = fmt::format("{}/{}", kPciDevices, address);
    PciDevice device;
    device.address = address;
    auto class_code = root.read_line(dir + "/class");
    if (!class_code) return tl::unexpected(class_code.error());
    device.class_code = *class_code;
    unsigned parsed = 0;
    if (!parse_class(device.class_code, parsed))
      return fail(ErrorKind::kBadInput,
                  fmt::format("{}: expected a PCI class like 0x020000, found '{}'",
                              root.path(dir + "/class").string(), device.class_code));
    device.kind = pci_kind_of_class(device.class_code);
    // numa_node is absent on kernels built without NUMA and -1 where the firmware gives no
    // proximity domain for the device (one-node machines, many VMs).
    auto node = read_decimal(root, dir + "/numa_node");
    if (node) {
      device.node = *node < 0 ? -1 : static_cast<int>(*node);
    } else if (node.error().kind != ErrorKind::kNotFound) {
      return tl::unexpected(node.error());
    }
    devices.push_back(std::move(device));
  }
  return devices;
}

}  // namespace aurora::topology_detail
