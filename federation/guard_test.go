package federation

import (
	"net"
	"testing"

	shrooms "github.com/shrooms-org/shrooms"
)

// TestAddressGuard asks the dialer's decision (the Control function of
// every outgoing connection) about each special-purpose range of the IANA
// IPv4 and IPv6 registries, and about the IPv6 forms that wrap an IPv4
// address. It never connects anywhere. With allow_private_addresses every
// address is let through: that is how the tests on loopback work.
func TestAddressGuard(t *testing.T) {
	for _, tc := range []struct {
		name, ip string
		public   bool
	}{
		{"public IPv4", "93.184.216.34", true},
		{"public IPv4 low", "1.1.1.1", true},
		{"public IPv4 high", "223.255.255.254", true},
		{"public IPv6", "2a00:1450:4007:80e::200e", true},
		{"public IPv6 just after 2001::/23", "2001:200::1", true},
		{"mapped public IPv4", "::ffff:93.184.216.34", true},

		{"this network 0.0.0.0", "0.0.0.0", false},
		{"this network 0.1.2.3", "0.1.2.3", false},
		{"this network top", "0.255.255.255", false},
		{"private 10/8", "10.1.2.3", false},
		{"shared 100.64/10", "100.64.0.1", false},
		{"shared 100.64/10 top", "100.127.255.254", false},
		{"loopback", "127.0.0.1", false},
		{"loopback elsewhere in 127/8", "127.8.9.10", false},
		{"link-local", "169.254.169.254", false},
		{"private 172.16/12", "172.16.0.1", false},
		{"private 172.16/12 top", "172.31.255.254", false},
		{"IETF assignments 192.0.0/24", "192.0.0.8", false},
		{"PCP anycast 192.0.0.9", "192.0.0.9", false},
		{"TEST-NET-1", "192.0.2.1", false},
		{"AS112", "192.31.196.1", false},
		{"AMT", "192.52.193.1", false},
		{"6to4 relay anycast", "192.88.99.1", false},
		{"private 192.168/16", "192.168.1.1", false},
		{"direct delegation AS112", "192.175.48.1", false},
		{"benchmarking 198.18/15", "198.18.0.1", false},
		{"benchmarking 198.19", "198.19.255.254", false},
		{"TEST-NET-2", "198.51.100.7", false},
		{"TEST-NET-3", "203.0.113.9", false},
		{"multicast", "224.0.0.1", false},
		{"multicast top", "239.255.255.255", false},
		{"reserved 240/4", "240.0.0.1", false},
		{"reserved 240/4 high", "254.1.2.3", false},
		{"limited broadcast", "255.255.255.255", false},

		{"unspecified IPv6", "::", false},
		{"loopback IPv6", "::1", false},
		{"IPv4-compatible public", "::93.184.216.34", false},
		{"IPv4-compatible loopback", "::127.0.0.1", false},
		{"mapped loopback", "::ffff:127.0.0.1", false},
		{"mapped private", "::ffff:10.0.0.1", false},
		{"mapped this network", "::ffff:0.1.2.3", false},
		{"mapped metadata", "::ffff:169.254.169.254", false},
		{"mapped in hex", "::ffff:c0a8:101", false},
		{"NAT64 public", "64:ff9b::93.184.216.34", false},
		{"NAT64 loopback", "64:ff9b::127.0.0.1", false},
		{"NAT64 private in hex", "64:ff9b::a00:1", false},
		{"local-use NAT64", "64:ff9b:1::10.0.0.1", false},
		{"discard-only", "100::1", false},
		{"dummy prefix", "100:0:0:1::1", false},
		{"IETF assignments 2001::/23", "2001:1::1", false},
		{"Teredo wrapping loopback", "2001:0:4136:e378:8000:63bf:80ff:fffe", false},
		{"benchmarking 2001:2::/48", "2001:2::1", false},
		{"ORCHIDv2", "2001:20::1", false},
		{"top of 2001::/23", "2001:1ff:ffff::1", false},
		{"documentation 2001:db8::/32", "2001:db8::1", false},
		{"6to4 wrapping private", "2002:c0a8:101::1", false},
		{"6to4 wrapping loopback", "2002:7f00:1::1", false},
		{"6to4 wrapping public", "2002:5db8:d822::1", false},
		{"direct delegation AS112 IPv6", "2620:4f:8000::1", false},
		{"documentation 3fff::/20", "3fff::1", false},
		{"SRv6 SIDs", "5f00::1", false},
		{"unique local", "fc00::1", false},
		{"unique local fd", "fd12:3456::1", false},
		{"link-local IPv6", "fe80::1", false},
		{"link-local with zone", "fe80::1%eth0", false},
		{"site-local", "fec0::1", false},
		{"multicast IPv6", "ff02::1", false},
		{"multicast IPv6 global scope", "ff0e::1", false},
		{"unassigned outside 2000::/3", "4000::1", false},
		{"not an address", "example.org", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			strict := NewClient(Config{IRIs: shrooms.IRIs{Base: "https://node.example"}})
			open := NewClient(Config{IRIs: shrooms.IRIs{Base: "http://127.0.0.1"}, AllowPrivateAddresses: true})
			addr := net.JoinHostPort(tc.ip, "443")
			err := strict.checkAddress("tcp", addr, nil)
			if tc.public && err != nil {
				t.Fatalf("%s refused: %v", tc.ip, err)
			}
			if !tc.public && shrooms.ErrorCode(err) != shrooms.EFORBIDDEN {
				t.Fatalf("%s let through (err %v)", tc.ip, err)
			}
			if err := open.checkAddress("tcp", addr, nil); err != nil {
				t.Fatalf("with allow_private_addresses, %s refused: %v", tc.ip, err)
			}
		})
	}
}
