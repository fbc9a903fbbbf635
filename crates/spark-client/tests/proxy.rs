//! A TCP proxy between the client and the shared Connect server, to simulate a server restart
//! (refuse connections, drop live ones) without touching the real server.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::{TcpSocket, TcpStream};
use tokio::task::JoinHandle;

/// A proxy on a fixed local port that can be taken down and brought back.
pub struct Proxy {
    /// The port clients connect to; stays the same across `down`/`up`.
    addr: SocketAddr,
    /// Where connections are forwarded (the Connect server).
    upstream: String,
    /// The accept loop, while up.
    acceptor: Mutex<Option<JoinHandle<()>>>,
    /// Live forwarded connections, aborted by `down` and `drop_connections`.
    conns: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Proxy {
    /// Starts a proxy on a free port forwarding to `upstream` (`host:port`).
    pub async fn start(upstream: &str) -> Proxy {
        let probe = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = probe.local_addr().unwrap();
        drop(probe);
        let proxy = Proxy {
            addr,
            upstream: upstream.to_string(),
            acceptor: Mutex::new(None),
            conns: Arc::new(Mutex::new(Vec::new())),
        };
        proxy.up();
        proxy
    }

    /// The `sc://` URL that goes through the proxy.
    pub fn url(&self) -> String {
        format!("sc://{}", self.addr)
    }

    /// Accepts connections again (on the same port).
    pub fn up(&self) {
        let socket = TcpSocket::new_v4().unwrap();
        socket.set_reuseaddr(true).unwrap();
        socket.bind(self.addr).unwrap();
        let listener = socket.listen(64).unwrap();
        let upstream = self.upstream.clone();
        let conns = self.conns.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let upstream = upstream.clone();
                let conn = tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(&upstream).await {
                        forward(client, server).await;
                    }
                });
                conns.lock().unwrap().push(conn);
            }
        });
        *self.acceptor.lock().unwrap() = Some(task);
    }

    /// Kills live connections; new ones are still accepted (a network blip).
    pub fn drop_connections(&self) {
        for c in self.conns.lock().unwrap().drain(..) {
            c.abort();
        }
    }

    /// Refuses new connections and kills live ones (the server went away).
    pub fn down(&self) {
        if let Some(a) = self.acceptor.lock().unwrap().take() {
            a.abort();
        }
        self.drop_connections();
    }
}

async fn forward(mut client: TcpStream, mut server: TcpStream) {
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.down();
    }
}
