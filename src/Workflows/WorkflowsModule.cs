using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Database;
using Netzwerk.Platform.Retention;
using Netzwerk.Workflows.DeadLetters;
using Netzwerk.Workflows.Deadlines;
using Netzwerk.Workflows.Outbox;

namespace Netzwerk.Workflows;

/// <summary>The referral workflow: state machine, message contracts, deadlines, outbox and inbox.</summary>
public static class WorkflowsModule
{
    public static IServiceCollection AddWorkflows(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMigrations("workflows", typeof(WorkflowsModule).Assembly, order: 30);
        services.AddSingleton<ReferralStateMachine>();
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

    public static void AddWorkflowConsumers(this IBusRegistrationConfigurator bus)
    {
    }
}
