//! Network namespaces, for partitions as they happen between hosts: a
//! process started in a [`Netns`] reaches the database, Redis and an
//! archive only over veth [`Link`]s, one link each, and a test cuts a link
//! by downing its host end (packets then vanish both ways: connects hang,
//! open connections stall, nothing is refused) and heals it by raising it.
//! The services themselves listen on 127.0.0.1; a plain relay on the host
//! end of a link forwards to them. Needs root (the CI machine is).

use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use super::run;

static NAMESPACES: AtomicU32 = AtomicU32::new(0);
static LINKS: AtomicU32 = AtomicU32::new(0);

fn ip(args: &[&str]) {
    run(Command::new("ip").args(args));
}

/// A network namespace of its own, deleted when dropped.
pub struct Netns {
    pub name: String,
}

/// A veth pair between the host and a [`Netns`], with a /30 of its own.
pub struct Link {
    host_if: String,
    /// The host end's address: where the namespace reaches the service.
    pub host_ip: String,
    /// The namespace end's address: where the host reaches the namespace.
    pub ns_ip: String,
}

impl Netns {
    pub fn new() -> Self {
        let n = NAMESPACES.fetch_add(1, Ordering::SeqCst);
        let name = format!("au-{}-{n}", std::process::id());
        ip(&["netns", "add", &name]);
        ip(&["-n", &name, "link", "set", "lo", "up"]);
        Self { name }
    }

    /// A new link between the host and this namespace.
    pub fn link(&self) -> Link {
        let k = LINKS.fetch_add(1, Ordering::SeqCst);
        // 10.213.0.0/16 in /30s: 16,384 links a test process.
        let (third, fourth) = (k / 64 % 256, k % 64 * 4);
        let host_ip = format!("10.213.{third}.{}", fourth + 1);
        let ns_ip = format!("10.213.{third}.{}", fourth + 2);
        let tag = std::process::id() % 100_000;
        let host_if = format!("au{tag}h{k}");
        let ns_if = format!("au{tag}n{k}");
        ip(&[
            "link", "add", &host_if, "type", "veth", "peer", "name", &ns_if, "netns", &self.name,
        ]);
        ip(&["addr", "add", &format!("{host_ip}/30"), "dev", &host_if]);
        ip(&["link", "set", &host_if, "up"]);
        ip(&[
            "-n",
            &self.name,
            "addr",
            "add",
            &format!("{ns_ip}/30"),
            "dev",
            &ns_if,
        ]);
        ip(&["-n", &self.name, "link", "set", &ns_if, "up"]);
        Link {
            host_if,
            host_ip,
            ns_ip,
        }
    }

    /// `program` run inside this namespace (`ip netns exec` execs it: the
    /// child's pid is the program's).
    pub fn command(&self, program: &std::path::Path) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.name]).arg(program);
        command
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        // The veth pairs go with the namespace.
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

impl Link {
    /// Cuts the link: from now on nothing crosses it, either way.
    pub fn cut(&self) {
        (self.cutter())();
    }

    /// What cuts the link, for another thread to call.
    pub fn cutter(&self) -> impl Fn() + Send + 'static {
        let host_if = self.host_if.clone();
        move || ip(&["link", "set", &host_if, "down"])
    }

    /// Heals it: connections of before the cut go on if their peers have
    /// not given up on them.
    pub fn heal(&self) {
        ip(&["link", "set", &self.host_if, "up"]);
    }

    /// A relay on this link's host end to `target` on 127.0.0.1; its port.
    pub fn relay_to(&self, target: u16) -> u16 {
        let listener = TcpListener::bind((self.host_ip.as_str(), 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let Ok(server) = TcpStream::connect(("127.0.0.1", target)) else {
                    continue;
                };
                let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
                std::thread::spawn(move || {
                    let _ = std::io::copy(&mut c2, &mut s2);
                    let _ = s2.shutdown(std::net::Shutdown::Both);
                });
                std::thread::spawn(move || {
                    let (mut client, mut server) = (client, server);
                    let _ = std::io::copy(&mut server, &mut client);
                    let _ = client.shutdown(std::net::Shutdown::Both);
                });
            }
        });
        port
    }
}
