// Which interface carries a socket's traffic: the socket tables of its network namespace
// (/proc/PID/net/{tcp,tcp6,udp,udp6}) give each socket inode's peer address, and the routing
// tables (/proc/PID/net/{route,ipv6_route}) the interface a packet to that peer leaves by,
// longest prefix first, as the kernel's own lookup without policy rules. Peers on the host itself
// (loopback, the namespace's own addresses) leave by no interface.
//
// Address encodings (net/ipv4/tcp_ipv4.c, net/ipv6/route.c): the IPv4 socket and route tables
// print each __be32 with %08X, so their words compare as they are; tcp6/udp6 print the four
// 32-bit words of an IPv6 address the same way, while ipv6_route prints its 16 bytes in order.
#include <bit>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>

#include "policy/hint_signals.hpp"

namespace aurora::coord::hints_detail {

namespace {

int hex_digit(char c) {
  return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

std::optional<std::uint32_t> hex32(std::string_view text) {
  if (text.size() != 8) return std::nullopt;
  std::uint32_t value = 0;
  for (char c : text) {
    const int digit = hex_digit(c);
    if (digit < 0) return std::nullopt;
    value = value << 4 | static_cast<std::uint32_t>(digit);
  }
  return value;
}

// The 16 bytes of an address as the socket tables print it: 8 hex digits for IPv4 (mapped to
// ::ffff:a.b.c.d), 32 for IPv6 (four words in host order; x86 and arm64 are little-endian).
std::optional<PeerAddress> socket_address(std::string_view text) {
  PeerAddress out{};
  if (text.size() == 8) {
    auto word = hex32(text);
    if (!word) return std::nullopt;
    out.bytes[10] = out.bytes[11] = 0xff;
    for (int i = 0; i < 4; ++i) out.bytes[12 + i] = static_cast<std::uint8_t>(*word >> (8 * i));
    return out;
  }
  if (text.size() != 32) return std::nullopt;
  for (int w = 0; w < 4; ++w) {
    auto word = hex32(text.substr(8 * w, 8));
    if (!word) return std::nullopt;
    for (int i = 0; i < 4; ++i) out.bytes[4 * w + i] = static_cast<std::uint8_t>(*word >> (8 * i));
  }
  return out;
}

// ipv6_route's 32 hex digits: the bytes in order.
std::optional<PeerAddress> route6_address(std::string_view text) {
  if (text.size() != 32) return std::nullopt;
  PeerAddress out{};
  for (int i = 0; i < 16; ++i) {
    const int high = hex_digit(text[2 * i]), low = hex_digit(text[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out.bytes[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return out;
}

bool is_v4(const PeerAddress& a) {
  for (int i = 0; i < 10; ++i)
    if (a.bytes[i] != 0) return false;
  return a.bytes[10] == 0xff && a.bytes[11] == 0xff;
}

bool unspecified(const PeerAddress& a) {
  for (int i = 0; i < 16; ++i)
    if (a.bytes[i] != 0 && !(is_v4(a) && (i == 10 || i == 11))) return false;
  return true;
}

Result<std::string> read_net_file(const HostRoot& root, int pid, const char* name) {
  return root.read_text("/proc/" + std::to_string(pid) + "/net/" + name);
}

}  // namespace

Result<std::map<std::uint64_t, PeerAddress>> read_socket_peers(const HostRoot& root, int pid) {
  std::map<std::uint64_t, PeerAddress> peers;
  for (const char* table : {"tcp", "tcp6", "udp", "udp6"}) {
    auto text = read_net_file(root, pid, table);
    if (!text) {
      if (text.error().kind == ErrorKind::kNotFound) continue;  // a kernel without IPv6 (or UDP tables)
      return tl::unexpected(text.error());
    }
    std::istringstream lines(*text);
    std::string line;
    std::getline(lines, line);  // header
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
      if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode))
        continue;  // a short line: the table changed under the read
      const auto colon = remote.find(':');
      auto peer = socket_address(std::string_view(remote).substr(0, colon));
      const auto number = std::strtoull(inode.c_str(), nullptr, 10);
      if (peer && !unspecified(*peer) && number != 0) peers[number] = *peer;
    }
  }
  return peers;
}

bool is_loopback(const PeerAddress& peer) {
  if (is_v4(peer)) return peer.bytes[12] == 127;
  for (int i = 0; i < 15; ++i)
    if (peer.bytes[i] != 0) return false;
  return peer.bytes[15] == 1;
}

Result<NetRoutes> read_net_routes(const HostRoot& root, int pid) {
  NetRoutes routes;
  // The namespace's own addresses: a connection to one stays on the host whatever the main
  // table says. IPv4 from the local table (fib_trie: "|-- a.b.c.d" then "/32 host LOCAL"),
  // IPv6 from if_inet6.
  if (auto trie = read_net_file(root, pid, "fib_trie")) {
    std::istringstream lines(*trie);
    std::string line, last_address;
    while (std::getline(lines, line)) {
      if (const auto at = line.find("|-- "); at != std::string::npos) {
        last_address = line.substr(at + 4);
      } else if (line.find("/32 host LOCAL") != std::string::npos) {
        unsigned a = 0, b = 0, c = 0, d = 0;
        if (std::sscanf(last_address.c_str(), "%u.%u.%u.%u", &a, &b, &c, &d) == 4) {
          PeerAddress own{};
          own.bytes[10] = own.bytes[11] = 0xff;
          own.bytes[12] = static_cast<std::uint8_t>(a);
          own.bytes[13] = static_cast<std::uint8_t>(b);
          own.bytes[14] = static_cast<std::uint8_t>(c);
          own.bytes[15] = static_cast<std::uint8_t>(d);
          routes.local.push_back(own);
        }
      }
    }
  }
  if (auto inet6 = read_net_file(root, pid, "if_inet6")) {
    std::istringstream lines(*inet6);
    std::string address;
    for (std::string line; std::getline(lines, line);)
      if (std::istringstream(line) >> address)
        if (auto own = route6_address(address)) routes.local.push_back(*own);
  }
  auto v4 = read_net_file(root, pid, "route");
  if (!v4 && v4.error().kind != ErrorKind::kNotFound) return tl::unexpected(v4.error());
  std::istringstream lines(v4 ? *v4 : std::string());
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string iface, destination, gateway, flags, refcnt, use, metric, mask;
    if (!(fields >> iface >> destination >> gateway >> flags >> refcnt >> use >> metric >> mask)) continue;
    auto dest = hex32(destination), netmask = hex32(mask);
    if (!dest || !netmask) continue;
    PeerAddress prefix{};
    prefix.bytes[10] = prefix.bytes[11] = 0xff;
    for (int i = 0; i < 4; ++i) prefix.bytes[12 + i] = static_cast<std::uint8_t>(*dest >> (8 * i));
    routes.entries.push_back({prefix, 96 + std::popcount(*netmask), iface});
  }
  if (auto v6 = read_net_file(root, pid, "ipv6_route")) {
    std::istringstream lines6(*v6);
    while (std::getline(lines6, line)) {
      std::istringstream fields(line);
      std::string destination, length, source, source_length, next_hop, metric, refcnt, use, flags, iface;
      if (!(fields >> destination >> length >> source >> source_length >> next_hop >> metric >> refcnt >> use >> flags >> iface))
        continue;
      auto prefix = route6_address(destination);
      if (!prefix) continue;
      routes.entries.push_back({*prefix, static_cast<int>(std::strtol(length.c_str(), nullptr, 16)), iface});
    }
  }
  return routes;
}

std::string egress_interface(const NetRoutes& routes, const PeerAddress& peer) {
  if (is_loopback(peer)) return {};
  for (const PeerAddress& own : routes.local)
    if (own.bytes == peer.bytes) return {};
  const NetRoutes::Entry* best = nullptr;
  for (const auto& route : routes.entries) {
    // An IPv4 route (prefix ::ffff:0:0/96 and up) matches IPv4 peers only, and the IPv6
    // default route (::/0) IPv6 peers only.
    if (route.prefix_length < 96 && is_v4(peer)) continue;
    bool match = true;
    for (int bit = 0; bit < route.prefix_length && match; ++bit)
      match = ((route.prefix.bytes[bit / 8] ^ peer.bytes[bit / 8]) & (0x80 >> (bit % 8))) == 0;
    if (match && (!best || route.prefix_length > best->prefix_length)) best = &route;
  }
  return best ? best->interface : std::string();
}

}  // namespace aurora::coord::hints_detail
