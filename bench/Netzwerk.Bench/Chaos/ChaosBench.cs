using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;

namespace Netzwerk.Bench.Chaos;

/// <summary>
/// Complete referral lifecycles through a cluster (two app instances, three RabbitMQ nodes with quorum queues, one
/// PostgreSQL; started by deploy/chaos.sh) while a schedule SIGKILLs app instances, SIGKILLs and restarts the RabbitMQ
/// node that leads the feedback queue and restarts PostgreSQL like after a crash. Clients behave like a load balancer
/// with retries: a request that failed before reaching an instance goes to the other one; a request whose answer was
/// lost is repeated (partner answers with the same Idempotency-Key; a transition that went through the first time then
/// answers 409, which counts as done). A tenth of the referrals wait for their reminder first, on a fast clock: the
/// reminder's durable deadline is pulled forward to now. Afterwards every lifecycle is checked in the database, every
/// mail in the SMTP server's folder and every queue in the broker.
/// Arguments: --lifecycles N (default 1000), --clients N (default 12), --fault-interval S (default 10),
/// --instances N (default: all), --no-faults (for the throughput comparison of one and two instances).
/// </summary>
public static class ChaosBench
{
    private static readonly Guid Service = Netzwerk.Directory.Demo.DemoCatalogue.Services.InsolvencyCounsellingKamenz;
    private static readonly string[] FeedbackKinds = ["accepted", "attendance", "outcome"];

    public static async Task RunAsync(string[] args)
    {
        var lifecycles = Arg(args, "--lifecycles", 1000);
        var clients = Arg(args, "--clients", 12);
        var faultInterval = Arg(args, "--fault-interval", 10);
        var noFaults = args.Contains("--no-faults");
        var apps = Env("NZ_CHAOS_APPS").Split(',').Select(a => new Uri(a)).ToArray();
        apps = apps.Take(Arg(args, "--instances", apps.Length)).ToArray();
        var pg = Env("ConnectionStrings__Netzwerk");
        var brokers = Env("NZ_CHAOS_RMQ").Split(',');
        var management = Env("NZ_CHAOS_RMQ_MANAGEMENT").Split(',').Select(int.Parse).ToArray();

        var client = new FailoverClient(apps);
        var fm = await TokenAsync(client, "fm.mueller");
        var partner = await TokenAsync(client, "partner.schuldner");
        var done = new ConcurrentBag<Guid>();
        var errors = new ConcurrentDictionary<string, int>();
        var reminded = 0;
        var next = 0;
        var clock = Stopwatch.StartNew();
        using var stopFaults = new CancellationTokenSource();
        var faults = new Faults(Env("NZ_CHAOS_DIR"), apps, brokers, management, Env("NETZWERK_PG_RESTART"));
        var faultLoop = noFaults ? Task.CompletedTask : faults.RunAsync(TimeSpan.FromSeconds(faultInterval), stopFaults.Token);
        var progress = Task.Run(async () =>
        {
            while (!stopFaults.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(15), stopFaults.Token).ContinueWith(_ => { });
                Console.WriteLine($"  {clock.Elapsed.TotalSeconds:0}s: {done.Count} lifecycles, {faults.Summary}");
            }
        });

