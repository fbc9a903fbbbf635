//! The long-running jobs' Prometheus endpoint: `GET /metrics` (the text exposition format,
//! version 0.0.4) and `GET /healthz`, for Prometheus to scrape (`ops/prometheus/`).
//!
//! The streaming driver and the exporter record into one process-wide [`prometheus_client`]
//! registry ([`registry`]), each registering its families when first used; the validator renders
//! its own counters. Either way a job hands [`spawn`] a [`Render`] that produces the page.
//!
//! The HTTP side is a few lines on a `TcpListener` rather than a web framework (the pipeline has
//! none): it answers those two paths, one request per connection, and 404 to anything else.

use std::net::SocketAddr;
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};

use prometheus_client::registry::Registry;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::shutdown::Shutdown;
use crate::{Error, Result};

/// Produces the `/metrics` page, in the text exposition format.
pub type Render = Arc<dyn Fn() -> String + Send + Sync>;

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(|| Mutex::new(Registry::default()));

/// The process-wide registry the jobs' metric families are registered in.
pub fn registry() -> MutexGuard<'static, Registry> {
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Every family of the process-wide [`registry`], in the text exposition format (ending `# EOF`).
pub fn render_registry() -> String {
    let mut out = String::with_capacity(4096);
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, &registry());
    out
}

/// A [`Render`] of the process-wide [`registry`].
pub fn registry_render() -> Render {
    Arc::new(render_registry)
}

/// Serves `render` on `addr` until `shutdown`, when an address is given. Returns the address
/// bound (port 0 picks a free one), or `None` when there is none to serve on.
///
/// # Errors
/// [`Error::Invalid`] when the address cannot be bound (in use, not local).
pub async fn spawn(
    addr: Option<SocketAddr>,
    render: Render,
    shutdown: Shutdown,
) -> Result<Option<SocketAddr>> {
    let Some(addr) = addr else {
        return Ok(None);
    };
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| Error::invalid(format!("cannot serve metrics on {addr}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| Error::invalid(e.to_string()))?;
    tracing::info!(addr = %bound, "serving /metrics");
    tokio::spawn(serve(listener, render, shutdown));
    Ok(Some(bound))
}

/// Answers requests on `listener` until `shutdown`.
pub async fn serve(listener: TcpListener, render: Render, shutdown: Shutdown) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.wait() => return,
        };
        let Ok((stream, _)) = accepted else { continue };
        let render = Arc::clone(&render);
        tokio::spawn(async move {
            if let Err(e) = answer(stream, &render).await {
                tracing::debug!(error = %e, "metrics request failed");
            }
        });
    }
}

async fn answer(mut stream: tokio::net::TcpStream, render: &Render) -> std::io::Result<()> {
    let mut request = Vec::with_capacity(512);
    let mut buf = [0u8; 512];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 8192 {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        request.extend_from_slice(&buf[..n]);
    }
    let line = request.split(|b| *b == b'\r').next().unwrap_or_default();
    let (status, content_type, body) = if line.starts_with(b"GET /metrics") {
        ("200 OK", "text/plain; version=0.0.4", render())
    } else if line.starts_with(b"GET /healthz") {
        ("200 OK", "text/plain", "ok\n".to_string())
    } else {
        ("404 Not Found", "text/plain", "not found\n".to_string())
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(addr: SocketAddr, path: &str) -> String {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response
    }

    #[tokio::test]
    async fn the_page_health_and_unknown_paths_are_answered() {
        let shutdown = Shutdown::new();
        let render: Render = Arc::new(|| "mindy_test_up 1\n".to_string());
        let addr = spawn(
            Some("127.0.0.1:0".parse().unwrap()),
            render,
            shutdown.clone(),
        )
        .await
        .unwrap()
        .unwrap();
        let page = get(addr, "/metrics").await;
        assert!(page.starts_with("HTTP/1.1 200 OK"), "{page}");
        assert!(page.contains("version=0.0.4"), "{page}");
        assert!(page.ends_with("\r\n\r\nmindy_test_up 1\n"), "{page}");
        assert!(get(addr, "/healthz").await.ends_with("ok\n"));
        assert!(get(addr, "/nope").await.starts_with("HTTP/1.1 404"));
        shutdown.trigger();
    }

    #[tokio::test]
    async fn no_address_serves_nothing_and_a_taken_one_is_a_clear_error() {
        let render: Render = Arc::new(String::new);
        assert_eq!(
            spawn(None, render.clone(), Shutdown::new()).await.unwrap(),
            None
        );
        let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let error = spawn(Some(taken.local_addr().unwrap()), render, Shutdown::new())
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("cannot serve metrics on"),
            "{error}"
        );
    }
}
