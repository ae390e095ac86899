use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    patronus_server::serve::main(patronus_server::config::Cli::parse()).await
}
