using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MimeKit;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Lifecycle;
using Npgsql;
using static Netzwerk.Bench.Referrals.ReferralBench;

namespace Netzwerk.Bench.Loop;

/// <summary>
/// Issue 16's bar: does every referral come back by itself? N referrals (default 1,000) are sent on a route that prompts
/// the partner by e-mail (reminder on the 3rd working day, overdue notice on the 5th, escalation on the 10th). Each
/// simulated partner answers at a random moment within 16 days, or never (a fifth of them). The app's clock is a
/// <see cref="BenchClock"/> the benchmark moves an hour at a time, waiting after each step until the deadlines due by then
/// have fired; the partners whose moment has come answer through the API. Real PostgreSQL, RabbitMQ and an SMTP sink that
/// keeps every mail's recipient and subject (each names the referral's neutral reference and the kind of mail).
/// Afterwards, from the database: how each referral came back (answered in time, after a reminder or the overdue notice,
/// escalated), how many are silent (neither answered nor prompted nor escalated — must be 0), and from the sink: mails seen
/// more than once for the same (recipient, subject) = (referral, kind, occurrence) (must be 0), and mails missing against
/// the prompt log. Last line: <c>loop referrals=… answered_in_time=… after_reminder=… escalated=… silent=0 duplicate_mails=0</c>.
/// Arguments: --referrals N (1000), --never-percent N (20), --days N (16: the partners' answers spread over them),
/// --clients N (8: parallel API callers), --restarts N (2: the app is stopped and started again N times on the way, on
/// the same database and virtual host), --seed N.
/// </summary>
public static class LoopBench
{
    private static readonly Guid Service = Netzwerk.Directory.Demo.DemoCatalogue.Services.InsolvencyCounsellingKamenz; // route schuldnerberatung

