using System.Diagnostics;
using System.Net.Http.Headers;
using Netzwerk.Bench.Referrals;
using Npgsql;

namespace Netzwerk.Bench.Figures;

/// <summary>
/// Figures over a million referrals: the app on Kestrel with a fresh database, then two years of referrals generated in
/// PostgreSQL (generate_series: referrals, the partners' answers in history and feedback, closings), their fact rows
/// computed by the same function the lifecycle calls (referrals.refresh_referral_facts), then a mixed set of figure
/// requests over HTTP — periods, breakdowns, filters, the three scopes, exports — timed one after the other.
/// Arguments: --referrals N (default 1000000), --requests N (default 200), --warmup N (default 20).
/// </summary>
public static class FiguresBench
{
    public static async Task RunAsync(string[] args)
    {
        var count = ReferralBench.Arg(args, "--referrals", 1_000_000);
        var requests = ReferralBench.Arg(args, "--requests", 200);
        var warmup = ReferralBench.Arg(args, "--warmup", 20);
        var pg = Environment.GetEnvironmentVariable("ConnectionStrings__Netzwerk")
                 ?? throw new InvalidOperationException("ConnectionStrings__Netzwerk fehlt (deploy/bench.sh setzt es).");
        var rabbit = new ReferralBench.Rabbit();
        var database = $"nz_bench_{Guid.NewGuid():N}"[..24];
        var vhost = $"nz-bench-{Guid.NewGuid():N}";
        await ReferralBench.ExecuteAsync(pg, "postgres", $"CREATE DATABASE \"{database}\" TEMPLATE template1");
        await rabbit.CreateVirtualHostAsync(vhost);
        try
        {
            using var smtp = new ReferralBench.SmtpSink();
            var cs = new NpgsqlConnectionStringBuilder(pg) { Database = database, CommandTimeout = 0 }.ConnectionString;
            await using var app = new ReferralBench.BenchApp(cs, vhost, smtp.Port);
            app.Start();
            using var http = new HttpClient { BaseAddress = app.Address, Timeout = TimeSpan.FromMinutes(2) };
            var tokens = new Dictionary<string, string>();
            foreach (var user in new[] { "nk.hoffmann", "fm.mueller", "partner.schuldner" }) tokens[user] = await ReferralBench.TokenAsync(http, user);

            var clock = Stopwatch.StartNew();
            await GenerateAsync(cs, count);
            Console.WriteLine($"generated {count} referrals with history, feedback and fact rows in {clock.Elapsed.TotalSeconds:0} s");

            var (kinds, districts) = await DimensionsAsync(cs);
            var rng = new Random(18);
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            string Quarter() { var d = today.AddDays(-rng.Next(0, 720)); return $"{d.Year}-Q{(d.Month - 1) / 3 + 1}"; }
            string Month() { var d = today.AddDays(-rng.Next(0, 720)); return $"{d:yyyy-MM}"; }
            (string User, string Url) Next() => rng.Next(100) switch
            {
                < 35 => ("nk.hoffmann", $"/api/figures?period={Quarter()}&by=kind"),
                < 50 => ("nk.hoffmann", $"/api/figures?period={Month()}&by=partner"),
                < 62 => ("nk.hoffmann", $"/api/figures?period={Quarter()}&kind={kinds[rng.Next(kinds.Length)]}&by=district"),
                < 72 => ("nk.hoffmann", $"/api/figures?period={Quarter()}&district={Uri.EscapeDataString(districts[rng.Next(districts.Length)])}&by=service"),
                < 80 => ("nk.hoffmann", $"/api/figures/csv?period={Month()}&by=team&table=breakdown"),
                < 90 => ("fm.mueller", $"/api/figures?period={Quarter()}&by=kind"),
                _ => ("partner.schuldner", $"/api/figures?period={Quarter()}&by=service"),
            };
            var times = new List<double>();
            for (var i = 0; i < warmup + requests; i++)
            {
                var (user, url) = Next();
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[user]);
                var sw = Stopwatch.StartNew();
                using var response = await http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                sw.Stop();
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode} {url}");
                if (i >= warmup) times.Add(sw.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            double P(double q) => times[Math.Min(times.Count - 1, (int)Math.Ceiling(q * times.Count) - 1)];
            Console.WriteLine($"{requests} figure requests (after {warmup} not counted): max {times[^1]:0} ms");
            Console.WriteLine($"figures referrals={count} p50_ms={P(0.5):0} p95_ms={P(0.95):0}");
        }
        finally
        {
            await BenchDatabase.DropAsync(pg, database);
            await rabbit.DeleteVirtualHostAsync(vhost);
        }
    }

