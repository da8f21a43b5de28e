package federation

import (
	"net"
	"net/netip"
	"syscall"

	shrooms "github.com/shrooms-org/shrooms"
)

// specialPrefixes are the address blocks an outgoing request never
// reaches unless federation.allow_private_addresses is on: every entry of
// the IANA IPv4 and IPv6 special-purpose address registries (the few
// marked "globally reachable" too: anycast relays and protocol services
// are no ActivityPub peers), plus multicast and the reserved ranges. A
// connection to any of them would let a remote document steer the node
// at its own network or at a translator that wraps one (NAT64, 6to4,
// Teredo, IPv4-compatible).
var specialPrefixes = mustPrefixes(
	// IPv4 (RFC 6890 and its updates).
	"0.0.0.0/8",          // "this network"
	"10.0.0.0/8",         // private
	"100.64.0.0/10",      // shared address space (carrier-grade NAT)
	"127.0.0.0/8",        // loopback
	"169.254.0.0/16",     // link-local (cloud metadata services)
	"172.16.0.0/12",      // private
	"192.0.0.0/24",       // IETF protocol assignments
	"192.0.2.0/24",       // documentation (TEST-NET-1)
	"192.31.196.0/24",    // AS112-v4
	"192.52.193.0/24",    // AMT
	"192.88.99.0/24",     // deprecated 6to4 relay anycast
	"192.168.0.0/16",     // private
	"192.175.48.0/24",    // direct delegation AS112
	"198.18.0.0/15",      // benchmarking
	"198.51.100.0/24",    // documentation (TEST-NET-2)
	"203.0.113.0/24",     // documentation (TEST-NET-3)
	"224.0.0.0/4",        // multicast
	"240.0.0.0/4",        // reserved
	"255.255.255.255/32", // limited broadcast
	// IPv6 (RFC 6890 and its updates). Anything outside 2000::/3 is
	// refused by ipv6GlobalUnicast as well; the entries below it stay
	// listed so that the table reads like the registry.
	"::/128",            // unspecified
	"::1/128",           // loopback
	"::/96",             // IPv4-compatible (deprecated)
	"64:ff9b::/96",      // NAT64 well-known prefix
	"64:ff9b:1::/48",    // local-use NAT64
	"100::/64",          // discard-only
	"100:0:0:1::/64",    // dummy prefix
	"2001::/23",         // IETF protocol assignments (Teredo, ORCHID, benchmarking …)
	"2001:db8::/32",     // documentation
	"2002::/16",         // 6to4
	"2620:4f:8000::/48", // direct delegation AS112
	"3fff::/20",         // documentation
	"5f00::/16",         // SRv6 SIDs
	"fc00::/7",          // unique local
	"fe80::/10",         // link-local
	"fec0::/10",         // site-local (deprecated)
	"ff00::/8",          // multicast
)

// ipv6GlobalUnicast is the only IPv6 block IANA allocates for global
// unicast; the rest is reserved or special.
var ipv6GlobalUnicast = netip.MustParsePrefix("2000::/3")

func mustPrefixes(list ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(list))
	for i, s := range list {
		ps[i] = netip.MustParsePrefix(s)
	}
	return ps
}

// publicAddr reports whether the node may connect to ip without
// allow_private_addresses. An IPv4-mapped IPv6 address is the IPv4
// address it maps (the kernel connects to that one); a zone makes an
// address local to a link.
func publicAddr(ip netip.Addr) bool {
	if !ip.IsValid() || ip.Zone() != "" {
		return false
	}
	ip = ip.Unmap()
	for _, p := range specialPrefixes {
		if p.Contains(ip) {
			return false
		}
	}
	return ip.Is4() || ipv6GlobalUnicast.Contains(ip)
}

// checkAddress is the dialer's Control function: it runs before every
// connection, after DNS resolution, so neither a DNS answer nor a
// redirect gets around it.
func (c *Client) checkAddress(network, address string, _ syscall.RawConn) error {
	if c.allowPrivate {
		return nil
	}
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return shrooms.Errorf(shrooms.EFORBIDDEN, "refusing to connect to %q", address).Keyed("federation.error.connect_refused", "Address", address)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !publicAddr(ip) {
		return shrooms.Errorf(shrooms.EFORBIDDEN, "refusing to connect to non-public address %s", host).Keyed("federation.error.connect_private", "Host", host)
	}
	return nil
}
