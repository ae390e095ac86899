//! The run command as a user meets it: the real binary, no DATABASE_URL, a private PostgreSQL
//! created on first start, reused on the next, and stopped with the server.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Server {
    child: Child,
    stdout: BufReader<std::process::ChildStdout>,
    url: String,
}

fn start(data_dir: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_patronus-server"))
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.starts_with("Patronus control plane listening on http://"), "first line: {line:?}");
    let url = line.split_whitespace().nth(5).unwrap().to_string();
    Server { child, stdout, url }
}

/// One HTTP/1.1 request over a plain socket; returns the status line and body.
async fn http_get(url: &str, path: &str, token: &str) -> (String, String) {
    let addr = url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response.lines().next().unwrap_or("").to_string();
    let body = response.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

fn terminate(mut server: Server) -> String {
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = server.child.wait().unwrap();
    assert!(status.success(), "server exited with {status}");
    let mut rest = String::new();
    server.stdout.read_to_string(&mut rest).unwrap();
    rest
}

#[tokio::test]
async fn the_server_runs_its_own_postgres_and_prints_the_first_token_once() {
    let data_dir = std::env::temp_dir().join(format!("patronus-lifecycle-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);

    let mut first = start(&data_dir);
    let mut token_line = String::new();
    first.stdout.read_line(&mut token_line).unwrap();
    let token = token_line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(token_line.starts_with("Platform-admin token") && token.starts_with("ptrn_plat_"), "{token_line:?}");
    let (status, body) = http_get(&first.url, "/v1/tenants", &token).await;
    assert!(status.contains("200"), "{status} {body}");
    let (status, _) = http_get(&first.url, "/readyz", "").await;
    assert!(status.contains("200"));
    let rest = terminate(first);
    assert!(!rest.contains("ptrn_plat_"));
    // Stopping the server stopped its PostgreSQL.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!data_dir.join("pgdata/postmaster.pid").exists(), "PostgreSQL still running");

    // The second start reuses the data: the first token still works and no new one is printed.
    let second = start(&data_dir);
    let (status, _) = http_get(&second.url, "/v1/tenants", &token).await;
    assert!(status.contains("200"), "{status}");
    let rest = terminate(second);
    assert!(!rest.contains("Platform-admin token"), "a second token was printed: {rest}");

    std::fs::remove_dir_all(&data_dir).unwrap();
}