    private static async Task<(string[] Kinds, string[] Districts)> DimensionsAsync(string cs)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        async Task<string[]> List(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            var list = new List<string>();
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) list.Add(reader.GetString(0));
            return list.ToArray();
        }
        return (await List("SELECT DISTINCT route_category FROM referrals.referrals"),
            await List("SELECT DISTINCT district FROM referrals.referral_facts WHERE district <> '' LIMIT 50"));
    }

    private static async Task GenerateAsync(string cs, int count)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        async Task Run(string sql, params object[] values)
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            foreach (var v in values) cmd.Parameters.AddWithValue(v);
            await cmd.ExecuteNonQueryAsync();
        }
        var debtOrg = Netzwerk.Platform.Identity.DemoUsers.Organizations.DebtCounsellingKamenz;
        await Run("SELECT setseed(0.18)");
        // Eighty catalogue services (the demo partner's first: its portal has figures), the routes' partner kinds.
        await Run("""
            CREATE TEMP TABLE svc AS
            SELECT row_number() OVER () AS n, id, organization_id FROM (
                SELECT id, organization_id FROM directory.service ORDER BY (organization_id = $1) DESC, id LIMIT 80) s
            """, debtOrg);
        await Run("CREATE TEMP TABLE cats AS SELECT row_number() OVER (ORDER BY category_code) AS n, category_code, max(version) AS v FROM referrals.routes GROUP BY category_code");
        await Run("""
            CREATE TEMP TABLE gen AS
            SELECT md5('bench' || i)::uuid AS id, i, now() - interval '730 days' + (i + random()) / $1 * interval '730 days' AS sent_at, random() AS u, random() AS w,
                   1 + i % (SELECT count(*) FROM svc) AS sn, 1 + (i / 7) % (SELECT count(*) FROM cats) AS cn,
                   CASE WHEN i % 40 = 0 THEN 'fm.mueller' ELSE 'fm.bench' || (i % 40) END AS cm, 'team-' || (i % 6) AS team
            FROM generate_series(1, $1) i
            """, count);
        await Run("""
            ALTER TABLE gen ADD COLUMN status text, ADD COLUMN state text;
            UPDATE gen SET (status, state) = (SELECT s, t FROM (VALUES
                (u < .10, 'rejected', 'Rejected'), (u >= .10 AND u < .15, 'cancelled', 'Cancelled'), (u >= .15 AND u < .20, 'requested', 'Requested'),
                (u >= .20 AND u < .30, 'accepted', 'Accepted'), (u >= .30 AND u < .40, 'failed', 'Failed'),
                (u >= .40 AND u < .50, 'in-progress', 'InProgress'), (u >= .50, 'completed', 'Completed')) v(c, s, t) WHERE c);
            """);
        await Run("""
            INSERT INTO referrals.referrals (id, case_reference, service_id, organization_id, case_manager_id, team, reason, urgency, shared_categories,
                status, route_category, route_version, feedback_level, created_at, sent_at, updated_at, current_state)
            SELECT g.id, 'BENCH', s.id, s.organization_id, g.cm, g.team, '', 'normal', '{}', g.status, c.category_code, c.v, 'attendance',
                   g.sent_at, g.sent_at, g.sent_at + interval '20 days', g.state
            FROM gen g JOIN svc s ON s.n = g.sn JOIN cats c ON c.n = g.cn
            """);
        await Run("""
            INSERT INTO referrals.history (referral_id, at, from_status, to_status, event, by_user, by_role)
            SELECT id, sent_at + w * interval '10 days', 'requested', CASE WHEN status = 'rejected' THEN 'rejected' ELSE 'accepted' END,
                   CASE WHEN status = 'rejected' THEN 'PartnerDeclined' ELSE 'PartnerAccepted' END, 'partner', 'Partner'
            FROM gen WHERE status NOT IN ('cancelled', 'requested');
            INSERT INTO referrals.history (referral_id, at, from_status, to_status, event, by_user, by_role)
            SELECT id, sent_at + w * interval '12 days', 'accepted', 'on-hold', 'PartnerWaitlisted', 'partner', 'Partner'
            FROM gen WHERE status = 'accepted' AND i % 5 = 0;
            INSERT INTO referrals.history (referral_id, at, from_status, to_status, event, by_user, by_role, detail)
            SELECT id, sent_at + interval '30 days', 'in-progress', status, 'Closed', cm, 'Fallmanager',
                   CASE WHEN status = 'completed' THEN 'completed-with-result'
                        ELSE (ARRAY['not-reached', 'dropped-out', 'declined-by-client', 'not-eligible'])[1 + i % 4] END
            FROM gen WHERE status IN ('failed', 'completed');
            INSERT INTO referrals.feedback (id, referral_id, kind, reason_code, by_user, at)
            SELECT md5('decline' || i)::uuid, id, 'declined', (ARRAY['no-capacity', 'not-eligible', 'declined-by-client', 'no-capacity'])[1 + i % 4],
                   'partner', sent_at + w * interval '10 days'
            FROM gen WHERE status = 'rejected';
            INSERT INTO referrals.feedback (id, referral_id, kind, attended, appointment_at, by_user, at)
            SELECT md5('attend' || i)::uuid, id, 'attendance', i % 9 <> 0, sent_at + (1 + w * 20) * interval '1 day', 'partner', sent_at + interval '25 days'
            FROM gen WHERE status IN ('in-progress', 'completed', 'failed');
            """);
        // The fact rows: the lifecycle's own function, in chunks (an id list per call, as a transition hands in one), in the
        // order of sending, as the lifecycle writes them (a fact row is born when its referral is sent).
        const int chunk = 25_000;
        for (var from = 0; from < count; from += chunk)
            await Run("SELECT referrals.refresh_referral_facts(array(SELECT id FROM gen WHERE i > $1 AND i <= $2))", from, from + chunk);
        await Run("ANALYZE referrals.referral_facts");
    }
}