    public static async Task RunAsync(string[] args)
    {
        var count = Arg(args, "--referrals", 1000);
        var neverPercent = Arg(args, "--never-percent", 20);
        var days = Arg(args, "--days", 16);
        var clients = Arg(args, "--clients", 8);
        var restarts = Arg(args, "--restarts", 2);
        var random = new Random(Arg(args, "--seed", 16));
        var pg = Environment.GetEnvironmentVariable("ConnectionStrings__Netzwerk")
                 ?? throw new InvalidOperationException("ConnectionStrings__Netzwerk fehlt (deploy/bench.sh setzt es).");
        var rabbit = new Rabbit();
        var database = $"nz_bench_{Guid.NewGuid():N}"[..24];
        var vhost = $"nz-bench-{Guid.NewGuid():N}";
        await ExecuteAsync(pg, "postgres", $"CREATE DATABASE \"{database}\" TEMPLATE template1");
        await rabbit.CreateVirtualHostAsync(vhost);
        var mails = new ConcurrentBag<(string To, string Subject, string MessageId)>();
        var watch = Stopwatch.StartNew();
        try
        {
            using var smtp = new SmtpSink(text =>
            {
                var message = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(text)));
                mails.Add((string.Join(",", message.To.Mailboxes.Select(m => m.Address)), message.Subject ?? "", message.MessageId ?? ""));
            });
            var clock = new BenchClock(DateTimeOffset.UtcNow);
            var connectionString = new NpgsqlConnectionStringBuilder(pg) { Database = database }.ConnectionString;
            var app = LoopApp(connectionString, vhost, smtp.Port, clock);
            app.Start();
            var http = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromSeconds(60) };
            try
            {
                // Tokens before the clock moves: they are checked against the real time.
                var coordinator = await TokenAsync(http, "nk.hoffmann");
                var fm = await TokenAsync(http, "fm.mueller");
                var partner = await TokenAsync(http, "partner.schuldner");
                await SendAsync(http, HttpMethod.Put, coordinator, "/api/routes/schuldnerberatung", new
                {
                    name = "Schuldnerberatung (Benchmark: E-Mail-Erinnerungen)",
                    steps = new object[]
                    {
                        new { kind = "consent", requiredCategories = new[] { "contact-data", "referral-reason" }, defaultFeedbackLevel = "attendance" },
                        new { kind = "response", responseWorkingDays = 5, reminderWorkingDays = new[] { 3 }, escalationWorkingDays = 10, escalationTarget = "Teamleitung" },
                        new { kind = "partner-prompts", reminder = true, overdue = true, attendance = false, endNotice = false },
                    },
                });

                // 1. Send them all at the start of the simulated time.
                var start = clock.GetUtcNow();
                var ids = new ConcurrentBag<Guid>();
                await ParallelAsync(Enumerable.Range(0, count), clients, async _ =>
                {
                    var id = (await SendAsync(http, HttpMethod.Post, fm, "/api/referrals", new
                    {
                        caseReference = $"AZ-{Random.Shared.Next(100000, 999999)}", serviceId = Service, reason = "Beratungsbedarf", urgency = "normal",
                        sharedCategories = new[] { "contact-data", "referral-reason" }, contactDetails = "Tel. 0000",
                    })).GetProperty("id").GetGuid();
                    await SendAsync(http, HttpMethod.Post, fm, $"/api/referrals/{id}/consent", new
                    {
                        purpose = "Vermittlung", dataCategories = new[] { "contact-data", "referral-reason" }, feedbackLevel = "attendance",
                        form = "signed-paper", givenOn = clock.Today(),
                    });
                    await SendAsync(http, HttpMethod.Post, fm, $"/api/referrals/{id}/send", null);
                    ids.Add(id);
                });
                Console.WriteLine($"sent {count} referrals in {watch.Elapsed.TotalSeconds:0} s");

                // 2. Each partner's moment (or never), in simulated time.
                var answersAt = ids.OrderBy(id => id).ToDictionary(id => id, _ => random.Next(100) < neverPercent
                    ? (DateTimeOffset?)null : start + TimeSpan.FromMinutes(random.NextDouble() * days * 24 * 60));
                var pending = new SortedSet<(DateTimeOffset At, Guid Id)>(answersAt.Where(a => a.Value is not null).Select(a => (a.Value!.Value, a.Key)));

                // 3. Move the clock an hour at a time until every escalation has fired and every partner had their moment.
                var simulated = Stopwatch.StartNew();
                var steps = 0;
                while (true)
                {
                    clock.Advance(TimeSpan.FromHours(1));
                    steps++;
                    // A restart on the way (a deploy): mails in flight, deadlines due, messages in the broker must neither
                    // be lost nor go out twice. The new app works on the same database and virtual host.
                    if (restarts > 0 && steps % (days * 24 / (restarts + 1)) == 0 && steps < days * 24)
                    {
                        http.Dispose();
                        await app.DisposeAsync();
                        app = LoopApp(connectionString, vhost, smtp.Port, clock);
                        app.Start();
                        http = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromSeconds(60) };
                        Console.WriteLine($"  day {steps / 24.0:0.0}: app restarted");
                    }
                    var now = clock.GetUtcNow();
                    await DeadlinesFiredAsync(connectionString, now);
                    var due = pending.TakeWhile(p => p.At <= now).ToList();
                    foreach (var p in due) pending.Remove(p);
                    await ParallelAsync(due, clients, async p =>
                        await SendAsync(http, HttpMethod.Post, partner, $"/api/partner/referrals/{p.Id}/accept", new { appointmentAt = (DateTimeOffset?)null }));
                    if (pending.Count == 0 && !await AnyOpenResponseDeadlineAsync(connectionString)) break;
                    if (steps % 48 == 0)
                        Console.WriteLine($"  day {steps / 24}: {answersAt.Count - pending.Count - answersAt.Count(a => a.Value is null)} answered");
                    if (steps > 24 * 60) throw new InvalidOperationException("Nach 60 simulierten Tagen sind noch Fristen offen.");
                }
                Console.WriteLine($"simulated {steps} h ({steps / 24.0:0.0} days) in {simulated.Elapsed.TotalSeconds:0} s");

                // 4. Every queued mail out, and at the sink.
                var expected = await ScalarAsync(connectionString, """
                    SELECT (SELECT count(*) FROM referrals.partner_access_links WHERE purpose = 'referral')
                         + (SELECT count(*) FROM referrals.partner_prompts WHERE outcome = 'queued')
                    """);
                var drained = Stopwatch.StartNew();
                while (drained.Elapsed < TimeSpan.FromMinutes(5)
                       && (await ScalarAsync(connectionString, "SELECT count(*) FROM platform.mail_outbox WHERE sent_at IS NULL") > 0 || mails.Count < expected))
                    await Task.Delay(500);
                await Task.Delay(2000); // anything sent twice would arrive now

                var seen = mails.ToList();
                var duplicates = seen.Count - seen.Select(m => (m.To, m.Subject)).Distinct().Count();
                var outcome = await OutcomeAsync(connectionString);
                Console.WriteLine($"mails at the sink: {seen.Count} (expected from the access-link and prompt logs: {expected}; missing {Math.Max(0, expected - seen.Count)}), "
                                  + $"by kind: {string.Join(", ", seen.GroupBy(m => Kind(m.Subject)).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"))}");
                Console.WriteLine($"partners who never answered: {answersAt.Count(a => a.Value is null)}; answered after the deadline, before the escalation: {outcome.Late} "
                                  + $"(counted in after_reminder: they had the reminder and the overdue notice); answered after the escalation: {outcome.AnsweredAfterEscalation}");
                Console.WriteLine($"wall time {watch.Elapsed.TotalSeconds:0} s");
                Console.WriteLine($"loop referrals={outcome.Referrals} answered_in_time={outcome.InTime} after_reminder={outcome.AfterReminder} "
                                  + $"escalated={outcome.Escalated} silent={outcome.Silent} duplicate_mails={duplicates}");
            }
            finally
            {
                http.Dispose();
                await app.DisposeAsync();
            }
        }
        finally
        {
            await BenchDatabase.DropAsync(pg, database);
            await rabbit.DeleteVirtualHostAsync(vhost);
        }
    }

    private static string Kind(string subject) => subject.IndexOf("NZ-", StringComparison.Ordinal) is var i and > 0
        ? subject[..i].Replace("Referenz", "").Trim(' ', '(', ':') : subject;

    private sealed record Outcome(long Referrals, long InTime, long AfterReminder, long Escalated, long Silent, long Late, long AnsweredAfterEscalation);

    /// <summary>
    /// How each sent referral came back, from the lifecycle's own records: its first answer (history), its deadlines (fired or
    /// not) and its prompt log. Escalated counts every referral whose escalation fired (answered afterwards or never).
    /// </summary>
    private static async Task<Outcome> OutcomeAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"""
            WITH r AS (
                SELECT r.id,
                       (SELECT min(h.at) FROM referrals.history h WHERE h.referral_id = r.id AND h.event IN
                            ('{ReferralStateMachine.EventNames.PartnerAccepted}', '{ReferralStateMachine.EventNames.PartnerDeclined}',
                             '{ReferralStateMachine.EventNames.PartnerWaitlisted}', '{ReferralStateMachine.EventNames.PartnerProposedForwarding}')) AS answered,
                       d.reminded, d.due, d.escalated,
                       EXISTS (SELECT 1 FROM referrals.partner_prompts p WHERE p.referral_id = r.id AND p.outcome = 'queued') AS prompted
                FROM referrals.referrals r
                CROSS JOIN LATERAL (
                    SELECT min(dl.fired_at) FILTER (WHERE dl.kind = '{DeadlineKinds.Reminder}') AS reminded,
                           min(dl.due_at) FILTER (WHERE dl.kind = '{DeadlineKinds.PartnerResponse}') AS due,
                           min(dl.fired_at) FILTER (WHERE dl.kind = '{DeadlineKinds.Escalation}') AS escalated
                    FROM workflows.deadlines dl WHERE dl.owner = 'referrals' AND dl.subject_id = r.id) d
                WHERE r.sent_at IS NOT NULL)
            SELECT count(*),
                   count(*) FILTER (WHERE answered IS NOT NULL AND escalated IS NULL AND reminded IS NULL),
                   count(*) FILTER (WHERE answered IS NOT NULL AND escalated IS NULL AND reminded IS NOT NULL),
                   count(*) FILTER (WHERE escalated IS NOT NULL),
                   count(*) FILTER (WHERE answered IS NULL AND escalated IS NULL AND NOT prompted),
                   count(*) FILTER (WHERE answered IS NOT NULL AND escalated IS NULL AND answered > due),
                   count(*) FILTER (WHERE answered IS NOT NULL AND escalated IS NOT NULL)
            FROM r
            """, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new Outcome(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
            reader.GetInt64(5), reader.GetInt64(6));
    }

    /// <summary>Waits until no deadline due by <paramref name="now"/> is left unfired (the app's poller fires them).</summary>
    private static async Task DeadlinesFiredAsync(string connectionString, DateTimeOffset now)
    {
        var waited = Stopwatch.StartNew();
        while (await ScalarAsync(connectionString,
                   "SELECT count(*) FROM workflows.deadlines WHERE owner = 'referrals' AND fired_at IS NULL AND cancelled_at IS NULL AND due_at <= $1", now) > 0)
        {
            if (waited.Elapsed > TimeSpan.FromMinutes(2)) throw new InvalidOperationException("Fällige Fristen werden nicht ausgelöst.");
            await Task.Delay(50);
        }
    }

    private static async Task<bool> AnyOpenResponseDeadlineAsync(string connectionString) => await ScalarAsync(connectionString, $"""
        SELECT count(*) FROM workflows.deadlines
        WHERE owner = 'referrals' AND fired_at IS NULL AND cancelled_at IS NULL AND kind IN ('{DeadlineKinds.Reminder}', '{DeadlineKinds.PartnerResponse}', '{DeadlineKinds.Escalation}')
        """) > 0;

    private static async Task<long> ScalarAsync(string connectionString, string sql, params object[] args)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    private static Task ParallelAsync<T>(IEnumerable<T> items, int degree, Func<T, Task> body)
        => Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = degree }, async (item, _) => await body(item));

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpMethod method, string token, string url, object? body)
    {
        using var request = new HttpRequestMessage(method, url) { Content = JsonContent.Create(body ?? new { }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{(int)response.StatusCode} {url}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The app's clock, moved by the benchmark (timers and delays still run on the real clock).</summary>
    private sealed class BenchClock(DateTimeOffset start) : TimeProvider
    {
        private long _ticks = start.UtcTicks;
        public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
        public override TimeZoneInfo LocalTimeZone => GermanTime.Berlin;
    }

    /// <summary>The referral benchmark's app with the bench's clock, fast deadline and outbox polls, no per-address mail limit.</summary>
    private static BenchApp LoopApp(string connectionString, string vhost, int smtpPort, BenchClock clock) =>
        new(connectionString, vhost, smtpPort, builder =>
        {
            builder.UseSetting("Workflows:Deadlines:PollInterval", "00:00:00.050");
            builder.UseSetting("Workflows:Outbox:PollInterval", "00:00:00.200");
            // All referrals go to one partner address: the per-address limit would hold the mails for real hours.
            builder.UseSetting("PartnerPrompts:PerRecipientPerHour", "1000000");
            builder.ConfigureTestServices(services =>
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(clock);
            });
        });
}
