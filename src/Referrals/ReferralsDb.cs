using System.Text;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Workflows.Outbox;

namespace Netzwerk.Referrals;

/// <summary>
/// Referrals, their workflow state and the consumer frame's table in one context, so that a state change, its history and
/// the claim of the message that caused it are saved in one transaction (outbox rows and deadlines go through
/// <see cref="OutboxWriter"/> and <c>DeadlineWriter</c>, in the same transaction).
/// </summary>
public sealed class ReferralsDb(DbContextOptions<ReferralsDb> options) : DbContext(options)
{
    public DbSet<Referral> Referrals => Set<Referral>();
    public DbSet<Consent> Consents => Set<Consent>();
    public DbSet<HistoryEntry> History => Set<HistoryEntry>();
    public DbSet<Feedback> Feedback => Set<Feedback>();
    public DbSet<InboxItem> InboxItems => Set<InboxItem>();
    public DbSet<ReferralRoute> Routes => Set<ReferralRoute>();
    public DbSet<ReferralState> States => Set<ReferralState>();
    public DbSet<Consents.Guardianship> Guardianships => Set<Consents.Guardianship>();

    /// <summary>The referral's consent: loaded along by <see cref="ReferralAccess"/>, else read (untracked).</summary>
    public async Task<Consent?> ConsentOfAsync(Referral referral, CancellationToken ct) =>
        referral.ConsentId is not { } id ? null
        : referral.Consent?.Id == id ? referral.Consent
        : referral.Consent = await Consents.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.HasDefaultSchema("referrals");
        model.Entity<Referral>().ToTable("referrals");
        model.Entity<Consent>().ToTable("consents");
        model.Entity<Consents.Guardianship>().ToTable("guardianships");
        model.Entity<HistoryEntry>().ToTable("history").HasOne<Referral>().WithMany().HasForeignKey(h => h.ReferralId);
        model.Entity<Feedback>().ToTable("feedback").HasOne<Referral>().WithMany().HasForeignKey(f => f.ReferralId);
        model.Entity<Referral>().HasOne(r => r.Consent).WithMany().HasForeignKey(r => r.ConsentId);
        model.Entity<Referral>().Property(r => r.IntakeAnswers).HasColumnType("jsonb");
        model.Entity<InboxItem>().ToTable("inbox_items");
        model.Entity<InboxItem>().Property(x => x.CreatedAt).HasDefaultValueSql("clock_timestamp()");
        ReferralRoute.Configure(model);
        WorkflowModel.Configure(model);
        model.Entity<ReferralState>(e =>
        {
            e.HasKey(x => x.CorrelationId);
            e.Property(x => x.Version).IsRowVersion();
            e.Ignore(x => x.Route);
            e.Ignore(x => x.Consent);
            e.Ignore(x => x.Outgoing);
            e.Ignore(x => x.DeadlinesToSchedule);
            e.Ignore(x => x.DeadlineKindsToCancel);
        });
        // The state machine instance shares the referral's row (table splitting): the referral is read with its state in one
        // query, and a transition writes one row (by hand, ReferralRows). The shared columns (organisation, service,
        // Fallmanager, route, updated_at) carry the same values in both; the row's xmin guards both against concurrent changes.
        model.Entity<ReferralState>().ToTable("referrals");
        model.Entity<Referral>().HasOne(r => r.Workflow).WithOne().HasForeignKey<ReferralState>(s => s.CorrelationId);
        // Required: every referral has its state. (Optional, EF would read it through a self-join that defeats the index.)
        model.Entity<Referral>().Navigation(r => r.Workflow).IsRequired();

        foreach (var entity in model.Model.GetEntityTypes())
            foreach (var property in entity.GetProperties())
                if (!(entity.ClrType == typeof(ReferralState) && property.Name == nameof(ReferralState.Version)))
                    property.SetColumnName(SnakeCase(property.Name));
        model.Entity<ReferralState>().Property(s => s.CorrelationId).HasColumnName("id");
        model.Entity<ReferralRoute>().Property(x => x.StepsJson).HasColumnName("steps");
    }

    private static string SnakeCase(string name)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }
}

