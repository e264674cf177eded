using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Netzwerk.Platform.Messaging;

/// <summary>RabbitMQ settings, from configuration section <c>RabbitMq</c> (env: <c>RabbitMq__Host</c> …).</summary>
public sealed class RabbitMqSettings
{
    public string Host { get; set; } = "127.0.0.1";
    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";

    /// <summary>
    /// The nodes of a RabbitMQ cluster as <c>host:port,host:port,…</c>. When set, the app connects to whichever node
    /// answers and moves to another when it goes away; <see cref="Host"/> and <see cref="Port"/> are then unused.
    /// </summary>
    public string? Nodes { get; set; }

    /// <summary><c>quorum</c> or <c>classic</c>; empty means quorum on a cluster (more than one node), classic otherwise.</summary>
    public string? QueueType { get; set; }

    public IReadOnlyList<(string Host, ushort Port)> ClusterNodes =>
        (Nodes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(ParseNode).ToList();

    /// <summary>
    /// Classic queues live on one node: when it goes, so do their messages. Quorum queues replicate every message
    /// to a majority of nodes before the publisher confirm, so the loss of any one node loses nothing acknowledged.
    /// </summary>
    public bool UseQuorumQueues => QueueType?.Trim().ToLowerInvariant() switch
    {
        "quorum" => true,
        "classic" => false,
        null or "" => ClusterNodes.Count > 1,
        var other => throw new InvalidOperationException(
            $"RabbitMq:QueueType '{other}' ist unbekannt (erlaubt: quorum, classic)."),
    };

    private static (string Host, ushort Port) ParseNode(string node)
    {
        var colon = node.LastIndexOf(':');
        if (colon < 0) return (node, 5672);
        return ushort.TryParse(node[(colon + 1)..], out var port)
            ? (node[..colon], port)
            : throw new InvalidOperationException($"RabbitMq:Nodes: '{node}' ist kein host:port.");
    }
}

public static class MessagingSetup
{
    /// <summary>
    /// MassTransit over RabbitMQ. Modules register their consumers through <paramref name="configure"/>;
    /// endpoints are named after the consumers so that several app instances share the work.
    /// </summary>
    public static IServiceCollection AddNetzwerkMessaging(
        this IServiceCollection services, IConfiguration configuration, Action<IBusRegistrationConfigurator> configure)
    {
        var settings = configuration.GetSection("RabbitMq").Get<RabbitMqSettings>() ?? new RabbitMqSettings();
        var nodes = settings.ClusterNodes;
        var quorum = settings.UseQuorumQueues;
        services.AddSingleton(settings);
        services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            if (quorum)
            {
                // Every endpoint MassTransit declares, including the ones modules configure themselves.
                x.AddConfigureEndpointsCallback((_, _, endpoint) =>
                {
                    if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit) rabbit.SetQuorumQueue();
                });
            }
            configure(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                var (host, port) = nodes.Count > 0 ? nodes[0] : (settings.Host, settings.Port);
                cfg.Host(host, port, settings.VirtualHost, h =>
                {
                    h.Username(settings.Username);
                    h.Password(settings.Password);
                    h.PublisherConfirmation = true;
                    if (nodes.Count > 1)
                    {
                        h.UseCluster(c =>
                        {
                            foreach (var (nodeHost, nodePort) in nodes) c.Node($"{nodeHost}:{nodePort}");
                        });
                    }
                });
                cfg.ConfigureEndpoints(context);
            });
        });
        return services;
    }
}
