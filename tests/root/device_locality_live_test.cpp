// The device-locality readers against this kernel's own tables: the socket and route tables of
// /proc/self/net, parsed by the coordinator, must send a connected socket's peer out by the
// interface `ip route get` names (iproute2 asks the kernel's own lookup over netlink), and a
// file's mount must lead to the block device `stat` says holds it.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "aurora/procfs.hpp"
#include "aurora/unique_fd.hpp"
#include "policy/hint_signals.hpp"

namespace aurora::coord::hints_detail {
namespace {

// The word after "dev" in `ip route get ADDRESS`, "" when there is no route or no `ip`.
std::string kernel_route_device(const std::string& address) {
  const std::string command = fmt::format("ip route get {} 2>/dev/null", address);
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return {};
  std::string out;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
  ::pclose(pipe);
  const auto at = out.find(" dev ");
  if (at == std::string::npos) return {};
  const auto start = at + 5;
  return out.substr(start, out.find_first_of(" \n", start) - start);
}

// A UDP socket connected to `address` (no packet is sent), or an empty fd.
UniqueFd connected_udp(int family, const std::string& address) {
  UniqueFd fd(::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return fd;
  int rc = -1;
  if (family == AF_INET) {
    sockaddr_in peer{};
    peer.sin_family = AF_INET;
    peer.sin_port = htons(9);
    ::inet_pton(AF_INET, address.c_str(), &peer.sin_addr);
    rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&peer), sizeof peer);
  } else {
    sockaddr_in6 peer{};
    peer.sin6_family = AF_INET6;
    peer.sin6_port = htons(9);
    ::inet_pton(AF_INET6, address.c_str(), &peer.sin6_addr);
    rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&peer), sizeof peer);
  }
  return rc == 0 ? std::move(fd) : UniqueFd();
}

void expect_routed_like_the_kernel(int family, const std::string& address) {
  const std::string expected = kernel_route_device(address);
  if (expected.empty()) GTEST_SKIP() << "SKIPPED: no route to " << address << " here (or no `ip`)";
  UniqueFd socket = connected_udp(family, address);
  ASSERT_TRUE(socket) << "connect to " << address;
  struct stat st {};
  ASSERT_EQ(::fstat(socket.get(), &st), 0);
  const HostRoot root("/");
  auto peers = read_socket_peers(root, ::getpid());
  ASSERT_TRUE(peers) << peers.error().message;
  const auto peer = peers->find(st.st_ino);
  ASSERT_NE(peer, peers->end()) << "socket inode " << st.st_ino << " not in /proc/self/net/udp*";
  auto routes = read_net_routes(root, ::getpid());
  ASSERT_TRUE(routes) << routes.error().message;
  EXPECT_EQ(egress_interface(*routes, peer->second), expected) << "peer " << address;
}

TEST(DeviceLocalityLive, AConnectedIpv4SocketLeavesByTheInterfaceTheKernelRoutesItBy) {
  expect_routed_like_the_kernel(AF_INET, "198.51.100.1");  // TEST-NET-2: the default route
}

TEST(DeviceLocalityLive, AConnectedIpv6SocketLeavesByTheInterfaceTheKernelRoutesItBy) {
  expect_routed_like_the_kernel(AF_INET6, "2001:db8::1");
}

TEST(DeviceLocalityLive, LoopbackAndOwnAddressesLeaveByNoInterface) {
  const HostRoot root("/");
  UniqueFd loopback = connected_udp(AF_INET, "127.0.0.1");
  ASSERT_TRUE(loopback);
  struct stat st {};
  ASSERT_EQ(::fstat(loopback.get(), &st), 0);
  auto peers = read_socket_peers(root, ::getpid());
  ASSERT_TRUE(peers) << peers.error().message;
  ASSERT_TRUE(peers->count(st.st_ino));
  auto routes = read_net_routes(root, ::getpid());
  ASSERT_TRUE(routes) << routes.error().message;
  EXPECT_EQ(egress_interface(*routes, peers->at(st.st_ino)), "");
  // This host's own addresses are in the local table.
  EXPECT_FALSE(routes->local.empty());
}

TEST(DeviceLocalityLive, AFileLeadsToTheBlockDeviceStatSaysHoldsIt) {
  const std::string path = fmt::format("/var/tmp/aurora-device-test-{}", ::getpid());
  UniqueFd file(::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0600));
  ASSERT_TRUE(file);
  struct Unlink {
    std::string path;
    ~Unlink() { ::unlink(path.c_str()); }
  } unlink_at_end{path};
  struct stat st {};
  ASSERT_EQ(::fstat(file.get(), &st), 0);
  const HostRoot root("/");
  DeviceNodeResolver resolver(root);
  auto mounts = resolver.mounts_of(::getpid());
  ASSERT_TRUE(mounts) << mounts.error().message;
  // The node the resolver gives must be the one sysfs gives for stat's device; on this host
  // firmware may give none (-1), and then both say so.
  const std::string device = fmt::format("{}:{}", major(st.st_dev), minor(st.st_dev));
  if (major(st.st_dev) == 0) GTEST_SKIP() << "SKIPPED: /var/tmp is not on a block device here (" << device << ")";
  int expected = -1;
  char real[4096];
  if (::realpath(fmt::format("/sys/dev/block/{}", device).c_str(), real)) {
    for (std::string at = real; at.size() > std::string("/sys/devices").size(); at = at.substr(0, at.rfind('/'))) {
      if (::access((at + "/numa_node").c_str(), R_OK) != 0) continue;
      if (auto value = root.read_integer(at + "/numa_node")) expected = *value < 0 ? -1 : static_cast<int>(*value);
      break;
    }
  }
  EXPECT_EQ(resolver.node_of_open_file(path, **mounts), expected) << path << " on " << device;
}

}  // namespace
}  // namespace aurora::coord::hints_detail
