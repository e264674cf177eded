using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Workflows.Deadlines;
using Npgsql;
using NpgsqlTypes;

namespace Netzwerk.Referrals.Routes;

/// <summary>
/// A coordinator moves chosen running referrals to a newer version of their route, explicitly: first a preview of what
/// changes for each (<see cref="RouteMigration"/>'s sentences), then the move — per referral one transaction that locks
/// the referral's row, re-plans against the timers open at that moment, and writes version, timers, history; audited.
/// A referral already on the target version is left as it is, so repeating a move changes nothing. Coordinators see no
/// client data here: ids, partner names, status, version and sent date only.
/// </summary>
public static class MoveToVersion
{
    public const int MaxReferrals = 200;
    public const string AuditAction = "route.migrate";

    public static class MoveResults
    {
        public const string Planned = "planned";
        public const string Moved = "moved";
        public const string Unchanged = "unchanged";
        /// <summary>The referral changed while it was being moved (or one of its timers fired): nothing was written for it.</summary>
        public const string Conflict = "conflict";
    }

    public sealed record Request(int? ToVersion, Guid[]? ReferralIds);

    public sealed record RunningReferral(Guid ReferralId, Guid ServiceId, string ServiceName, string OrganizationName, string Status,
        int Version, DateTimeOffset? SentAt);

    public sealed record Change(Guid ReferralId, int FromVersion, int ToVersion, string Result, IReadOnlyList<string> Sentences);

    public sealed record Outcome(string Key, int ToVersion, IReadOnlyList<Change> Referrals);

    /// <summary>Open referrals of the route on a version older than its latest, oldest first.</summary>
    public static async Task<IReadOnlyList<RunningReferral>> RunningAsync(ReferralsDb db, IServiceLookup lookup, string key, CancellationToken ct)
    {
        var latest = await LatestVersionAsync(db, key, ct) ?? throw UnknownRoute();
        var rows = await db.Referrals.AsNoTracking()
            .Where(r => r.RouteCategory == key && r.RouteVersion < latest && ReferralStatus.Open.Contains(r.Status))
            .OrderBy(r => r.SentAt ?? r.CreatedAt).ThenBy(r => r.Id)
            .Select(r => new { r.Id, r.ServiceId, r.Status, r.RouteVersion, r.SentAt })
            .Take(1000).ToListAsync(ct);
        var services = new Dictionary<Guid, ServiceSummary?>();
        foreach (var serviceId in rows.Select(r => r.ServiceId).Distinct()) services[serviceId] = await lookup.FindAsync(serviceId, ct);
        return rows.Select(r => new RunningReferral(r.Id, r.ServiceId, services[r.ServiceId]?.ServiceName ?? "(Angebot nicht mehr im Verzeichnis)",
            services[r.ServiceId]?.OrganizationName ?? "–", r.Status, r.RouteVersion, r.SentAt)).ToList();
    }

    /// <summary>What moving each referral would change. Reads only.</summary>
    public static async Task<Outcome> PreviewAsync(ReferralsDb db, RouteVersions routes, TimeProvider clock, string key, Request request,
        CancellationToken ct)
    {
        var (target, ids) = await ValidateAsync(db, routes, key, request, ct);
        var connection = await OpenAsync(db, ct);
        var now = clock.GetUtcNow();
        var changes = new List<Change>();
        foreach (var id in ids)
        {
            var referral = (await LoadAsync(connection, null, id, false, ct))!;
            if (referral.Version == target.Version)
            {
                changes.Add(new(id, referral.Version, target.Version, MoveResults.Unchanged, [$"Die Verweisung folgt bereits Version {target.Version}."]));
                continue;
            }
            var from = await routes.GetAsync(db, key, referral.Version, ct);
            var open = await DeadlineWriter.OpenAsync(connection, null, ReferralDeadlines.Name, id, ct);
            var plan = RouteMigration.For(from, target, referral.Snapshot, Timers(open), now);
            changes.Add(new(id, referral.Version, target.Version, MoveResults.Planned, plan.Sentences.ToList()));
        }
        return new Outcome(key, target.Version, changes);
    }

