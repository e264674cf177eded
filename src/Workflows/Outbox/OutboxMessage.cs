using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Netzwerk.Workflows.Outbox;

/// <summary>A message waiting in <c>workflows.outbox</c>; written in the transaction of the change it reports.</summary>
public sealed class OutboxMessage
{
    public Guid Id { get; set; }
    public string MessageType { get; set; } = "";
    public string Body { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }

    public static OutboxMessage For(object message) => new()
    {
        Id = Guid.CreateVersion7(),
        MessageType = message.GetType().FullName!,
        Body = JsonSerializer.Serialize(message, message.GetType(), MessageJson.Options),
    };
}

public static class MessageJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    /// <summary>Contract types by full name (only types from the contracts namespace are ever published).</summary>
    public static Type? ContractType(string fullName)
    {
        var type = typeof(Contracts.ReferralRequested).Assembly.GetType(fullName);
        return type?.Namespace == typeof(Contracts.ReferralRequested).Namespace ? type : null;
    }
}

/// <summary>A durable timer of one referral (table <c>workflows.deadlines</c>).</summary>
public sealed class Deadline
{
    public Guid Id { get; set; }
    public Guid ReferralId { get; set; }
    public string Kind { get; set; } = "";
    public DateTimeOffset DueAt { get; set; }
    public string? Detail { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FiredAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }
}

/// <summary>EF Core mapping of the workflow tables, used by the module that owns the DbContext.</summary>
public static class WorkflowModel
{
    public static void Configure(ModelBuilder model)
    {
        model.Entity<ReferralState>(e =>
        {
            // Its table is the owning module's (the Referrals module keeps it on the referral's row).
            e.HasKey(x => x.CorrelationId);
            e.Property(x => x.Version).IsRowVersion();
            e.Ignore(x => x.Outgoing);
            e.Ignore(x => x.DeadlinesToSchedule);
            e.Ignore(x => x.DeadlineKindsToCancel);
        });
        model.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox", "workflows");
            e.Property(x => x.Body).HasColumnType("jsonb");
            e.Property(x => x.CreatedAt).HasDefaultValueSql("clock_timestamp()");
        });
        model.Entity<Inbox.HandledMessage>(e =>
        {
            e.ToTable("handled_messages", "workflows");
            e.HasKey(x => new { x.Consumer, x.MessageId });
        });
        model.Entity<Deadline>(e =>
        {
            e.ToTable("deadlines", "workflows");
            e.Property(x => x.CreatedAt).HasDefaultValueSql("now()");
        });
    }
}
