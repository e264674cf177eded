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
