//! Logs and traces. Logs are JSON lines on stderr, each carrying the request id of the request
//! it belongs to. Traces go to an OTLP collector when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, and
//! nowhere otherwise.
//!
//! `RUST_LOG` filters the logs only: the traces always get the server's own spans at `info`
//! (the request span with its request id, route and tenant, a write's `config_compile` and
//! `config_publish`, a woken poll's `config_wake`), so quiet logs do not mean no traces.
//!
//! A write's trace reaches the agents' polls it wakes, on this replica and through Redis on the
//! others, as a W3C `traceparent` carried with the wake-up ([`traceparent`], [`parse_traceparent`]):
//! the woken poll opens a `config_wake` span whose parent is the write's `config_publish` span,
//! so the write's trace shows every poll it woke, and the poll's own request span links to the
//! write.

use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState, TracerProvider as _,
};
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

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
        .with_writer(std::io::stderr)
        .with_filter(filter);
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
    let otel = provider.as_ref().map(|p| {
        tracing_opentelemetry::layer()
            .with_tracer(p.tracer("patronus-server"))
            .with_filter(Targets::new().with_target("patronus_server", tracing::Level::INFO))
    });
    tracing_subscriber::registry().with(fmt).with(otel).try_init()?;
    Ok(Telemetry { provider })
}

/// The current span's trace context as a W3C `traceparent`; `None` when traces are off (or the
/// span is not sampled).
pub fn traceparent() -> Option<String> {
    let cx = tracing::Span::current().context();
    let span = cx.span();
    let sc = span.span_context();
    (sc.is_valid() && sc.is_sampled())
        .then(|| format!("00-{}-{}-{:02x}", sc.trace_id(), sc.span_id(), sc.trace_flags().to_u8()))
}

/// Reads a `traceparent` of version 00; anything else is `None`.
pub fn parse_traceparent(value: &str) -> Option<SpanContext> {
    let mut parts = value.split('-');
    let (version, trace, span, flags) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if version != "00" || parts.next().is_some() || trace.len() != 32 || span.len() != 16 || flags.len() != 2 {
        return None;
    }
    let trace_id = TraceId::from_hex(trace).ok()?;
    let span_id = SpanId::from_hex(span).ok()?;
    let flags = TraceFlags::new(u8::from_str_radix(flags, 16).ok()?);
    let sc = SpanContext::new(trace_id, span_id, flags, true, TraceState::default());
    sc.is_valid().then_some(sc)
}

/// Makes `span` a child of the remote `parent` and links the current span to it.
pub fn follow(span: &tracing::Span, parent: &SpanContext) {
    span.set_parent(opentelemetry::Context::new().with_remote_span_context(parent.clone()));
    tracing::Span::current().add_link(parent.clone());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_traceparent_reads_back_and_garbage_does_not() {
        let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let sc = parse_traceparent(tp).expect("valid");
        assert_eq!(format!("00-{}-{}-{:02x}", sc.trace_id(), sc.span_id(), sc.trace_flags().to_u8()), tp);
        assert!(sc.is_remote() && sc.is_sampled());
        for bad in [
            "",
            "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-zz",
        ] {
            assert_eq!(parse_traceparent(bad), None, "{bad}");
        }
    }
}
