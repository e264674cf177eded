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
        services.AddSingleton(settings);
        services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            configure(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(settings.Host, settings.Port, settings.VirtualHost, h =>
                {
                    h.Username(settings.Username);
                    h.Password(settings.Password);
                    h.PublisherConfirmation = true;
                });
                cfg.ConfigureEndpoints(context);
            });
        });
        return services;
    }
}
