using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Database;

namespace Netzwerk.Workflows;

/// <summary>The referral workflow: state machine, message contracts, deadlines, outbox and inbox.</summary>
public static class WorkflowsModule
{
    public static IServiceCollection AddWorkflows(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMigrations("workflows", typeof(WorkflowsModule).Assembly, order: 30);
        return services;
    }

    public static void AddWorkflowConsumers(this IBusRegistrationConfigurator bus)
    {
    }
}
