//! `prestasi-server`: see the README for the commands.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
    axum::serve(listener, prestasi_server::router()).await
}
