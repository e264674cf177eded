using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Database;
using Netzwerk.Platform.Retention;
using Netzwerk.Workflows.DeadLetters;
using Netzwerk.Workflows.Deadlines;
using Netzwerk.Workflows.Outbox;

namespace Netzwerk.Workflows;

/// <summary>
/// Generic messaging: the outbox and its dispatcher, durable deadlines and their poller, the consumer frame, dead letters.
/// It knows no feature: modules register their message contracts (<see cref="MessageContractsRegistration.AddMessageContracts"/>)
/// and the deadlines they own (<see cref="IDeadlineOwner"/>).
/// </summary>
public static class WorkflowsModule
{
    public static IServiceCollection AddWorkflows(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMigrations("workflows", typeof(WorkflowsModule).Assembly, order: 30);
        services.AddSingleton<MessageContracts>();
        services.AddSingleton(configuration.GetSection("Workflows:Outbox").Get<OutboxSettings>() ?? new OutboxSettings());
        services.AddSingleton(configuration.GetSection("Workflows:Deadlines").Get<DeadlineSettings>() ?? new DeadlineSettings());
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        services.AddSingleton<DeadlinePoller>();
        services.AddHostedService(sp => sp.GetRequiredService<DeadlinePoller>());
        services.AddSingleton<DeadLetterQueues>();
        services.AddSingleton<WorkflowMetrics>();
        services.AddHostedService(sp => sp.GetRequiredService<WorkflowMetrics>());
        services.AddScoped<IRetentionTask, MessageLogRetention>();
        return services;
    }
}
