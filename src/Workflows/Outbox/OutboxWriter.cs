using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace Netzwerk.Workflows.Outbox;

/// <summary>
/// The one way to write <c>workflows.outbox</c>: always inside the transaction of the change the message reports — as a
/// statement of the caller's <see cref="NpgsqlBatch"/>, on the caller's connection and transaction, or in an EF Core
/// context's current transaction. The row's id becomes the MessageId; an id written twice (a deadline fired twice) stays one row.
/// </summary>
public static class OutboxWriter
{
    private const string Insert = "INSERT INTO workflows.outbox (id, message_type, body) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING";

    public static NpgsqlBatchCommand Command(object message, Guid? id = null)
    {
        var command = new NpgsqlBatchCommand(Insert);
        AddParameters(command.Parameters, message, id);
        return command;
    }

    public static async Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, object message, CancellationToken ct,
        Guid? id = null)
    {
        await using var command = new NpgsqlCommand(Insert, connection, transaction);
        AddParameters(command.Parameters, message, id);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>In the context's current transaction (there must be one: a message without its change would be a lie).</summary>
    public static Task WriteAsync(DbContext db, object message, CancellationToken ct)
    {
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction() as NpgsqlTransaction
            ?? throw new InvalidOperationException("Outbox messages are written in the transaction of their change; begin one first.");
        return WriteAsync(transaction.Connection!, transaction, message, ct);
    }

    private static void AddParameters(NpgsqlParameterCollection parameters, object message, Guid? id)
    {
        var type = message.GetType();
        parameters.Add(new NpgsqlParameter { Value = id ?? Guid.CreateVersion7(), NpgsqlDbType = NpgsqlDbType.Uuid });
        parameters.Add(new NpgsqlParameter { Value = MessageContracts.NameOf(type), NpgsqlDbType = NpgsqlDbType.Text });
        parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(message, type, MessageJson.Options), NpgsqlDbType = NpgsqlDbType.Jsonb });
    }
}

public static class MessageJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}

/// <summary>
/// The message types the modules publish through the outbox. The dispatcher deserialises only these: a row naming any
/// other type stays unsent with an error, however it got into the table.
/// </summary>
public sealed class MessageContracts
{
    private readonly Dictionary<string, Type> _types;

    public MessageContracts(IEnumerable<MessageContractSet> sets)
        => _types = sets.SelectMany(s => s.Types).Distinct().ToDictionary(NameOf);

    public static string NameOf(Type type) => type.FullName!;

    public Type? Resolve(string name) => _types.GetValueOrDefault(name);

    public IEnumerable<Type> All => _types.Values;
}

/// <summary>One module's contribution to <see cref="MessageContracts"/>.</summary>
public sealed record MessageContractSet(IReadOnlyList<Type> Types);

public static class MessageContractsRegistration
{
    public static IServiceCollection AddMessageContracts(this IServiceCollection services, IEnumerable<Type> types)
    {
        services.AddSingleton(new MessageContractSet(types.ToList()));
        return services;
    }
}

/// <summary>EF Core mapping of the consumer frame's table, for the module that owns the DbContext.</summary>
public static class WorkflowModel
{
    public static void Configure(ModelBuilder model)
    {
        model.Entity<Inbox.HandledMessage>(e =>
        {
            e.ToTable("handled_messages", "workflows");
            e.HasKey(x => new { x.Consumer, x.MessageId });
        });
    }
}