        var workers = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) <= lifecycles)
            {
                try
                {
                    var id = await LifecycleAsync(client, pg, fm, partner, waitForReminder: i % 10 == 0);
                    if (i % 10 == 0) Interlocked.Increment(ref reminded);
                    done.Add(id);
                }
                catch (Exception e)
                {
                    var message = e.Message.Length > 160 ? e.Message[..160] : e.Message;
                    errors.AddOrUpdate(message, 1, (_, n) => n + 1);
                }
            }
        })).ToList();
        await Task.WhenAll(workers);
        var driven = clock.Elapsed.TotalSeconds;
        await stopFaults.CancelAsync();
        await faultLoop;   // a broker node that was down is started again before the checks
        await progress;
        Console.WriteLine($"driven: {done.Count} of {lifecycles} lifecycles in {driven:0} s with {clients} clients on {apps.Length} instance(s) " +
                          $"= {done.Count / driven:0.0}/s; {faults.Summary}");
        foreach (var (message, count) in errors) Console.WriteLine($"  errors: {count} × {message}");

        // Settle: everything acknowledged must arrive — outbox rows published, mails sent, inbox items written.
        var ids = done.ToArray();
        var settle = Stopwatch.StartNew();
        Checks checks;
        while (true)
        {
            checks = await CheckAsync(pg, ids, Env("NZ_CHAOS_MAILS"));
            if (checks.Settled || settle.Elapsed > TimeSpan.FromSeconds(240)) break;
            await Task.Delay(1000);
        }
        var deadLetters = await DeadLettersAsync(management);
        Console.WriteLine($"settled in {settle.Elapsed.TotalSeconds:0} s: {checks}");
        Console.WriteLine($"chaos lifecycles={lifecycles} completed={ids.Length} lost={checks.Lost} " +
                          $"duplicate_inbox_items={checks.DuplicateInboxItems} duplicate_mails={checks.DuplicateMails} resent_mails={checks.ResentMails} " +
                          $"max_recovery_s={client.MaxRecovery.TotalSeconds:0.0} outbox_backlog={checks.Backlog} dead_letters={deadLetters} " +
                          $"orphan_drafts={checks.OrphanDrafts} reminded={reminded} lifecycles_per_s={ids.Length / driven:0.0} app_kills={faults.AppKills} " +
                          $"broker_node_kills={faults.BrokerKills} pg_restarts={faults.PgRestarts}");
    }

    private static async Task<Guid> LifecycleAsync(FailoverClient client, string pg, string fm, string partner, bool waitForReminder)
    {
        // A draft whose answer got lost stays a draft (counted as orphan below); the client starts a new one.
        var created = await client.SendAsync(fm, "/api/referrals", new
        {
            caseReference = $"AZ-{Random.Shared.Next(100000, 999999)}", serviceId = Service, reason = "Beratungsbedarf",
            urgency = "normal", sharedCategories = new[] { "contact-data", "referral-reason" }, contactDetails = "Tel. 0000",
        }, repeatable: false);
        var id = created.GetProperty("id").GetGuid();
        await client.SendAsync(fm, $"/api/referrals/{id}/consent", new
        {
            purpose = "Vermittlung", dataCategories = new[] { "contact-data", "referral-reason" }, feedbackLevel = "outcome",
            form = "signed-paper", givenOn = DateOnly.FromDateTime(DateTime.Now),
        });
        await client.SendAsync(fm, $"/api/referrals/{id}/send", null);
        if (waitForReminder) await FastForwardReminderAsync(pg, id);
        // The appointment has just taken place: attendance may only be reported from its day on.
        await client.SendAsync(partner, $"/api/partner/referrals/{id}/accept", new { appointmentAt = DateTimeOffset.UtcNow.AddMinutes(-5) }, key: $"{id}-accept");
        await client.SendAsync(partner, $"/api/partner/referrals/{id}/attendance", new { attended = true }, key: $"{id}-attendance");
        await client.SendAsync(partner, $"/api/partner/referrals/{id}/outcome", new { reasonCode = "completed-with-result" }, key: $"{id}-outcome");
        await client.SendAsync(fm, $"/api/referrals/{id}/close", new { outcome = "completed", reasonCode = "completed-with-result" });
        return id;
    }

    /// <summary>The fast clock: the reminder falls due now; the partner answers only once it reached the inbox.</summary>
    private static async Task FastForwardReminderAsync(string pg, Guid id)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(180))
        {
            try
            {
                var pulled = await ScalarAsync(pg, """
                    UPDATE workflows.deadlines SET due_at = now()
                     WHERE owner = 'referrals' AND subject_id = @id AND kind = 'reminder' AND fired_at IS NULL AND cancelled_at IS NULL
                    RETURNING 1
                    """, id);
                var arrived = await ScalarAsync(pg, "SELECT 1 FROM referrals.inbox_items WHERE referral_id = @id AND kind = 'reminder' LIMIT 1", id);
                if (arrived is not null) return;
                _ = pulled;
            }
            catch (NpgsqlException) { } // PostgreSQL restarting: try again
            await Task.Delay(500);
        }
        throw new TimeoutException("Erinnerung kam nicht im Eingang an");
    }

    /// <param name="DuplicateMails">A second mail for the same purpose (a second access-link mail for one referral).</param>
    /// <param name="ResentMails">
    /// The same mail (same Message-ID) received twice: SMTP has no way to ask whether the server already took a message,
    /// so an instance killed between the server's acceptance and the outbox mark sends it again after the claim runs out —
    /// chosen over losing it; mail systems recognise the repeat by its Message-ID.
    /// </param>
    private sealed record Checks(int Lost, int DuplicateInboxItems, int DuplicateMails, int ResentMails, long Backlog, int MissingInboxItems,
        int NotCompleted, long MailsExpected, int MailsReceived, int MailsDistinct, int DuplicateFeedback, long OrphanDrafts)
    {
        public bool Settled => Backlog == 0 && MissingInboxItems == 0 && MailsDistinct >= MailsExpected;
    }

    private static async Task<Checks> CheckAsync(string pg, Guid[] ids, string mailFolder)
    {
        try
        {
            await using var conn = new NpgsqlConnection(pg);
            await conn.OpenAsync();
            async Task<long> Count(string sql)
            {
                await using var cmd = new NpgsqlCommand(sql, conn);
                cmd.Parameters.AddWithValue("ids", ids);
                cmd.Parameters.AddWithValue("kinds", FeedbackKinds);
                return Convert.ToInt64(await cmd.ExecuteScalarAsync() ?? 0L);
            }
            var backlog = await Count("SELECT (SELECT count(*) FROM workflows.outbox WHERE sent_at IS NULL) + (SELECT count(*) FROM platform.mail_outbox WHERE sent_at IS NULL)");
            var missing = await Count("""
                SELECT count(*) FROM unnest(@ids) AS r(id) CROSS JOIN unnest(@kinds) AS k(kind)
                 WHERE NOT EXISTS (SELECT 1 FROM referrals.inbox_items i WHERE i.referral_id = r.id AND i.kind = k.kind)
                """);
            var lostLifecycles = await Count("""
                SELECT count(*) FROM unnest(@ids) AS r(id)
                 WHERE NOT EXISTS (SELECT 1 FROM referrals.referrals x WHERE x.id = r.id AND x.status = 'completed')
                    OR EXISTS (SELECT 1 FROM unnest(@kinds) AS k(kind)
                                WHERE NOT EXISTS (SELECT 1 FROM referrals.inbox_items i WHERE i.referral_id = r.id AND i.kind = k.kind)
                                   OR NOT EXISTS (SELECT 1 FROM referrals.feedback f WHERE f.referral_id = r.id AND f.kind = k.kind))
                """);
            var notCompleted = await Count("SELECT count(*) FROM unnest(@ids) AS r(id) WHERE NOT EXISTS (SELECT 1 FROM referrals.referrals x WHERE x.id = r.id AND x.status = 'completed')");
            var duplicateInbox = await Count("""
                SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM referrals.inbox_items WHERE kind = ANY(@kinds)
                 GROUP BY referral_id, kind HAVING count(*) > 1) d
                """);
            var duplicateFeedback = await Count("""
                SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM referrals.feedback WHERE kind = ANY(@kinds)
                 GROUP BY referral_id, kind HAVING count(*) > 1) d
                """);
            var orphans = await Count("SELECT count(*) FROM referrals.referrals WHERE status = 'draft' AND id <> ALL(@ids)");
            var expectedMails = await Count("SELECT count(*) FROM platform.mail_outbox");
            // One access-link mail per sent referral: more rows than sent referrals would be a duplicate written by a
            // redelivered message (the consumer's inbox must prevent it).
            var extraMailRows = await Count("SELECT greatest(0, (SELECT count(*) FROM platform.mail_outbox) - (SELECT count(*) FROM referrals.referrals WHERE status <> 'draft'))");
            var (received, distinct) = Mails(mailFolder);
            var lostMails = (int)Math.Max(0, expectedMails - distinct);
            return new Checks((int)lostLifecycles + lostMails, (int)duplicateInbox, (int)extraMailRows, received - distinct, backlog, (int)missing,
                (int)notCompleted, expectedMails, received, distinct, (int)duplicateFeedback, orphans);
        }
        catch (NpgsqlException e)
        {
            Console.WriteLine($"  check failed ({e.Message}); again");
            return new Checks(-1, -1, -1, -1, -1, 1, -1, -1, -1, -1, -1, -1);
        }
    }

    /// <summary>Mails received by the SMTP server: all, and distinct by Message-ID (a resend keeps the id).</summary>
    private static (int Received, int Distinct) Mails(string folder)
    {
        var ids = new List<string>();
        foreach (var file in System.IO.Directory.EnumerateFiles(folder, "*.json"))
        {
            var raw = JsonDocument.Parse(File.ReadAllText(file)).RootElement.GetProperty("raw").GetString() ?? "";
            var match = Regex.Match(raw, @"^Message-I[Dd]:\s*<?([^>\r\n]+)>?", RegexOptions.Multiline | RegexOptions.IgnoreCase);
            ids.Add(match.Success ? match.Groups[1].Value : file);
        }
        return (ids.Count, ids.Distinct().Count());
    }

    private static async Task<long> DeadLettersAsync(int[] managementPorts)
    {
        foreach (var port in managementPorts)
        {
            try
            {
                using var http = Management(port);
                var queues = await http.GetFromJsonAsync<JsonElement>("queues/%2F?columns=name,messages");
                return queues.EnumerateArray()
                    .Where(q => q.GetProperty("name").GetString()!.EndsWith("_error", StringComparison.Ordinal))
                    .Sum(q => q.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0);
            }
            catch (HttpRequestException) { }
        }
        return -1;
    }

    internal static HttpClient Management(int port)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/api/"), Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("netzwerk:netzwerk")));
        return http;
    }

    private static async Task<object?> ScalarAsync(string pg, string sql, Guid id)
    {
        await using var conn = new NpgsqlConnection(pg);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddWithValue("id", id);
        return await cmd.ExecuteScalarAsync();
    }

    private static async Task<string> TokenAsync(FailoverClient client, string user) =>
        (await client.SendAsync(null, "/api/demo/token", new { user })).GetProperty("access_token").GetString()!;

    private static string Env(string name) => Environment.GetEnvironmentVariable(name)
        ?? throw new InvalidOperationException($"{name} fehlt (deploy/bench.sh chaos setzt es).");

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
    }

    /// <summary>
    /// What a load balancer with retries does: an instance that refuses the connection is skipped at once; a request
    /// whose answer was lost (reset, timeout, 502–504, 500) is repeated when it may be — the create is not, since a
    /// second draft would be a second referral.
    /// </summary>
    private sealed class FailoverClient(Uri[] apps)
    {
        private readonly HttpClient _http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2), PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        private int _next;
        private long _maxRecoveryTicks;

        public TimeSpan MaxRecovery => TimeSpan.FromTicks(Interlocked.Read(ref _maxRecoveryTicks));

        public async Task<JsonElement> SendAsync(string? token, string path, object? body, string? key = null, bool repeatable = true)
        {
            var started = Stopwatch.StartNew();
            TimeSpan? firstFailure = null;
            var attempts = 0;
            while (true)
            {
                var app = apps[(int)((uint)Interlocked.Increment(ref _next) % apps.Length)];
                attempts++;
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(app, path)) { Content = JsonContent.Create(body ?? new { }) };
                if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                if (key is not null) request.Headers.Add("Idempotency-Key", key);
                string failure;
                try
                {
                    using var response = await _http.SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    if (response.IsSuccessStatusCode || (response.StatusCode == HttpStatusCode.Conflict && attempts > 1 && repeatable))
                    {
                        if (firstFailure is { } since) Record(started.Elapsed - since);
                        return response.IsSuccessStatusCode && text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default;
                    }
                    if ((int)response.StatusCode is not (500 or 502 or 503 or 504))
                        throw new InvalidOperationException($"{(int)response.StatusCode} {path.Split('/')[^1]}: {text}");
                    failure = $"{(int)response.StatusCode}";
                    // The app's 503 means the database was away: one transaction, nothing stored, safe to repeat.
                    if (!repeatable && response.StatusCode != HttpStatusCode.ServiceUnavailable) throw new InvalidOperationException($"{failure} {path.Split('/')[^1]} (nicht wiederholbar)");
                }
                catch (HttpRequestException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
                {
                    failure = "refused"; // never reached an instance: safe to send anywhere
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    failure = e.GetType().Name;
                    if (!repeatable) throw new InvalidOperationException($"Antwort verloren ({failure}) bei {path.Split('/')[^1]}");
                }
                firstFailure ??= started.Elapsed;
                if (started.Elapsed > TimeSpan.FromSeconds(180))
                    throw new TimeoutException($"{path.Split('/')[^1]}: 180 s ohne Antwort ({failure})");
                await Task.Delay(attempts < apps.Length ? 50 : 250);
            }
        }

        private void Record(TimeSpan recovery)
        {
            long seen;
            while (recovery.Ticks > (seen = Interlocked.Read(ref _maxRecoveryTicks))
                   && Interlocked.CompareExchange(ref _maxRecoveryTicks, recovery.Ticks, seen) != seen) { }
        }
    }

    /// <summary>The fault schedule: app kill, queue-leader node kill (restarted after 5 s), app kill, PostgreSQL restart, …</summary>
    private sealed class Faults(string dir, Uri[] apps, string[] brokers, int[] management, string pgRestart)
    {
        public int AppKills, BrokerKills, PgRestarts;
        public string Summary => $"faults: app_kills={AppKills} broker_node_kills={BrokerKills} pg_restarts={PgRestarts}";

        // A killed broker node restarts in the background while the schedule goes on; no second node is killed until it
        // is back (one at a time: two of three down is a lost majority, unavailable by design).
        private Task _brokerBack = Task.CompletedTask;

        public async Task RunAsync(TimeSpan interval, CancellationToken stop)
        {
            var schedule = new Func<Task>[] { KillAppAsync, KillQueueLeaderAsync, KillAppAsync, RestartPostgresAsync };
            for (var round = 0; !stop.IsCancellationRequested; round++)
            {
                try { await Task.Delay(interval, stop); }
                catch (OperationCanceledException) { break; }
                var fault = schedule[round % schedule.Length];
                if (fault == KillQueueLeaderAsync && !_brokerBack.IsCompleted) fault = KillAppAsync;
                try { await fault(); }
                catch (Exception e) { Console.WriteLine($"  fault failed: {e.Message}"); }
            }
            await _brokerBack;
        }

        private readonly HttpClient _probe = new() { Timeout = TimeSpan.FromSeconds(2) };

        /// <summary>
        /// Kills one instance, but only while all are serving: one process fault at a time, as with the broker nodes.
        /// (On this 2-core machine an instance needs 10–30 s to start under load; killing the survivor meanwhile would
        /// test nothing but a total outage.)
        /// </summary>
        private async Task KillAppAsync()
        {
            foreach (var app in apps)
            {
                var ready = false;
                try { ready = (await _probe.GetAsync(new Uri(app, "/health/ready"))).IsSuccessStatusCode; }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
                if (!ready)
                {
                    Console.WriteLine($"  {DateTime.Now:HH:mm:ss} fault skipped: {app.Port} is not serving yet");
                    return;
                }
            }
            var n = Random.Shared.Next(1, apps.Length + 1);
            var pid = int.Parse(File.ReadAllText(Path.Combine(dir, $"app{n}.pid")).Trim());
            Console.WriteLine($"  {DateTime.Now:HH:mm:ss} fault: SIGKILL app instance {n} (pid {pid})");
            Process.GetProcessById(pid).Kill();
            Interlocked.Increment(ref AppKills);
        }

        private async Task KillQueueLeaderAsync()
        {
            string? leader = null;
            foreach (var port in management)
            {
                try
                {
                    using var http = Management(port);
                    var queue = await http.GetFromJsonAsync<JsonElement>("queues/%2F/referrals-feedback-inbox");
                    leader = queue.TryGetProperty("leader", out var l) ? l.GetString() : queue.GetProperty("node").GetString();
                    break;
                }
                catch (HttpRequestException) { }
            }
            var index = Array.FindIndex(brokers, b => leader is not null && leader.StartsWith($"nz-{Path.GetFileName(b)}@", StringComparison.Ordinal));
            if (index < 0) throw new InvalidOperationException($"Leader der Feedback-Queue unbekannt ({leader})");
            Console.WriteLine($"  {DateTime.Now:HH:mm:ss} fault: SIGKILL RabbitMQ node {leader} (leader of referrals-feedback-inbox)");
            await RunAsync(Path.Combine(brokers[index], "rabbitmq-stop"), "--kill");
            Interlocked.Increment(ref BrokerKills);
            _brokerBack = Task.Run(async () =>
            {
                await Task.Delay(TimeSpan.FromSeconds(5));
                try
                {
                    await RunAsync(Path.Combine(brokers[index], "rabbitmq-start"));
                    Console.WriteLine($"  {DateTime.Now:HH:mm:ss} RabbitMQ node {leader} back");
                }
                catch (Exception e) { Console.WriteLine($"  RabbitMQ node {leader} did not come back: {e.Message}"); }
            });
        }

        private async Task RestartPostgresAsync()
        {
            Console.WriteLine($"  {DateTime.Now:HH:mm:ss} fault: PostgreSQL restart (immediate)");
            await RunAsync(pgRestart);
            Interlocked.Increment(ref PgRestarts);
        }

        private static async Task RunAsync(string file, params string[] args)
        {
            var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(file)}: {(await stderr).Trim()}");
        }
    }
}
