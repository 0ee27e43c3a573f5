//! A fault-injecting upstream on 127.0.0.1, written on raw TCP so it can do what a well-behaved
//! HTTP server cannot: drop a connection without answering, stall past a timeout, or stream a
//! body larger than it announced. Each request takes the next scripted step (or the default
//! step once the script is used up) and is recorded with its arrival time; the server also
//! tracks how many requests were in flight at once.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the mock does with one request.
#[derive(Debug, Clone)]
pub enum Step {
    /// Answer with this status, extra headers and body after a delay.
    Reply {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
        delay: Duration,
    },
    /// Read the request, then close the connection without a byte of answer.
    Drop,
    /// Answer 200 with a JSON array of `bytes` bytes, without a Content-Length.
    Huge { bytes: usize },
}

impl Step {
    pub fn json(status: u16, body: &str) -> Step {
        Step::Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    pub fn html(status: u16, body: &str) -> Step {
        Step::Reply {
            status,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Step {
        if let Step::Reply { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    pub fn after(mut self, wait: Duration) -> Step {
        if let Step::Reply { delay, .. } = &mut self {
            *delay = wait;
        }
        self
    }
}

/// One request as the mock saw it.
#[derive(Debug, Clone)]
pub struct Hit {
    pub at: Instant,
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Hit {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct State {
    script: Mutex<VecDeque<Step>>,
    default: Step,
    hits: Mutex<Vec<Hit>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// A running fault mock.
#[derive(Clone)]
pub struct FaultMock {
    pub addr: std::net::SocketAddr,
    state: Arc<State>,
}

impl FaultMock {
    /// Starts on an ephemeral loopback port.
    pub async fn start(script: Vec<Step>, default: Step) -> FaultMock {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        Self::serve(listener, script, default)
    }

    /// Serves on a listener the test bound itself.
    pub fn serve(listener: TcpListener, script: Vec<Step>, default: Step) -> FaultMock {
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(State {
            script: Mutex::new(script.into()),
            default,
            hits: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        });
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let state = shared.clone();
                tokio::spawn(async move {
                    handle(stream, state).await;
                });
            }
        });
        FaultMock { addr, state }
    }

    /// The Thruk base URL pointing here.
    pub fn url(&self) -> String {
        format!("http://{}/thruk", self.addr)
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.state
            .hits
            .lock()
            .map(|h| h.clone())
            .unwrap_or_default()
    }

    pub fn count(&self) -> usize {
        self.hits().len()
    }

    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<Hit> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let length = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..]).to_string();
    Some(Hit {
        at: Instant::now(),
        method,
        path,
        headers,
        body,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

async fn handle(mut stream: TcpStream, state: Arc<State>) {
    let Some(hit) = read_request(&mut stream).await else {
        return;
    };
    let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_in_flight.fetch_max(now, Ordering::SeqCst);
    if let Ok(mut hits) = state.hits.lock() {
        hits.push(hit);
    }
    let step = state
        .script
        .lock()
        .ok()
        .and_then(|mut s| s.pop_front())
        .unwrap_or_else(|| state.default.clone());
    match step {
        Step::Drop => {}
        Step::Reply {
            status,
            headers,
            body,
            delay,
        } => {
            tokio::time::sleep(delay).await;
            let mut out = format!(
                "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
                reason(status),
                body.len()
            );
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("\r\n");
            out.push_str(&body);
            let _ = stream.write_all(out.as_bytes()).await;
        }
        Step::Huge { bytes } => {
            let head =
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[";
            if stream.write_all(head.as_bytes()).await.is_ok() {
                let row = b"{\"name\":\"padding-padding-padding-padding\"},";
                let mut sent = 0;
                while sent < bytes {
                    if stream.write_all(row).await.is_err() {
                        break;
                    }
                    sent += row.len();
                }
                let _ = stream.write_all(b"{}]").await;
            }
        }
    }
    let _ = stream.shutdown().await;
    state.in_flight.fetch_sub(1, Ordering::SeqCst);
}
