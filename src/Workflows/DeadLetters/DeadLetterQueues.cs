using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Messaging;
using Netzwerk.Platform.Problems;
using RabbitMQ.Client;

namespace Netzwerk.Workflows.DeadLetters;

/// <summary>
/// Poison messages: after its retries MassTransit moves a message to the endpoint's <c>_error</c> queue.
/// Listed through the RabbitMQ management API; replayed by moving them back to the input queue
/// (consumers are idempotent, so replaying a message that did take effect changes nothing).
/// </summary>
public sealed class DeadLetterQueues(RabbitMqSettings settings, IConfiguration configuration)
{
    public sealed record DeadLetter(string? MessageId, string? MessageType, string? FaultType, string? FaultMessage);
    public sealed record ErrorQueue(string Queue, string SourceQueue, long Messages, IReadOnlyList<DeadLetter> Samples);

    private HttpClient Management()
    {
        var port = configuration["RabbitMq:ManagementPort"] ?? "15672";
        var client = new HttpClient { BaseAddress = new Uri($"http://{settings.Host}:{port}/api/"), Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{settings.Username}:{settings.Password}")));
        return client;
    }

    private string VHost => Uri.EscapeDataString(settings.VirtualHost);

    public async Task<IReadOnlyList<ErrorQueue>> ListAsync(int samples, CancellationToken ct)
    {
        using var http = Management();
        var queues = await http.GetFromJsonAsync<JsonElement>($"queues/{VHost}?columns=name,messages", ct);
        var result = new List<ErrorQueue>();
        foreach (var q in queues.EnumerateArray())
        {
            var name = q.GetProperty("name").GetString()!;
            if (!name.EndsWith("_error", StringComparison.Ordinal)) continue;
            var count = q.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0;
            var peeked = new List<DeadLetter>();
            if (samples > 0)
            {
                var response = await http.PostAsJsonAsync($"queues/{VHost}/{Uri.EscapeDataString(name)}/get",
                    new { count = samples, ackmode = "ack_requeue_true", encoding = "auto", truncate = 2000 }, ct);
                if (response.IsSuccessStatusCode)
                    foreach (var msg in (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).EnumerateArray())
                    {
                        var props = msg.GetProperty("properties");
                        var headers = props.TryGetProperty("headers", out var h) ? h : default;
                        string? Header(string key) => headers.ValueKind == JsonValueKind.Object && headers.TryGetProperty(key, out var v) ? v.ToString() : null;
                        peeked.Add(new DeadLetter(props.TryGetProperty("message_id", out var id) ? id.ToString() : null,
                            Header("MT-MessageType") ?? (props.TryGetProperty("type", out var t) ? t.ToString() : null), Header("MT-Fault-ExceptionType"), Header("MT-Fault-Message")));
                    }
            }
            result.Add(new ErrorQueue(name, name[..^"_error".Length], count, peeked));
        }
        return result;
    }

    /// <summary>Moves up to <paramref name="max"/> messages from an <c>_error</c> queue back to its input queue.</summary>
    public async Task<int> ReplayAsync(string errorQueue, int max, CancellationToken ct)
    {
        var factory = new ConnectionFactory
        {
            HostName = settings.Host, Port = settings.Port, VirtualHost = settings.VirtualHost,
            UserName = settings.Username, Password = settings.Password,
        };
        // On a cluster, any node that answers will do: the queues are cluster-wide.
        var nodes = settings.ClusterNodes.Select(n => new AmqpTcpEndpoint(n.Host, n.Port)).ToList();
        await using var connection = nodes.Count > 0
            ? await factory.CreateConnectionAsync(nodes, "netzwerk-dead-letter-replay", ct)
            : await factory.CreateConnectionAsync("netzwerk-dead-letter-replay", ct);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        var target = errorQueue[..^"_error".Length];
        var moved = 0;
        while (moved < max)
        {
            var message = await channel.BasicGetAsync(errorQueue, autoAck: false, ct);
            if (message is null) break;
            var props = new BasicProperties(message.BasicProperties);
            if (props.Headers is not null)
                foreach (var key in props.Headers.Keys.Where(k => k.StartsWith("MT-Fault-", StringComparison.Ordinal) || k.StartsWith("MT-Reason", StringComparison.Ordinal)).ToList())
                    props.Headers.Remove(key);
            await channel.BasicPublishAsync("", target, true, props, message.Body, ct);
            await channel.BasicAckAsync(message.DeliveryTag, false, ct);
            moved++;
        }
        return moved;
    }
}

public static class DeadLetterEndpoints
{
    public sealed record ReplayRequest(string? Queue, int? Max);

    public static IEndpointRouteBuilder MapDeadLetters(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin/dead-letters").WithTags("Administration: Fehlerwarteschlangen")
            .RequireAuthorization(p => p.RequireAssertion(c => CurrentUser.From(c.User)?.Role == Roles.Administrator));
        group.MapGet("/", async (DeadLetterQueues queues, int? samples, CancellationToken ct) =>
                Results.Ok(await queues.ListAsync(Math.Clamp(samples ?? 10, 0, 50), ct)))
            .WithSummary("Nicht zustellbare Nachrichten (MassTransit-_error-Warteschlangen) ansehen");
        group.MapPost("/replay", async (ReplayRequest request, DeadLetterQueues queues, AuditLog audit, CancellationToken ct) =>
            {
                if (string.IsNullOrWhiteSpace(request.Queue) || !request.Queue.EndsWith("_error", StringComparison.Ordinal) || request.Queue.Length > 200)
                    return Problems.Validation(new Dictionary<string, string[]> { ["queue"] = ["Bitte eine _error-Warteschlange angeben."] });
                var existing = await queues.ListAsync(0, ct);
                if (existing.All(q => q.Queue != request.Queue)) return Problems.NotFound("Diese Fehlerwarteschlange gibt es nicht.");
                var moved = await queues.ReplayAsync(request.Queue, Math.Clamp(request.Max ?? 100, 1, 10_000), ct);
                await audit.RecordAsync(new AuditEvent("dead-letters.replay", "queue", request.Queue, Detail: $"{moved} messages"), ct);
                return Results.Ok(new { queue = request.Queue, replayed = moved });
            })
            .WithSummary("Nachrichten einer _error-Warteschlange erneut zustellen");
        return app;
    }
}
