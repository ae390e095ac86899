//! Logs and traces. Logs are JSON lines on stderr, each carrying the request id of the request
//! it belongs to. Traces go to an OTLP collector when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, and
//! nowhere otherwise.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

/// Keeps the trace exporter alive; flushes it on drop.
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take() {
            if let Err(err) = provider.shutdown() {
                tracing::warn!(error = %err, "flushing traces");
            }
        }
    }
}

pub fn init() -> anyhow::Result<Telemetry> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let fmt = tracing_subscriber::fmt::layer()
        .json()
        .with_current_span(true)
        .with_span_list(false)
        .with_writer(std::io::stderr);
    let endpoint = std::env::var("OTEL_EXPORTER_OTLP_ENDPOINT").ok().filter(|e| !e.is_empty());
    let provider = match endpoint {
        Some(_) => {
            // The exporter reads the endpoint (and OTEL_EXPORTER_OTLP_HEADERS etc.) from the environment.
            let exporter = opentelemetry_otlp::SpanExporter::builder().with_tonic().build()?;
            let resource = opentelemetry_sdk::Resource::builder().with_service_name("patronus-server").build();
            Some(SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource).build())
        }
        None => None,
    };
    let otel = provider.as_ref().map(|p| tracing_opentelemetry::layer().with_tracer(p.tracer("patronus-server")));
    tracing_subscriber::registry().with(filter).with(fmt).with(otel).try_init()?;
    Ok(Telemetry { provider })
}
