using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Netzwerk.Platform;
using Netzwerk.Platform.Database;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Consents;
using Netzwerk.Referrals.Create;
using Netzwerk.Referrals.Inbox;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Referrals.Partner;
using Netzwerk.Referrals.PartnerLinks;
using Netzwerk.Referrals.Routes;
using Netzwerk.Referrals.Send;
using Netzwerk.Referrals.Suggestions;
using Netzwerk.Referrals.View;
using Netzwerk.Workflows.DeadLetters;
using Netzwerk.Workflows.Deadlines;
using Netzwerk.Workflows.Outbox;
using Netzwerk.Referrals.Lifecycle.Contracts;
using Microsoft.AspNetCore.Http;
using Netzwerk.Platform.Retention;
using Npgsql;

namespace Netzwerk.Referrals;

/// <summary>Referrals, consents, the partner's inbox and the Fallmanager's feedback inbox.</summary>
public static class ReferralsModule
{
    public static IServiceCollection AddReferrals(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMigrations("referrals", typeof(ReferralsModule).Assembly, order: 20);
        services.AddDbContextPool<ReferralsDb>((sp, o) => o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>())
            // A failed save reaches its caller as an exception (a 409, a retried message, or a logged server error). EF's own
            // error line would only repeat it — and a redelivered message meeting its claimed id is expected, not an error.
            .ConfigureWarnings(w => w.Log((CoreEventId.SaveChangesFailed, LogLevel.Debug))));
        services.AddSingleton<ReferralStateMachine>();
        // What the lifecycle publishes (every message record of its contracts namespace) and the deadlines it owns.
        services.AddMessageContracts(typeof(ReferralRequested).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(ReferralRequested).Namespace && t is { IsPublic: true, IsClass: true, IsAbstract: false }));
        services.AddSingleton<IDeadlineOwner, ReferralDeadlines>();
        services.AddScoped<ReferralWorkflow>();
        services.AddScoped<ReferralAccess>();
        services.AddSingleton<RouteVersions>();
        services.AddSingleton<FeedbackInboxWriter>();
        services.AddSingleton<IStartupTask, DefaultRoutesSeeder>();

        // Handlers: callable from the API endpoints and from Razor PageModels alike (they take a ClaimsPrincipal).
        services.AddScoped<CreateReferral.Handler>();
        services.AddScoped<RecordConsent.Handler>();
        services.AddScoped<SendReferral.Handler>();
        services.AddScoped<ApproveReferral.Handler>();
        services.AddScoped<CaseManagerActions.Handler>();
        services.AddScoped<ReferralQueries.Queries>();
        services.AddScoped<PartnerReferrals.Queries>();
        services.AddScoped<PartnerReferrals.Responses>();
        services.AddScoped<RevokeConsent.Handler>();
        services.AddScoped<ConsentTexts.Store>();
        services.AddScoped<ConsentDeclaration.Builder>();
        services.AddScoped<Guardianships.Handler>();
        services.AddScoped<ConsentOverview.Queries>();
        services.AddSingleton<IStartupTask, ConsentTexts.Seeder>();
        services.AddScoped<FeedbackInbox.Queries>();
        services.AddScoped<UnreadNotice.Store>();
        services.AddSingleton(configuration.GetSection("UnreadNotice").Get<UnreadNoticeSettings>() ?? new UnreadNoticeSettings());
        services.AddSingleton<UnreadNoticeSender>();
        services.AddHostedService(sp => sp.GetRequiredService<UnreadNoticeSender>());
        services.AddScoped<SuggestPartners.Queries>();
        services.AddScoped<Figures.FiguresReports>();
        services.AddScoped<IDemoDataSeeder, Demo.DemoReferralsSeeder>();
        services.AddScoped<IRetentionTask, Retention.ReferralRetention>();
        services.AddPartnerLinks(configuration);
        services.AddSingleton(configuration.GetSection("PartnerPrompts").Get<Prompts.PartnerPromptSettings>() ?? new Prompts.PartnerPromptSettings());
        services.AddSingleton<Prompts.PartnerPrompts>();
        services.AddSingleton<Prompts.PartnerMailFailover>();
        services.AddSingleton<Prompts.PartnerDigests>();
        services.AddHostedService(sp => sp.GetRequiredService<Prompts.PartnerDigests>());
        services.AddSingleton<Netzwerk.Platform.Mail.IMailFailureObserver, Prompts.PartnerUnreachable>();

        return services;
    }

    public static void AddReferralConsumers(this IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ConsentExpiryConsumer, ConsentExpiryConsumerDefinition>();
        bus.AddConsumer<FeedbackInboxConsumer, FeedbackInboxConsumerDefinition>();
        bus.AddPartnerLinkConsumers();
    }

    public static IEndpointRouteBuilder MapReferrals(this IEndpointRouteBuilder app)
    {
        var referrals = app.MapGroup("/api/referrals").WithTags("Verweisungen")
            .RequireAuthorization(Policies.CaseWork).AddEndpointFilter<ReferralProblemFilter>();
        CreateReferral.Map(referrals);
        ReferralQueries.Map(referrals);
        RecordConsent.Map(referrals);
        SendReferral.Map(referrals);
        ApproveReferral.Map(referrals);
        CaseManagerActions.Map(referrals);
        SuggestPartners.Map(referrals);
        Guardianships.Map(referrals);
        ConsentOverview.Map(referrals);
        RevokeConsent.Map(app);
        ConsentTexts.Map(app);
        Prompts.PromptTemplates.Map(app);
        Prompts.PartnerDigests.Map(app);
        PartnerReferrals.Map(app);
        FeedbackInbox.Map(app);
        UnreadNotice.Map(app);
        RouteCatalogue.Map(app);
        MoveToVersion.Map(app);
        app.MapDeadLetters();
        app.MapAccessLinks();
        return app;
    }
}