    /// <summary>Moves each referral in its own transaction; every moved referral is audited.</summary>
    public static async Task<Outcome> ExecuteAsync(ReferralsDb db, RouteVersions routes, TimeProvider clock, AuditLog audit, CurrentUser user,
        string key, Request request, CancellationToken ct)
    {
        var (target, ids) = await ValidateAsync(db, routes, key, request, ct);
        var changes = new List<Change>();
        foreach (var id in ids)
        {
            var change = await MoveOneAsync(db, routes, clock, user, key, target, id, ct);
            if (change.Result == MoveResults.Moved)
                await audit.RecordAsync(new AuditEvent(AuditAction, "referral", id.ToString(),
                    Detail: $"route={key}; version {change.FromVersion} -> {change.ToVersion}"), ct);
            changes.Add(change);
        }
        return new Outcome(key, target.Version, changes);
    }

    private static async Task<Change> MoveOneAsync(ReferralsDb db, RouteVersions routes, TimeProvider clock, CurrentUser user, string key,
        ReferralRoute target, Guid id, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var tx = (NpgsqlTransaction)transaction.GetDbTransaction();
        // Locked: a transition of the same referral waits, then fails its xmin guard (409), instead of scheduling the old
        // version's timers next to ours.
        var referral = await LoadAsync(connection, tx, id, true, ct);
        if (referral is null || referral.Key != key || !ReferralStatus.Open.Contains(referral.Status) || referral.Version > target.Version)
            return new(id, referral?.Version ?? 0, target.Version, MoveResults.Conflict,
                ["Die Verweisung wurde inzwischen geändert oder abgeschlossen; sie wurde nicht umgestellt."]);
        if (referral.Version == target.Version)
            return new(id, referral.Version, target.Version, MoveResults.Unchanged, [$"Die Verweisung folgt bereits Version {target.Version}."]);

        var now = clock.GetUtcNow();
        var from = await routes.GetAsync(db, key, referral.Version, ct);
        var open = await DeadlineWriter.OpenAsync(connection, tx, ReferralDeadlines.Name, id, ct);
        var plan = RouteMigration.For(from, target, referral.Snapshot, Timers(open), now);

        await using var batch = new NpgsqlBatch(connection, tx);
        var (responseChanged, responseDue) = DueOf(plan, DeadlineKinds.PartnerResponse);
        var (attendanceChanged, attendanceDue) = DueOf(plan, DeadlineKinds.Attendance);
        batch.BatchCommands.Add(Command("""
            UPDATE referrals.referrals SET route_version = $1, updated_at = $2,
                response_due_at = CASE WHEN $3 THEN $4 ELSE response_due_at END,
                attendance_due_at = CASE WHEN $5 THEN $6 ELSE attendance_due_at END
            WHERE id = $7
            """, Typed(target.Version, NpgsqlDbType.Integer), Typed(now, NpgsqlDbType.TimestampTz),
            Typed(responseChanged, NpgsqlDbType.Boolean), Typed(responseDue, NpgsqlDbType.TimestampTz),
            Typed(attendanceChanged, NpgsqlDbType.Boolean), Typed(attendanceDue, NpgsqlDbType.TimestampTz), Typed(id, NpgsqlDbType.Uuid)));
        var ending = plan.Cancel.Select(c => c.Timer.Id).Concat(plan.Reschedule.Select(r => r.Timer.Id)).ToList();
        var cancel = ending.Count > 0 ? DeadlineWriter.CancelByIdCommand(ReferralDeadlines.Name, ending, now) : null;
        if (cancel is not null) batch.BatchCommands.Add(cancel);
        foreach (var timer in plan.Reschedule.Select(r => r.To).Concat(plan.Add.Select(a => a.Timer)))
            batch.BatchCommands.Add(DeadlineWriter.ScheduleCommand(ReferralDeadlines.Name, id, new NewDeadline(timer.Kind, timer.DueAt, timer.Detail)));
        batch.BatchCommands.Add(Command("""
            INSERT INTO referrals.history (referral_id, at, from_status, to_status, event, by_user, by_role, detail)
            VALUES ($1, $2, $3, $3, $4, $5, $6, $7)
            """, Typed(id, NpgsqlDbType.Uuid), Typed(now, NpgsqlDbType.TimestampTz), Typed(referral.Status, NpgsqlDbType.Text),
            Typed(HistoryEvents.RouteVersionChanged, NpgsqlDbType.Text), Typed(user.Id, NpgsqlDbType.Text), Typed(user.Role, NpgsqlDbType.Text),
            Typed(target.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), NpgsqlDbType.Text)));
        await batch.ExecuteNonQueryAsync(ct);
        // A timer that fired between reading and cancelling has run its step: replacing it now would run it twice.
        if (cancel is not null && cancel.RecordsAffected != ending.Count)
        {
            await transaction.RollbackAsync(ct);
            return new(id, referral.Version, target.Version, MoveResults.Conflict,
                ["Eine Frist der Verweisung ist gerade abgelaufen; bitte die Vorschau neu anzeigen und erneut umstellen."]);
        }
        await RouteCatalogue.MarkUsedAsync(db, target, now, ct);
        await transaction.CommitAsync(ct);
        return new(id, referral.Version, target.Version, MoveResults.Moved, plan.Sentences.ToList());
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/routes/{key}").WithTags("Verweisungswege")
            .RequireAuthorization(Policies.Coordination).AddEndpointFilter<ReferralProblemFilter>();

