using System.Diagnostics;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Mail;
using Netzwerk.Workflows;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Netzwerk.Web.Hosting;

/// <summary>
/// Traces and metrics through OpenTelemetry: ASP.NET Core, HttpClient, Npgsql, MassTransit ("MassTransit" source and
/// meter) and our own meters. Exported over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter reads
/// the other OTEL_* variables itself); Prometheus text at <c>/metrics</c> only with <c>Metrics__Prometheus=true</c>, and
/// then only for Administration.
/// </summary>
public static class Telemetry
{
    public static IServiceCollection AddNetzwerkTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        // What is traced and measured is described always; providers run only when something exports, so an
        // instance without OTLP or /metrics pays nothing for spans nobody reads (the tests add in-memory exporters).
        services.ConfigureOpenTelemetryTracerProvider(t => t
            .AddAspNetCoreInstrumentation(o => o.Filter = ctx =>
                !ctx.Request.Path.StartsWithSegments("/health") && !ctx.Request.Path.StartsWithSegments("/metrics"))
            .AddHttpClientInstrumentation()
            .AddNpgsql()
            .AddSource("MassTransit")
            .AddProcessor(new WithoutRequestData()));
        services.ConfigureOpenTelemetryMeterProvider(m => m
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddNpgsqlInstrumentation()
            .AddMeter("MassTransit", WorkflowMetrics.MeterName, MailOutboxSender.MeterName));

        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var prometheus = configuration.GetValue<bool>("Metrics:Prometheus");
        if (!otlp && !prometheus) return services;
        var telemetry = services.AddOpenTelemetry().ConfigureResource(r => r.AddService("netzwerk"));
        if (otlp) telemetry.WithTracing(t => t.AddOtlpExporter());
        telemetry.WithMetrics(m =>
        {
            if (otlp) m.AddOtlpExporter();
            if (prometheus) m.AddPrometheusExporter();
        });
        return services;
    }

    public static IEndpointRouteBuilder MapNetzwerkMetrics(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        if (configuration.GetValue<bool>("Metrics:Prometheus"))
            app.MapPrometheusScrapingEndpoint("/metrics")
                .RequireAuthorization(p => p.RequireAssertion(c => CurrentUser.From(c.User)?.Role == Roles.Administrator));
        return app;
    }

    /// <summary>
    /// Spans keep route templates, never what a request carried: the path (an access token, ids), the query (search
    /// terms), the client's address and user agent go before any exporter sees the span.
    /// </summary>
    private sealed class WithoutRequestData : BaseProcessor<Activity>
    {
        private static readonly string[] Dropped =
            ["url.path", "url.query", "client.address", "client.port", "network.peer.address", "network.peer.port", "user_agent.original"];

        public override void OnEnd(Activity activity)
        {
            foreach (var tag in Dropped)
                if (activity.GetTagItem(tag) is not null) activity.SetTag(tag, null);
            if (activity.GetTagItem("url.full") is string full && Uri.TryCreate(full, UriKind.Absolute, out var uri))
                activity.SetTag("url.full", uri.GetLeftPart(UriPartial.Authority));
            if (activity.Kind == ActivityKind.Server && activity.GetTagItem("http.request.method") is string method)
                activity.DisplayName = activity.GetTagItem("http.route") is string route ? $"{method} {route}" : method;
        }
    }
}
