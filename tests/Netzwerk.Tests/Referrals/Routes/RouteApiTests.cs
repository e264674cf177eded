using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals;
using Npgsql;
using Shouldly;
using Xunit;

namespace Netzwerk.Tests.Referrals.Routes;

/// <summary>Route definitions through the API, against the real PostgreSQL: scopes, versions, validation, picture, immutability.</summary>
public sealed class RouteApiTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    private static object[] Steps(int response = 5, int escalation = 10, string level = "full", bool approval = false, int? progressWeeks = null)
    {
        var steps = new List<object>
        {
            new { kind = "consent", requiredCategories = new[] { "contact-data" }, defaultFeedbackLevel = level },
            new { kind = "response", responseWorkingDays = response, reminderWorkingDays = new[] { 2 }, escalationWorkingDays = escalation, escalationTarget = Roles.TeamLead },
            new { kind = "attendance", workingDaysAfterAppointment = 2 },
        };
        if (approval)
        {
            steps.Insert(1, new { kind = "approval" });
            steps.Insert(2, new { kind = "intake", questions = new[] { new { id = "glaeubiger", text = "Wie viele Gläubiger gibt es?", required = false, category = "contact-data" } } });
        }
        if (progressWeeks is { } w) steps.Add(new { kind = "progress", everyWeeks = w });
        return steps.ToArray();
    }

    private static async Task<string> RouteOfAsync(HttpClient fm, Guid referral) =>
        (await fm.GetFromJsonAsync<JsonElement>($"/api/referrals/{referral}")).GetProperty("routeCategory").GetString()!;

    [Fact]
    public async Task A_route_narrowed_to_a_service_wins_over_its_partner_kind_and_records_its_first_use()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var fm = await app.ClientFor("fm.mueller");
        var put = await coordinator.PutAsJsonAsync("/api/routes/schuldnerberatung", new
        {
            name = "Insolvenzberatung mit Freigabe", scope = new { serviceId = ReferralTestApp.InsolvencyService },
            steps = Steps(approval: true, progressWeeks: 2),
        });
        put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        var created = await ReferralTestApp.ReadAsync(put);
        var key = $"schuldnerberatung:service:{ReferralTestApp.InsolvencyService}";
        created.GetProperty("key").GetString().ShouldBe(key);
        created.GetProperty("version").GetInt32().ShouldBe(1);
        created.GetProperty("scope").GetProperty("serviceId").GetGuid().ShouldBe(ReferralTestApp.InsolvencyService);
        created.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("kind").GetString())
            .ShouldBe(["consent", "approval", "intake", "response", "attendance", "progress"]);
        created.GetProperty("firstUsedAt").ValueKind.ShouldBe(JsonValueKind.Null);
        (await app.CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE action = 'route.version' AND object_id = '{key}/1'")).ShouldBe(1);

        var scoped = await app.DraftAsync(fm, ReferralTestApp.InsolvencyService);
        var sameOrganisationOtherService = await app.DraftAsync(fm, ReferralTestApp.DebtService);
        (await RouteOfAsync(fm, scoped)).ShouldBe(key);
        (await RouteOfAsync(fm, sameOrganisationOtherService)).ShouldBe("schuldnerberatung");

        var version = await coordinator.GetFromJsonAsync<JsonElement>($"/api/routes/{Uri.EscapeDataString(key)}/versions/1");
        version.GetProperty("firstUsedAt").ValueKind.ShouldBe(JsonValueKind.String);
        var all = await coordinator.GetFromJsonAsync<JsonElement[]>("/api/routes?allVersions=true");
        all!.ShouldContain(r => r.GetProperty("key").GetString() == key);
    }

    [Fact]
    public async Task Organisation_beats_district_beats_partner_kind()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var fm = await app.ClientFor("fm.schmidt");
        var service = (await app.Services.GetRequiredService<IServiceLookup>().FindAsync(ReferralTestApp.AddictionService))!;
        service.District.ShouldNotBeNullOrWhiteSpace();

        (await coordinator.PutAsJsonAsync("/api/routes/suchtberatung", new { name = "Sucht im Kreis", scope = new { district = service.District }, steps = Steps() }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await RouteOfAsync(fm, await app.DraftAsync(fm, ReferralTestApp.AddictionService))).ShouldStartWith("suchtberatung:district:");

        (await coordinator.PutAsJsonAsync("/api/routes/suchtberatung", new { name = "Sucht beim Träger", scope = new { organizationId = service.OrganizationId }, steps = Steps() }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await RouteOfAsync(fm, await app.DraftAsync(fm, ReferralTestApp.AddictionService))).ShouldBe($"suchtberatung:organization:{service.OrganizationId}");
    }

    [Fact]
    public async Task A_definition_that_contradicts_itself_is_refused_in_german_naming_the_step_and_nothing_is_written()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var before = await app.CountAsync("SELECT count(*) FROM referrals.routes");

        var put = await coordinator.PutAsJsonAsync("/api/routes/jugendamt", new { name = "Jugendamt", steps = Steps(response: 8, escalation: 4) });
        put.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        put.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await ReferralTestApp.ReadAsync(put);
        problem.GetProperty("errors").GetProperty("steps[1].escalationWorkingDays")[0].GetString()
            .ShouldBe("Schritt 2 (Antwortfrist): Die Eskalation kann nicht vor der Antwortfrist liegen.");

        var progress = await coordinator.PutAsJsonAsync("/api/routes/jugendamt", new { name = "Jugendamt", steps = Steps(level: "outcome", progressWeeks: 2) });
        (await ReferralTestApp.ReadAsync(progress)).GetProperty("errors").GetProperty("steps[3].kind")[0].GetString()!.ShouldContain("Schritt 4 (Fortschrittsberichte)");

        var unknown = await coordinator.PutAsJsonAsync("/api/routes/jugendamt", new { name = "Jugendamt", steps = new object[] { new { kind = "teleport" }, 42, "x" } });
        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await ReferralTestApp.ReadAsync(unknown)).GetProperty("errors");
        errors.GetProperty("steps[0].kind")[0].GetString()!.ShouldContain("Unbekannte Schrittart „teleport“");
        errors.GetProperty("steps[1].kind")[0].GetString()!.ShouldStartWith("Schritt 2: Unbekannte Schrittart");

        (await coordinator.PutAsJsonAsync("/api/routes/jugendamt", new { name = "Jugendamt" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var fm = await app.ClientFor("fm.mueller");
        (await fm.PutAsJsonAsync("/api/routes/jugendamt", new { name = "Jugendamt", steps = Steps() })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.CountAsync("SELECT count(*) FROM referrals.routes")).ShouldBe(before);
    }

    [Fact]
    public async Task The_picture_is_an_accessible_svg_and_an_unknown_version_is_a_german_404()
    {
        var fm = await app.ClientFor("fm.mueller"); // staff may read routes
        var response = await fm.GetAsync("/api/routes/%2A/versions/1/picture.svg");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("image/svg+xml");
        var svg = await response.Content.ReadAsStringAsync();
        svg.ShouldContain("role=\"img\"");
        svg.ShouldContain("Antwort in 5 Arbeitstagen, Erinnerung nach 3, Eskalation an Teamleitung nach 10");

        var missing = await fm.GetAsync("/api/routes/schuldnerberatung/versions/999/picture.svg");
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await missing.Content.ReadAsStringAsync()).ShouldContain("Verweisungsweg");
        var partner = await app.ClientFor("partner.schuldner");
        (await partner.GetAsync("/api/routes/%2A/versions/1")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_stored_version_cannot_be_changed_or_deleted_only_its_first_use_set_once()
    {
        await using var db = await app.OpenDatabaseAsync();
        async Task<string?> Try(string sql)
        {
            try { await new NpgsqlCommand(sql, db).ExecuteNonQueryAsync(); return null; }
            catch (PostgresException e) { return e.SqlState; }
        }
        (await Try("UPDATE referrals.routes SET name = 'anders' WHERE category_code = 'jugendamt' AND version = 1")).ShouldBe("23001");
        (await Try("UPDATE referrals.routes SET steps = '[]' WHERE category_code = 'jugendamt' AND version = 1")).ShouldBe("23001");
        (await Try("DELETE FROM referrals.routes WHERE category_code = 'jugendamt'")).ShouldBe("23001");
        (await Try("UPDATE referrals.routes SET first_used_at = now() WHERE category_code = 'jugendamt' AND version = 1 AND first_used_at IS NULL")).ShouldBeNull();
        (await Try("UPDATE referrals.routes SET first_used_at = now() - interval '1 day' WHERE category_code = 'jugendamt' AND version = 1")).ShouldBe("23001");
    }

    /// <summary>Migration 0005 on versions written in the seven-column form (a scratch schema stands in for referrals).</summary>
    [Fact]
    public async Task The_migration_turns_every_stored_seven_field_version_into_steps()
    {
        await using var db = await app.OpenDatabaseAsync();
        const string schema = "routes_migration_check";
        await new NpgsqlCommand($$"""
            DROP SCHEMA IF EXISTS {{schema}} CASCADE;
            CREATE SCHEMA {{schema}};
            CREATE TABLE {{schema}}.routes (category_code text NOT NULL, version int NOT NULL, name text NOT NULL,
                required_categories text[] NOT NULL, response_working_days int NOT NULL, reminder_working_days int[] NOT NULL,
                escalation_working_days int NOT NULL, escalation_target text NOT NULL, default_feedback_level text NOT NULL,
                forwarding_allowed boolean NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), created_by text NOT NULL,
                PRIMARY KEY (category_code, version));
            CREATE TABLE {{schema}}.referrals (route_category text, route_version int, created_at timestamptz);
            INSERT INTO {{schema}}.routes VALUES
                ('*', 1, 'Standardweg', '{contact-data}', 5, '{3}', 10, 'Teamleitung', 'outcome', true, now(), 'system'),
                ('suchtberatung', 2, 'Sucht', '{contact-data,referral-reason}', 7, '{2,4}', 9, 'Netzwerkkoordination', 'attendance', false, now(), 'nk');
            INSERT INTO {{schema}}.referrals VALUES ('suchtberatung', 2, '2026-01-05T08:00:00Z'), ('suchtberatung', 2, '2026-01-02T08:00:00Z');
            """, db).ExecuteNonQueryAsync();
        var resource = typeof(ReferralsDb).Assembly.GetManifestResourceNames().Single(n => n.EndsWith("0005_route_definitions.sql"));
        using var reader = new StreamReader(typeof(ReferralsDb).Assembly.GetManifestResourceStream(resource)!);
        var sql = (await reader.ReadToEndAsync()).Replace("referrals.", schema + ".");
        await new NpgsqlCommand(sql, db).ExecuteNonQueryAsync();

        var routes = new Dictionary<string, (string Kind, string Steps, DateTimeOffset? FirstUsed)>();
        await using (var read = await new NpgsqlCommand($"SELECT category_code, partner_kind, steps::text, first_used_at FROM {schema}.routes", db).ExecuteReaderAsync())
            while (await read.ReadAsync())
                routes[read.GetString(0)] = (read.GetString(1), read.GetString(2), read.IsDBNull(3) ? null : read.GetFieldValue<DateTimeOffset>(3));
        await new NpgsqlCommand($"DROP SCHEMA {schema} CASCADE", db).ExecuteNonQueryAsync();

        var standard = new ReferralRoute { StepsJson = routes["*"].Steps };
        standard.RequiredCategories.ShouldBe(["contact-data"]);
        standard.ReminderWorkingDays.ShouldBe([3]);
        (standard.ResponseWorkingDays, standard.EscalationWorkingDays, standard.EscalationTarget).ShouldBe((5, 10, "Teamleitung"));
        (standard.DefaultFeedbackLevel, standard.ForwardingAllowed, standard.AttendanceWorkingDays).ShouldBe(("outcome", true, 2));
        routes["*"].FirstUsed.ShouldBeNull();

        var addiction = new ReferralRoute { StepsJson = routes["suchtberatung"].Steps };
        routes["suchtberatung"].Kind.ShouldBe("suchtberatung");
        (addiction.ResponseWorkingDays, addiction.EscalationWorkingDays, addiction.EscalationTarget, addiction.ForwardingAllowed)
            .ShouldBe((7, 9, "Netzwerkkoordination", false));
        addiction.ReminderWorkingDays.ShouldBe([2, 4]);
        addiction.RequiredCategories.ShouldBe(["contact-data", "referral-reason"]);
        routes["suchtberatung"].FirstUsed.ShouldBe(DateTimeOffset.Parse("2026-01-02T08:00:00Z"));
        Netzwerk.Referrals.Routes.RouteValidation.Validate("suchtberatung", "Sucht", null, addiction.Steps.ToList()).ShouldBeEmpty();
    }
}
