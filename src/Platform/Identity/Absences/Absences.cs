using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;
using Npgsql;

namespace Netzwerk.Platform.Identity.Absences;

/// <summary>
/// Absences with a deputy (Vertretung). A Fallmanager records their own; the Teamleitung records them for
/// the team. The deputy must belong to the same team. <see cref="Deputies"/> reads what is recorded here.
/// </summary>
public sealed class AbsenceBook(NpgsqlDataSource dataSource, UserDirectory users, AuditLog audit, TimeProvider clock)
{
    public sealed record AbsenceRequest(string? CaseManagerId, string? DeputyId, DateOnly? StartsOn, DateOnly? EndsOn);
    public sealed record Absence(Guid Id, string CaseManagerId, string CaseManagerName, string? DeputyId, string? DeputyName,
        DateOnly StartsOn, DateOnly EndsOn, string RecordedBy);
    public abstract record Outcome;
    public sealed record Created(Absence Absence) : Outcome;
    public sealed record Invalid(Dictionary<string, string[]> Errors) : Outcome;
    public sealed record NotAllowed : Outcome;

    private DateOnly Today => clock.Today();

    public async Task<Outcome> RecordAsync(CurrentUser me, AbsenceRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var caseManagerId = string.IsNullOrWhiteSpace(request.CaseManagerId) ? me.Id : request.CaseManagerId.Trim();
        var deputyId = string.IsNullOrWhiteSpace(request.DeputyId) ? null : request.DeputyId.Trim();
        if (request.StartsOn is null) errors["startsOn"] = ["Bitte den ersten Tag der Abwesenheit angeben."];
        if (request.EndsOn is null) errors["endsOn"] = ["Bitte den letzten Tag der Abwesenheit angeben."];
        if (request.StartsOn is { } s && request.EndsOn is { } e)
        {
            if (e < s) errors["endsOn"] = ["Der letzte Tag darf nicht vor dem ersten liegen."];
            else if (e < Today) errors["endsOn"] = ["Die Abwesenheit liegt vollständig in der Vergangenheit."];
            else if (e.DayNumber - s.DayNumber > 366) errors["endsOn"] = ["Eine Abwesenheit darf höchstens ein Jahr dauern."];
            else if (s > Today.AddYears(2)) errors["startsOn"] = ["Eine Abwesenheit kann höchstens zwei Jahre im Voraus erfasst werden."];
        }
        if (caseManagerId.Length > 200 || deputyId?.Length > 200) errors["caseManagerId"] = ["Die Kennung ist zu lang."];
        if (errors.Count > 0) return new Invalid(errors);

        var caseManager = await users.FindAsync(caseManagerId, ct);
        if (!MayManage(me, caseManager)) return new NotAllowed();
        if (caseManager!.Role != Roles.CaseManager && caseManager.Role != Roles.TeamLead)
            return new Invalid(new() { ["caseManagerId"] = ["Abwesenheiten werden für Fallmanagerinnen und Fallmanager erfasst."] });
        UserDirectory.KnownUser? deputy = null;
        if (deputyId is not null)
        {
            deputy = await users.FindAsync(deputyId, ct);
            if (deputy is null || deputy.Team is null || deputy.Team != caseManager.Team
                || deputy.Role is not (Roles.CaseManager or Roles.TeamLead))
                return new Invalid(new() { ["deputyId"] = ["Die Vertretung muss zum selben Team gehören."] });
            if (deputy.Id == caseManager.Id)
                return new Invalid(new() { ["deputyId"] = ["Niemand kann sich selbst vertreten."] });
        }

        var id = Guid.NewGuid();
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO platform.absences (id, case_manager_id, deputy_id, starts_on, ends_on, recorded_by, recorded_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """);
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(caseManager.Id);
        cmd.Parameters.AddWithValue((object?)deputy?.Id ?? DBNull.Value);
        cmd.Parameters.AddWithValue(request.StartsOn!.Value);
        cmd.Parameters.AddWithValue(request.EndsOn!.Value);
        cmd.Parameters.AddWithValue(me.Id);
        cmd.Parameters.AddWithValue(clock.GetUtcNow());
        await cmd.ExecuteNonQueryAsync(ct);
        await audit.RecordAsync(new AuditEvent("create", "absence", id.ToString(), Detail: $"caseManager={caseManager.Id};deputy={deputy?.Id}"), ct);
        return new Created(new Absence(id, caseManager.Id, caseManager.DisplayName, deputy?.Id, deputy?.DisplayName,
            request.StartsOn.Value, request.EndsOn.Value, me.Id));
    }

    /// <summary>Current and future absences the user may see: their own, those they deputise, their team's (Teamleitung).</summary>
    public async Task<IReadOnlyList<Absence>> VisibleToAsync(CurrentUser me, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT a.id, a.case_manager_id, coalesce(cm.display_name, a.case_manager_id), a.deputy_id, d.display_name,
                   a.starts_on, a.ends_on, a.recorded_by
            FROM platform.absences a
            LEFT JOIN platform.users cm ON cm.id = a.case_manager_id
            LEFT JOIN platform.users d ON d.id = a.deputy_id
            WHERE a.ends_on >= $2
              AND (a.case_manager_id = $1 OR a.deputy_id = $1 OR ($3 AND cm.team IS NOT NULL AND cm.team = $4))
            ORDER BY a.starts_on, a.case_manager_id
            """);
        cmd.Parameters.AddWithValue(me.Id);
        cmd.Parameters.AddWithValue(Today);
        cmd.Parameters.AddWithValue(me.Role == Roles.TeamLead);
        cmd.Parameters.AddWithValue((object?)me.Team ?? DBNull.Value);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<Absence>();
        while (await r.ReadAsync(ct))
            list.Add(new Absence(r.GetGuid(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                r.IsDBNull(4) ? null : r.GetString(4), r.GetFieldValue<DateOnly>(5), r.GetFieldValue<DateOnly>(6), r.GetString(7)));
        return list;
    }

    /// <summary>False when the absence does not exist or the user may not manage it (both look the same to the caller).</summary>
    public async Task<bool> DeleteAsync(CurrentUser me, Guid id, CancellationToken ct)
    {
        await using var find = dataSource.CreateCommand("SELECT case_manager_id FROM platform.absences WHERE id = $1");
        find.Parameters.AddWithValue(id);
        if (await find.ExecuteScalarAsync(ct) is not string caseManagerId) return false;
        if (!MayManage(me, await users.FindAsync(caseManagerId, ct))) return false;
        await using var delete = dataSource.CreateCommand("DELETE FROM platform.absences WHERE id = $1");
        delete.Parameters.AddWithValue(id);
        await delete.ExecuteNonQueryAsync(ct);
        await audit.RecordAsync(new AuditEvent("delete", "absence", id.ToString(), Detail: $"caseManager={caseManagerId}"), ct);
        return true;
    }

    /// <summary>Team members (for the deputy choice).</summary>
    public Task<IReadOnlyList<UserDirectory.KnownUser>> TeamAsync(CurrentUser me, CancellationToken ct)
        => me.Team is null ? Task.FromResult<IReadOnlyList<UserDirectory.KnownUser>>([]) : users.TeamAsync(me.Team, ct);

    private static bool MayManage(CurrentUser me, UserDirectory.KnownUser? caseManager) => caseManager is not null
        && (caseManager.Id == me.Id
            || (me.Role == Roles.TeamLead && me.Team is not null && caseManager.Team == me.Team));
}

public static class AbsenceEndpoints
{
    public static IEndpointRouteBuilder MapAbsences(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/absences").RequireAuthorization(Policies.CaseWork).WithTags("Vertretung");

        group.MapGet("", async (HttpContext http, AbsenceBook book, CancellationToken ct)
            => Results.Ok(await book.VisibleToAsync(http.User.CurrentUser(), ct)));

        group.MapPost("", async (HttpContext http, AbsenceBook.AbsenceRequest request, AbsenceBook book, CancellationToken ct) =>
            await book.RecordAsync(http.User.CurrentUser(), request, ct) switch
            {
                AbsenceBook.Created c => Results.Created($"/api/absences/{c.Absence.Id}", c.Absence),
                AbsenceBook.Invalid i => Problems.Problems.Validation(i.Errors),
                _ => Problems.Problems.Forbidden("Abwesenheiten erfassen Sie für sich selbst oder als Teamleitung für Ihr Team."),
            });

        group.MapDelete("/{id:guid}", async (HttpContext http, Guid id, AbsenceBook book, CancellationToken ct)
            => await book.DeleteAsync(http.User.CurrentUser(), id, ct) ? Results.NoContent() : Problems.Problems.NotFound());
        return app;
    }
}
