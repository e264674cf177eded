using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Tests.Referrals;
using Netzwerk.Workflows.Deadlines;
using Netzwerk.Workflows.Outbox;
using Npgsql;

namespace Netzwerk.Tests.Workflows;

/// <summary>
/// The generic poller with an owner of its own (not the referrals module): a recurring timer whose firing schedules its
/// next round in the same transaction, each round published once under the deadline's id.
/// </summary>
public sealed class DeadlinePollerTests(DeadlinePollerTests.WeeklyApp app) : IClassFixture<DeadlinePollerTests.WeeklyApp>
{
    public sealed record WeekPassed(Guid SubjectId, DateTimeOffset DueAt);

    private sealed class Weekly : IDeadlineOwner
    {
        public string Owner => "test-weekly";

        public Task<IReadOnlyList<DeadlineDecision>> DecideAsync(IReadOnlyList<DueDeadline> due, NpgsqlConnection connection,
            NpgsqlTransaction transaction, DateTimeOffset now, CancellationToken ct)
            => Task.FromResult<IReadOnlyList<DeadlineDecision>>(due.Select(d =>
                DeadlineDecision.Fire(d, new WeekPassed(d.SubjectId, d.DueAt), new NewDeadline(d.Kind, d.DueAt.AddDays(7)))).ToList());
    }

    public sealed class WeeklyApp : ReferralTestApp
    {
        protected override void ConfigureTestServices(IServiceCollection services)
        {
            base.ConfigureTestServices(services);
            services.AddSingleton<IDeadlineOwner, Weekly>();
            services.AddMessageContracts([typeof(WeekPassed)]);
        }
    }

    private Task<long> CountAsync(Guid subject, string condition)
        => app.CountAsync($"SELECT count(*) FROM workflows.deadlines WHERE owner = 'test-weekly' AND subject_id = '{subject}' AND {condition}");

    [Fact]
    public async Task A_recurring_timer_schedules_its_next_round_when_it_fires_and_each_round_is_published_once()
    {
        var subject = Guid.NewGuid();
        var start = app.Clock.GetUtcNow().AddMinutes(-1);
        await using (var db = await app.OpenDatabaseAsync())
            await DeadlineWriter.ScheduleAsync(db, null, "test-weekly", subject, new NewDeadline("progress-report", start), CancellationToken.None);
        var poller = app.Services.GetRequiredService<DeadlinePoller>();

        await Task.WhenAll(poller.FireDueAsync(CancellationToken.None), poller.FireDueAsync(CancellationToken.None));
        await Eventually.UntilAsync(() => CountAsync(subject, "fired_at IS NOT NULL"), n => n == 1);
        (await CountAsync(subject, "fired_at IS NULL AND cancelled_at IS NULL")).ShouldBe(1); // the next round, a week on
        (await app.CountAsync($"""
            SELECT count(*) FROM workflows.outbox o JOIN workflows.deadlines d ON d.id = o.id
            WHERE d.subject_id = '{subject}' AND o.message_type = '{MessageContracts.NameOf(typeof(WeekPassed))}'
            """)).ShouldBe(1);

        app.Clock.Advance(TimeSpan.FromDays(7));
        await poller.FireDueAsync(CancellationToken.None);
        await Eventually.UntilAsync(() => CountAsync(subject, "fired_at IS NOT NULL"), n => n == 2);
        (await CountAsync(subject, "fired_at IS NULL AND cancelled_at IS NULL")).ShouldBe(1);
        (await app.CountAsync($"SELECT count(*) FROM workflows.outbox o JOIN workflows.deadlines d ON d.id = o.id WHERE d.subject_id = '{subject}'"))
            .ShouldBe(2);
    }
}