public sealed class Referral
{
    public Guid Id { get; set; }
    public string CaseReference { get; set; } = "";
    public Guid ServiceId { get; set; }
    public Guid OrganizationId { get; set; }
    public string CaseManagerId { get; set; } = "";
    public string? Team { get; set; }
    public string Reason { get; set; } = "";
    public string? ContactDetails { get; set; }
    public string? HealthInformation { get; set; }
    public string Urgency { get; set; } = "";
    public string[] SharedCategories { get; set; } = [];
    public string? CooperationPlanGoal { get; set; }
    public string? Note { get; set; }
    public string Status { get; set; } = "";
    public string RouteCategory { get; set; } = "";
    public int RouteVersion { get; set; }
    public Guid? ConsentId { get; set; }
    public string FeedbackLevel { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset? ResponseDueAt { get; set; }
    public DateTimeOffset? AttendanceDueAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public string? OutcomeReason { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>The stored intake answers (jsonb); read and written through <see cref="Create.IntakeAnswers"/>.</summary>
    public string? IntakeAnswers { get; set; }
    /// <summary>The workflow columns of this row (loaded with <see cref="ReferralAccess"/>, else found on demand).</summary>
    public ReferralState? Workflow { get; set; }
    public Consent? Consent { get; set; }
}

public sealed class Consent
{
    public Guid Id { get; set; }
    public string CaseReference { get; set; } = "";
    public Guid OrganizationId { get; set; }
    public string Purpose { get; set; } = "";
    public string[] DataCategories { get; set; } = [];
    public string FeedbackLevel { get; set; } = "";
    public string Form { get; set; } = "";
    public DateOnly GivenOn { get; set; }
    public DateOnly? ExpiresOn { get; set; }
    public bool ClientIsMinor { get; set; }
    public string? GuardianName { get; set; }
    public string? EvidenceContentType { get; set; }
    /// <summary>The printed or on-screen declaration this consent was given on (<see cref="Consents.ConsentDeclaration"/>).</summary>
    public string? FormNumber { get; set; }
    public string? TextLanguage { get; set; }
    public int? TextVersion { get; set; }
    public int? GermanTextVersion { get; set; }
    /// <summary>The name the client typed to confirm a digital consent (personal data: erased with the case reference).</summary>
    public string? ConfirmedName { get; set; }
    /// <summary>The person was under rechtliche Betreuung when consenting; the guardian's consent is then in <see cref="GuardianName"/>.</summary>
    public bool UnderGuardianship { get; set; }
    /// <summary>Who declared the revocation: "client" or "guardian" (either may).</summary>
    public string? RevokedByParty { get; set; }
    // The scan itself (column evidence, up to 5 MB) is not mapped: the consent is loaded along with every API call on its
    // referral, and no screen or call reads the scan back. RecordConsent writes it with SQL, retention erases it with SQL.
    public string RecordedBy { get; set; } = "";
    public DateTimeOffset RecordedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }
}

public sealed class HistoryEntry
{
    public long Id { get; set; }
    public Guid ReferralId { get; set; }
    public DateTimeOffset At { get; set; }
    public string? FromStatus { get; set; }
    public string ToStatus { get; set; } = "";
    public string Event { get; set; } = "";
    public string ByUser { get; set; } = "";
    public string ByRole { get; set; } = "";
    public string? Detail { get; set; }
}

public sealed class Feedback
{
    public Guid Id { get; set; }
    public Guid ReferralId { get; set; }
    public string Kind { get; set; } = "";
    public string? ReasonCode { get; set; }
    public bool? Attended { get; set; }
    public DateTimeOffset? AppointmentAt { get; set; }
    public Guid? ProposedServiceId { get; set; }
    public string? Note { get; set; }
    public string ByUser { get; set; } = "";
    public DateTimeOffset At { get; set; }
}

public sealed class InboxItem
{
    public Guid Id { get; set; }
    public Guid ReferralId { get; set; }
    public Guid SourceMessageId { get; set; }
    public string Kind { get; set; } = "";
    public string Title { get; set; } = "";
    public string? RecipientUserId { get; set; }
    public string? RecipientTeam { get; set; }
    public string? RecipientRole { get; set; }
    public string CaseManagerId { get; set; } = "";
    public Guid? FeedbackId { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ReadAt { get; set; }
}
