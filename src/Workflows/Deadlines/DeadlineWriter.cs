using Npgsql;
using NpgsqlTypes;

namespace Netzwerk.Workflows.Deadlines;

/// <summary>A deadline to start: its kind (the owner's word), when it falls due, and what the owner wants to know then.</summary>
public sealed record NewDeadline(string Kind, DateTimeOffset DueAt, string? Detail = null);

/// <summary>
/// The one way to start and cancel durable deadlines (<c>workflows.deadlines</c>), in the transaction of the change that
/// starts or ends them. A deadline belongs to an owner (a module, see <see cref="IDeadlineOwner"/>) and a subject (the
/// owner's id of the thing it times).
/// </summary>
public static class DeadlineWriter
{
    private const string Insert = "INSERT INTO workflows.deadlines (id, owner, subject_id, kind, due_at, detail) VALUES ($1, $2, $3, $4, $5, $6)";
    private const string Update = """
        UPDATE workflows.deadlines SET cancelled_at = $1
        WHERE owner = $2 AND subject_id = $3 AND kind = ANY($4) AND fired_at IS NULL AND cancelled_at IS NULL
        """;
    private const string UpdateById = """
        UPDATE workflows.deadlines SET cancelled_at = $1
        WHERE owner = $2 AND id = ANY($3) AND fired_at IS NULL AND cancelled_at IS NULL
        """;
    private const string SelectOpen = """
        SELECT id, kind, due_at, detail FROM workflows.deadlines
        WHERE owner = $1 AND subject_id = $2 AND fired_at IS NULL AND cancelled_at IS NULL
        ORDER BY due_at, id
        """;

    public static NpgsqlBatchCommand ScheduleCommand(string owner, Guid subjectId, NewDeadline deadline)
    {
        var command = new NpgsqlBatchCommand(Insert);
        AddSchedule(command.Parameters, owner, subjectId, deadline);
        return command;
    }

    public static NpgsqlBatchCommand CancelCommand(string owner, Guid subjectId, IReadOnlyCollection<string> kinds, DateTimeOffset at)
    {
        var command = new NpgsqlBatchCommand(Update);
        AddCancel(command.Parameters, owner, subjectId, kinds, at);
        return command;
    }

    public static async Task ScheduleAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string owner, Guid subjectId,
        NewDeadline deadline, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(Insert, connection, transaction);
        AddSchedule(command.Parameters, owner, subjectId, deadline);
        await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task CancelAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string owner, Guid subjectId,
        IReadOnlyCollection<string> kinds, DateTimeOffset at, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(Update, connection, transaction);
        AddCancel(command.Parameters, owner, subjectId, kinds, at);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Cancels the given open deadlines of an owner. The command's RecordsAffected says how many were still open: fewer than
    /// asked means one fired (or ended) meanwhile, which a caller that replaces timers must treat as a conflict.
    /// </summary>
    public static NpgsqlBatchCommand CancelByIdCommand(string owner, IReadOnlyCollection<Guid> ids, DateTimeOffset at)
    {
        var command = new NpgsqlBatchCommand(UpdateById);
        AddCancelById(command.Parameters, owner, ids, at);
        return command;
    }

    /// <summary>Cancels the given open deadlines of an owner; returns how many were still open.</summary>
    public static async Task<int> CancelByIdAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string owner,
        IReadOnlyCollection<Guid> ids, DateTimeOffset at, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(UpdateById, connection, transaction);
        AddCancelById(command.Parameters, owner, ids, at);
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A subject's deadlines that have neither fired nor been cancelled, earliest first.</summary>
    public static async Task<IReadOnlyList<OpenDeadline>> OpenAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string owner,
        Guid subjectId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(SelectOpen, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = owner, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = subjectId, NpgsqlDbType = NpgsqlDbType.Uuid });
        var open = new List<OpenDeadline>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            open.Add(new OpenDeadline(reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2),
                reader.IsDBNull(3) ? null : reader.GetString(3)));
        return open;
    }

    private static void AddCancelById(NpgsqlParameterCollection p, string owner, IReadOnlyCollection<Guid> ids, DateTimeOffset at)
    {
        p.Add(new NpgsqlParameter { Value = at, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        p.Add(new NpgsqlParameter { Value = owner, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = ids.Distinct().ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
    }

    private static void AddSchedule(NpgsqlParameterCollection p, string owner, Guid subjectId, NewDeadline d)
    {
        p.Add(new NpgsqlParameter { Value = Guid.CreateVersion7(), NpgsqlDbType = NpgsqlDbType.Uuid });
        p.Add(new NpgsqlParameter { Value = owner, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = subjectId, NpgsqlDbType = NpgsqlDbType.Uuid });
        p.Add(new NpgsqlParameter { Value = d.Kind, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = d.DueAt, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        p.Add(new NpgsqlParameter { Value = (object?)d.Detail ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
    }

    private static void AddCancel(NpgsqlParameterCollection p, string owner, Guid subjectId, IReadOnlyCollection<string> kinds, DateTimeOffset at)
    {
        p.Add(new NpgsqlParameter { Value = at, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        p.Add(new NpgsqlParameter { Value = owner, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = subjectId, NpgsqlDbType = NpgsqlDbType.Uuid });
        p.Add(new NpgsqlParameter { Value = kinds.Distinct().ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
    }
}

/// <summary>A deadline that has neither fired nor been cancelled.</summary>
public sealed record OpenDeadline(Guid Id, string Kind, DateTimeOffset DueAt, string? Detail);

/// <summary>A deadline that fell due, as the poller hands it to its owner.</summary>
public sealed record DueDeadline(Guid Id, Guid SubjectId, string Kind, DateTimeOffset DueAt, string? Detail);

/// <summary>
/// The owner's answer for one due deadline: cancel it (its reason has passed), or fire it — publish <see cref="Message"/>
/// (its MessageId is the deadline's id, so firing twice can never publish twice) and start <see cref="Then"/> (e.g. the
/// next round of a recurring timer), all in the poller's transaction.
/// </summary>
public sealed record DeadlineDecision(Guid DeadlineId, object? Message, IReadOnlyList<NewDeadline> Then)
{
    public static DeadlineDecision Cancel(DueDeadline deadline) => new(deadline.Id, null, []);
    public static DeadlineDecision Fire(DueDeadline deadline, object message, params NewDeadline[] then) => new(deadline.Id, message, then);
    public bool Fires => Message is not null;
}

/// <summary>
/// A module that schedules deadlines decides, when they fall due, whether they still apply. It reads its own tables on the
/// poller's connection and transaction; the poller writes the outcome. A due deadline the owner gives no decision for
/// stays as it is.
/// </summary>
public interface IDeadlineOwner
{
    string Owner { get; }

    Task<IReadOnlyList<DeadlineDecision>> DecideAsync(IReadOnlyList<DueDeadline> due, NpgsqlConnection connection,
        NpgsqlTransaction transaction, DateTimeOffset now, CancellationToken ct);
}