        group.MapGet("/running", async (string key, ReferralsDb db, IServiceLookup lookup, CancellationToken ct)
                => TypedResults.Ok(await RunningAsync(db, lookup, key, ct)))
            .WithSummary("Laufende Verweisungen auf älteren Versionen des Wegs (ohne Falldaten)");

        group.MapPost("/migrations/preview", async (string key, Request request, ReferralsDb db, RouteVersions routes, TimeProvider clock,
                CancellationToken ct) => TypedResults.Ok(await PreviewAsync(db, routes, clock, key, request, ct)))
            .WithSummary("Vorschau: was sich je Verweisung beim Umstellen auf eine neuere Version ändert (schreibt nichts)");

        group.MapPost("/migrations", async (string key, Request request, ClaimsPrincipal principal, ReferralsDb db, RouteVersions routes,
                TimeProvider clock, AuditLog audit, CancellationToken ct)
                => TypedResults.Ok(await ExecuteAsync(db, routes, clock, audit, principal.CurrentUser(), key, request, ct)))
            .WithSummary("Gewählte laufende Verweisungen auf eine neuere Version umstellen (protokolliert)");
    }

    /// <summary>Refuses the whole request, before anything is written, when one of its referrals may not be moved.</summary>
    private static async Task<(ReferralRoute Target, Guid[] Ids)> ValidateAsync(ReferralsDb db, RouteVersions routes, string key, Request? request,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request?.ToVersion is null) errors["toVersion"] = ["Bitte die Version angeben, auf die umgestellt werden soll."];
        var ids = request?.ReferralIds?.Distinct().ToArray() ?? [];
        if (ids.Length == 0) errors["referralIds"] = ["Bitte mindestens eine Verweisung auswählen."];
        else if (ids.Length > MaxReferrals) errors["referralIds"] = [$"Höchstens {MaxReferrals} Verweisungen auf einmal umstellen."];
        else if (ids.Contains(Guid.Empty)) errors["referralIds"] = ["Eine der Verweisungs-Ids ist leer."];
        if (errors.Count > 0) throw new ReferralProblem(400, "Bitte prüfen Sie die Angaben; es wurde nichts umgestellt.", errors);

        var latest = await LatestVersionAsync(db, key, ct) ?? throw UnknownRoute();
        var toVersion = request!.ToVersion!.Value;
        if (toVersion < 1 || toVersion > latest)
            throw new ReferralProblem(422, $"Version {toVersion} dieses Verweisungswegs gibt es nicht (neueste: Version {latest}).",
                new Dictionary<string, string[]> { ["toVersion"] = [$"Version {toVersion} gibt es nicht."] });
        var target = await routes.GetAsync(db, key, toVersion, ct);

        var found = await db.Referrals.AsNoTracking().Where(r => ids.Contains(r.Id))
            .Select(r => new { r.Id, r.RouteCategory, r.RouteVersion, r.Status }).ToDictionaryAsync(r => r.Id, ct);
        var missing = ids.Where(id => !found.ContainsKey(id)).ToList();
        if (missing.Count > 0)
            throw new ReferralProblem(404, missing.Count == 1 ? "Eine der gewählten Verweisungen gibt es nicht." : $"{missing.Count} der gewählten Verweisungen gibt es nicht.");
        if (found.Values.Any(r => r.RouteCategory != key))
            throw new ReferralProblem(422, "Mindestens eine der gewählten Verweisungen folgt einem anderen Verweisungsweg; sie kann nicht auf diesen umgestellt werden.");
        if (found.Values.Any(r => !ReferralStatus.Open.Contains(r.Status)))
            throw new ReferralProblem(409, "Mindestens eine der gewählten Verweisungen ist bereits beendet; beendete Verweisungen behalten ihre Version.");
        if (found.Values.Any(r => r.RouteVersion > toVersion))
            throw new ReferralProblem(422, $"Mindestens eine der gewählten Verweisungen folgt schon einer neueren Version als Version {toVersion}; "
                                           + "eine Verweisung wird nie auf eine ältere Version zurückgestellt.",
                new Dictionary<string, string[]> { ["toVersion"] = ["Die Zielversion ist älter als die Version einer gewählten Verweisung."] });
        return (target, ids);
    }

    private static ReferralProblem UnknownRoute() => new(404, "Diesen Verweisungsweg gibt es nicht.");

    private static Task<int?> LatestVersionAsync(ReferralsDb db, string key, CancellationToken ct)
        => db.Routes.Where(r => r.CategoryCode == key).MaxAsync(r => (int?)r.Version, ct);

    private sealed record Loaded(string Key, int Version, string Status, RouteMigration.Snapshot Snapshot);

    // What the planner needs of a referral, in one statement: the row, and from history and feedback when it was accepted,
    // when the partner last sent news and when it last reported progress.
    private const string SelectReferral = """
        SELECT r.route_category, r.route_version, r.status, r.sent_at, r.appointment_at,
            (SELECT max(h.at) FROM referrals.history h WHERE h.referral_id = r.id AND h.event = $2),
            (SELECT max(f.at) FROM referrals.feedback f WHERE f.referral_id = r.id),
            (SELECT max(f.at) FROM referrals.feedback f WHERE f.referral_id = r.id AND f.kind = $3)
        FROM referrals.referrals r WHERE r.id = $1
        """;

    /// <summary>The partner's progress report (referrals.feedback.kind, as the partner's answer stores it).</summary>
    private const string ProgressFeedback = "progress";

    private static async Task<Loaded?> LoadAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, Guid id, bool lockRow, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(lockRow ? SelectReferral + " FOR UPDATE OF r" : SelectReferral, connection, tx);
        command.Parameters.Add(Typed(id, NpgsqlDbType.Uuid));
        command.Parameters.Add(Typed(ReferralStateMachine.EventNames.PartnerAccepted, NpgsqlDbType.Text));
        command.Parameters.Add(Typed(ProgressFeedback, NpgsqlDbType.Text));
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        DateTimeOffset? At(int i) => reader.IsDBNull(i) ? null : reader.GetFieldValue<DateTimeOffset>(i);
        var status = reader.GetString(2);
        return new Loaded(reader.GetString(0), reader.GetInt32(1), status,
            new RouteMigration.Snapshot(status, At(3), At(5), At(4), At(6), At(7)));
    }

    private static async Task<NpgsqlConnection> OpenAsync(ReferralsDb db, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct); // EF closes it with the context
        return (NpgsqlConnection)db.Database.GetDbConnection();
    }

    private static List<RouteMigration.OpenTimer> Timers(IReadOnlyList<OpenDeadline> open)
        => open.Select(d => new RouteMigration.OpenTimer(d.Id, d.Kind, d.DueAt, d.Detail)).ToList();

    /// <summary>Whether the plan changes the timer the referral's row shows for a kind (response, attendance), and to what.</summary>
    private static (bool Changed, DateTimeOffset? DueAt) DueOf(RouteMigration.Plan plan, string kind)
    {
        if (plan.Reschedule.FirstOrDefault(r => r.To.Kind == kind) is { } moved) return (true, moved.To.DueAt);
        if (plan.Add.FirstOrDefault(a => a.Timer.Kind == kind) is { } added) return (true, added.Timer.DueAt);
        return plan.Cancel.Any(c => c.Timer.Kind == kind) ? (true, null) : (false, null);
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter Typed(object? value, NpgsqlDbType type) => new() { Value = value ?? DBNull.Value, NpgsqlDbType = type };
}
