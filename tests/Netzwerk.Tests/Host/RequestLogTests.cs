using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Tests.Identity;
using Netzwerk.Tests.Infrastructure;
using Serilog.Core;
using Serilog.Events;

namespace Netzwerk.Tests.Host;

/// <summary>The app with every log event kept in memory.</summary>
public sealed class LoggedApp : NetzwerkApp
{
    public ConcurrentQueue<LogEvent> Events { get; } = new();

    protected override void ConfigureTestServices(IServiceCollection services)
        => services.AddSingleton<ILogEventSink>(new Sink(Events));

    private sealed class Sink(ConcurrentQueue<LogEvent> events) : ILogEventSink
    {
        public void Emit(LogEvent logEvent) => events.Enqueue(logEvent);
    }
}

public sealed class RequestLogTests(LoggedApp app) : IClassFixture<LoggedApp>
{
    [Fact]
    public async Task A_request_is_logged_with_its_route_and_trace_id_but_not_its_query()
    {
        var client = await app.ClientFor("fm.mueller");
        var response = await client.GetAsync("/api/directory/search?q=Vertraulich-Mustermann");
        var requestId = response.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.Single() : null;
        requestId.ShouldNotBeNull();

        var line = await TestProcesses.EventuallyAsync(() => Task.FromResult(app.Events.FirstOrDefault(e =>
            e.RenderMessage().Contains("/api/directory/search"))), "request log line");
        line.TraceId.ShouldNotBeNull();
        line.TraceId.Value.ToHexString().Length.ShouldBe(32);
        foreach (var e in app.Events)
        {
            var text = e.RenderMessage() + string.Join(' ', e.Properties.Values);
            text.ShouldNotContain("Vertraulich", Case.Insensitive);
        }
    }
}
