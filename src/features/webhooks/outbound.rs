//! Where Creneau may send a request on a business's behalf (webhooks; calendar feeds later):
//! `http(s)://` addresses whose every resolved address is public. Loopback, private,
//! link-local, multicast, broadcast, unspecified, carrier-grade NAT, documentation and
//! unique-local addresses are refused — at creation, and again at every delivery, on the
//! addresses the connection actually uses (`Resolver`: it resolves, filters and hands hyper
//! only what passed, so a name that changes its answer between the check and the connection
//! gains nothing). No redirect is followed. The operator may allow private addresses
//! (`allow_private_outbound`); tests do, to reach their local receivers.

use std::net::{IpAddr, SocketAddr};

/// Whether an address is one the public internet routes to a business's server.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_unspecified()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || (o[0] == 198 && (18..20).contains(&o[1]))
                || o[0] >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let s = v6.segments();
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] == 0x2001 && s[1] == 0x0db8))
        }
    }
}

/// An address as given: `http` or `https`, a host, no credentials; what was wrong otherwise.
pub fn parse(url: &str) -> Result<url::Url, &'static str> {
    let u = url::Url::parse(url.trim()).map_err(|_| "invalid-url")?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none_or(str::is_empty) {
        return Err("invalid-url");
    }
    if !u.username().is_empty() || u.password().is_some() {
        return Err("invalid-url");
    }
    Ok(u)
}

/// The addresses of `host:port` that may be reached; an error when there are none.
pub async fn resolve(host: &str, port: u16, allow_private: bool) -> Result<Vec<SocketAddr>, &'static str> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let found: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host, port)).await.map_err(|_| "unresolvable-host")?.collect(),
    };
    if found.is_empty() {
        return Err("unresolvable-host");
    }
    let kept: Vec<SocketAddr> = found.into_iter().filter(|a| allow_private || is_public(a.ip())).collect();
    if kept.is_empty() { Err("private-address") } else { Ok(kept) }
}

/// hyper's resolver for outbound requests: `resolve`, so every connection goes only to
/// addresses that passed.
#[derive(Clone, Copy, Debug)]
pub struct Resolver {
    pub allow_private: bool,
}

impl tower_service::Service<hyper_util::client::legacy::connect::dns::Name> for Resolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: hyper_util::client::legacy::connect::dns::Name) -> Self::Future {
        let allow = self.allow_private;
        Box::pin(async move {
            // The connector sets the port itself; 0 here.
            resolve(name.as_str(), 0, allow).await.map(Vec::into_iter).map_err(std::io::Error::other)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for a in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "192.0.2.1",
            "198.18.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
        ] {
            assert!(!is_public(a.parse().unwrap()), "{a}");
        }
        for a in ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:1.1.1.1"] {
            assert!(is_public(a.parse().unwrap()), "{a}");
        }
    }

    #[test]
    fn addresses_are_http_with_a_host_and_no_credentials() {
        assert!(parse("https://hooks.example.fr/creneau").is_ok());
        assert!(parse("http://127.0.0.1:9000/x").is_ok());
        for bad in ["ftp://x.fr", "https://", "https://user:pw@x.fr/", "javascript:alert(1)", "x.fr/hook"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused_unless_allowed() {
        assert_eq!(resolve("localhost", 80, false).await, Err("private-address"));
        assert!(resolve("localhost", 80, true).await.is_ok());
        assert_eq!(resolve("[::1]", 80, false).await, Err("private-address"));
        assert_eq!(resolve("169.254.169.254", 80, false).await, Err("private-address"));
    }
}
