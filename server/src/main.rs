use clap::Parser;

// glibc's allocator took a third of the server's CPU while 10,000 agents fetched their documents
// at once (many small allocations freed on other threads); mimalloc's thread-local heaps do not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    patronus_server::serve::main(patronus_server::config::Cli::parse()).await
}
