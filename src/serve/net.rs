//! This machine's own network addresses, for the URL a server bound to all interfaces
//! prints. Read from the interface list (`getifaddrs`): no packet is sent.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The addresses of the interfaces that are up, loopback excluded: IPv4 first, then IPv6
/// (link-local IPv6 last, as it needs a zone in a URL). Empty where the list cannot be read.
pub fn local_addresses() -> Vec<IpAddr> {
    let mut out = Vec::new();
    #[cfg(unix)]
    {
        let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
        // SAFETY: `getifaddrs` fills `head` with a list it allocates, read below and freed
        // once with `freeifaddrs`; nothing keeps a pointer into it.
        if unsafe { libc::getifaddrs(&mut head) } != 0 {
            return out;
        }
        let mut p = head;
        while !p.is_null() {
            // SAFETY: `p` is a node of the list returned above, not yet freed.
            let ifa = unsafe { &*p };
            p = ifa.ifa_next;
            let up = ifa.ifa_flags & (libc::IFF_UP as libc::c_uint) != 0;
            let loopback = ifa.ifa_flags & (libc::IFF_LOOPBACK as libc::c_uint) != 0;
            if ifa.ifa_addr.is_null() || !up || loopback {
                continue;
            }
            // SAFETY: `ifa_addr` is non-null and points to a sockaddr whose family says which
            // struct it is.
            let ip = unsafe {
                match i32::from((*ifa.ifa_addr).sa_family) {
                    libc::AF_INET => {
                        let a = &*(ifa.ifa_addr as *const libc::sockaddr_in);
                        IpAddr::V4(Ipv4Addr::from(u32::from_be(a.sin_addr.s_addr)))
                    }
                    libc::AF_INET6 => {
                        let a = &*(ifa.ifa_addr as *const libc::sockaddr_in6);
                        IpAddr::V6(Ipv6Addr::from(a.sin6_addr.s6_addr))
                    }
                    _ => continue,
                }
            };
            if !ip.is_loopback() && !ip.is_unspecified() && !out.contains(&ip) {
                out.push(ip);
            }
        }
        // SAFETY: `head` came from `getifaddrs` and is freed once.
        unsafe { libc::freeifaddrs(head) };
    }
    out.sort_by_key(|ip| match ip {
        IpAddr::V4(a) if a.is_link_local() => 1,
        IpAddr::V4(_) => 0,
        IpAddr::V6(a) if a.is_unicast_link_local() => 3,
        IpAddr::V6(_) => 2,
    });
    out
}

/// This machine's host name, if it has one.
pub fn hostname() -> Option<String> {
    #[cfg(unix)]
    {
        let mut buf = [0u8; 256];
        // SAFETY: `buf` is writable for its whole length, which is passed.
        if unsafe { libc::gethostname(buf.as_mut_ptr() as *mut libc::c_char, buf.len()) } != 0 {
            return None;
        }
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        let name = String::from_utf8_lossy(&buf[..end]).trim().to_owned();
        (!name.is_empty() && name != "localhost").then_some(name)
    }
    #[cfg(not(unix))]
    None
}

/// What a browser on another machine should type for a server bound to `bind`: the bound
/// address itself, or, bound to all interfaces, this machine's first usable address, else
/// its host name (`None` when there is neither).
pub fn public_host(bind: IpAddr) -> Option<String> {
    if !bind.is_unspecified() {
        return Some(bind.to_string());
    }
    let usable = |ip: &IpAddr| match ip {
        IpAddr::V4(a) => !a.is_link_local(),
        IpAddr::V6(a) => !a.is_unicast_link_local() && bind.is_ipv6(),
    };
    local_addresses().into_iter().find(usable).map(|ip| ip.to_string()).or_else(hostname)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_addresses_are_never_loopback_and_a_bound_address_is_itself() {
        assert!(local_addresses().iter().all(|ip| !ip.is_loopback() && !ip.is_unspecified()));
        assert_eq!(public_host("192.168.7.9".parse().unwrap()).as_deref(), Some("192.168.7.9"));
        if let Some(h) = public_host("0.0.0.0".parse().unwrap()) {
            assert!(h != "0.0.0.0" && h != "127.0.0.1", "{h}");
        }
    }
}
