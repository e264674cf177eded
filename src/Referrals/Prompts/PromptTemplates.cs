using System.Globalization;
using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Lifecycle;
using Npgsql;

namespace Netzwerk.Referrals.Prompts;

/// <summary>One saved version of a prompt's text (<c>referrals.prompt_templates</c>); versions are never changed.</summary>
public sealed record PromptTemplate(string Kind, int Version, string Subject, string Body, DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>What a template may be filled with: the partner, the neutral reference, the service, the link and its expiry.</summary>
public sealed record PromptValues(string Partner, string Reference, string Service, string? Link, DateTimeOffset LinkExpiresAt);

/// <summary>
/// The partner prompts' texts as templates the Netzwerkkoordination edits (/wege/e-mail-texte, /api/prompt-templates).
/// The only placeholders are the five of <see cref="Placeholders"/>: a template naming anything else — {Name}, {Geburtsdatum},
/// {Aktenzeichen}, a typo — is refused before it is stored, so no saved text can pull client data into a mail.
/// </summary>
public static partial class PromptTemplates
{
    public const string Partner = "Partner";
    public const string Reference = "Referenz";
    public const string Service = "Angebot";
    public const string Link = "Link";
    public const string ValidUntil = "GueltigBis";

    public static readonly IReadOnlyDictionary<string, string> Placeholders = new Dictionary<string, string>
    {
        [Partner] = "Name des Partners (Träger)",
        [Reference] = "neutrale Referenz der Verweisung (z. B. NZ-AB12-CD34)",
        [Service] = "Name des Angebots",
        [Link] = "persönlicher Link nur für diese Antwort",
        [ValidUntil] = "Datum, bis zu dem der Link gilt",
    };

    /// <summary>The prompt kinds with a template, in the order a referral meets them, with their German names.</summary>
    public static readonly IReadOnlyList<(string Kind, string Name)> Kinds =
    [
        (PromptKinds.Reminder, "Erinnerung vor Ablauf der Antwortfrist"),
        (PromptKinds.Overdue, "Antwortfrist abgelaufen"),
        (PromptKinds.Attendance, "Bitte Teilnahme zurückmelden"),
        (PromptKinds.Progress, "Bitte kurzen Zwischenstand melden"),
        (PromptKinds.EndNotice, "Verweisung beendet"),
    ];

    public static string? NameOf(string kind) => Kinds.FirstOrDefault(k => k.Kind == kind).Name;

    /// <summary>Sample values for the preview: made up, never a real referral.</summary>
    public static PromptValues Sample(DateTimeOffset now) => new("Beispiel-Träger e. V.", "NZ-MUST-ER12", "Beispielangebot",
        "https://netzwerk.example/zugang/BEISPIEL-LINK", now.AddDays(14));

    public const int MaxSubject = 200;
    public const int MaxBody = 5000;

    [GeneratedRegex(@"\{([^{}\r\n]{0,60})\}")]
    private static partial Regex PlaceholderPattern();

    /// <summary>
    /// Checks a template; throws a 422 <see cref="ReferralProblem"/> naming each refused or malformed placeholder. The end
    /// notice carries no link (the partner has just lost access), so {Link} and {GueltigBis} are refused there; every other
    /// prompt must carry {Link}, or the partner could not answer.
    /// </summary>
    public static (string Subject, string Body) Validate(string kind, string? subject, string? body)
    {
        var errors = new Dictionary<string, string[]>();
        void Add(string field, string message) => errors[field] = errors.TryGetValue(field, out var l) ? [.. l, message] : [message];
        var hasLink = kind != PromptKinds.EndNotice;
        subject = subject?.Trim() ?? "";
        body = (body ?? "").Replace("\r\n", "\n").Trim();

        if (subject.Length == 0) Add("subject", "Bitte geben Sie einen Betreff ein.");
        else if (subject.Length > MaxSubject) Add("subject", $"Der Betreff darf höchstens {MaxSubject} Zeichen lang sein.");
        else if (subject.Contains('\n')) Add("subject", "Der Betreff muss in eine Zeile passen.");
        if (body.Length == 0) Add("body", "Bitte geben Sie den Text der E-Mail ein.");
        else if (body.Length > MaxBody) Add("body", $"Der Text darf höchstens {MaxBody} Zeichen lang sein.");

        foreach (var (field, text, label) in new[] { ("subject", subject, "Betreff"), ("body", body, "Text") })
        {
            foreach (Match m in PlaceholderPattern().Matches(text))
            {
                var name = m.Groups[1].Value;
                if (!Placeholders.ContainsKey(name))
                    Add(field, $"{label}: Der Platzhalter „{m.Value}“ ist nicht erlaubt. E-Mails an Partner enthalten keine Daten der Kundin oder "
                               + $"des Kunden; erlaubt sind nur {AllowedList}.");
                else if (!hasLink && name is Link or ValidUntil)
                    Add(field, $"{label}: Der Platzhalter „{m.Value}“ ist in dieser Mitteilung nicht verfügbar – sie enthält keinen Link.");
                else if (field == "subject" && name is Link)
                    Add(field, $"{label}: Der Platzhalter „{m.Value}“ gehört in den Text, nicht in den Betreff.");
            }
            // What is left after the well-formed placeholders: a lone brace is a placeholder typed wrong.
            var rest = PlaceholderPattern().Replace(text, "");
            var stray = rest.IndexOfAny(['{', '}']);
            if (stray >= 0)
                Add(field, $"{label}: Der Platzhalter „{Excerpt(rest, stray)}“ ist fehlerhaft – jeder Platzhalter steht in geschweiften Klammern, "
                           + $"z. B. {{{Partner}}}.");
        }
        if (hasLink && body.Length > 0 && !body.Contains("{" + Link + "}"))
            Add("body", "Text: Der Platzhalter „{Link}“ fehlt – ohne Link kann der Partner nicht antworten.");

        if (errors.Count > 0)
            throw ReferralProblem.Unprocessable(string.Join(" ", errors.Values.SelectMany(v => v)), errors);
        return (subject, body);
    }

    private static string AllowedList => string.Join(", ", Placeholders.Keys.SkipLast(1).Select(k => "{" + k + "}")) + " und {" + Placeholders.Keys.Last() + "}";

    private static string Excerpt(string text, int at)
    {
        var start = Math.Max(0, at - 10);
        var end = Math.Min(text.Length, at + 15);
        return text[start..end].ReplaceLineEndings(" ").Trim();
    }

    /// <summary>The template filled in: only the five values can get into the text.</summary>
    /// <summary>An unsaved text checked (<see cref="Validate"/>) and rendered with the sample values: the page's and the API's preview.</summary>
    public static (string Subject, string Body) Preview(string kind, string? subject, string? body, DateTimeOffset now)
    {
        var (cleanSubject, cleanBody) = Validate(kind, subject, body);
        return Render(new PromptTemplate(kind, 0, cleanSubject, cleanBody, now, ""), Sample(now));
    }

    public static (string Subject, string Body) Render(PromptTemplate template, PromptValues values)
    {
        var until = TimeZoneInfo.ConvertTime(values.LinkExpiresAt, GermanTime.Berlin).ToString("dd.MM.yyyy", CultureInfo.InvariantCulture);
        string Fill(string text) => PlaceholderPattern().Replace(text, m => m.Groups[1].Value switch
        {
            Partner => values.Partner,
            Reference => values.Reference,
            Service => values.Service,
            Link => values.Link ?? "",
            ValidUntil => until,
            _ => "", // not reachable for a validated template; never echo an unknown name
        });
        return (Fill(template.Subject).ReplaceLineEndings(" "), Fill(template.Body));
    }

    // ---- storage -----------------------------------------------------------------------------------

    private const string Columns = "kind, version, subject, body, created_at, created_by";

    /// <summary>The newest version of a kind, read in the caller's transaction (the prompt records which one it used).</summary>
    public static async Task<PromptTemplate> CurrentAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string kind, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT {Columns} FROM referrals.prompt_templates WHERE kind = $1 ORDER BY version DESC LIMIT 1", conn, tx);
        cmd.Parameters.AddWithValue(kind);
        return (await ReadAsync(cmd, ct)).SingleOrDefault() ?? throw new InvalidOperationException($"No template for prompt kind {kind}");
    }

    public static async Task<IReadOnlyList<PromptTemplate>> HistoryAsync(NpgsqlDataSource dataSource, string kind, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM referrals.prompt_templates WHERE kind = $1 ORDER BY version DESC");
        cmd.Parameters.AddWithValue(kind);
        return await ReadAsync(cmd, ct);
    }

    public static async Task<IReadOnlyList<PromptTemplate>> AllCurrentAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT DISTINCT ON (kind) {Columns} FROM referrals.prompt_templates ORDER BY kind, version DESC");
        var all = await ReadAsync(cmd, ct);
        return Kinds.Select(k => all.FirstOrDefault(t => t.Kind == k.Kind)).OfType<PromptTemplate>().ToList();
    }

    /// <summary>Validates and adds the next version; two editors at once end in one 409 (primary key), never in an overwrite.</summary>
    public static async Task<PromptTemplate> AddAsync(NpgsqlDataSource dataSource, string kind, string? subject, string? body, string by, CancellationToken ct)
    {
        if (NameOf(kind) is null) throw new ReferralProblem(404, "Diese Art von E-Mail gibt es nicht.");
        var clean = Validate(kind, subject, body);
        await using var cmd = dataSource.CreateCommand($"""
            INSERT INTO referrals.prompt_templates (kind, version, subject, body, created_by)
            SELECT $1, coalesce(max(version), 0) + 1, $2, $3, $4 FROM referrals.prompt_templates WHERE kind = $1
            RETURNING {Columns}
            """);
        foreach (var v in new object[] { kind, clean.Subject, clean.Body, by }) cmd.Parameters.Add(new NpgsqlParameter { Value = v });
        try
        {
            return (await ReadAsync(cmd, ct)).Single();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw ReferralProblem.Conflict("Gerade hat jemand anderes eine neue Version gespeichert. Bitte laden Sie die Seite neu.");
        }
    }

    private static async Task<List<PromptTemplate>> ReadAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<PromptTemplate>();
        while (await r.ReadAsync(ct))
            list.Add(new PromptTemplate(r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4), r.GetString(5)));
        return list;
    }

    // ---- API -------------------------------------------------------------------------------------------

    public sealed record TemplateRequest(string? Subject, string? Body);
    public sealed record TemplateDto(string Kind, string Name, int Version, string Subject, string Body, DateTimeOffset CreatedAt, string CreatedBy)
    {
        public static TemplateDto From(PromptTemplate t) => new(t.Kind, NameOf(t.Kind) ?? t.Kind, t.Version, t.Subject, t.Body, t.CreatedAt, t.CreatedBy);
    }
    public sealed record PreviewDto(string Subject, string Body);

    public static void MayMaintain(ClaimsPrincipal user)
    {
        if (!user.CurrentUser().IsInRole(Roles.NetworkCoordinator, Roles.Administrator))
            throw ReferralProblem.Forbidden("Die Texte der E-Mails an Partner pflegt die Netzwerkkoordination.");
    }

    private static string KnownKind(string kind) => NameOf(kind) is null ? throw new ReferralProblem(404, "Diese Art von E-Mail gibt es nicht.") : kind;

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/prompt-templates").WithTags("E-Mail-Texte für Partner")
            .RequireAuthorization(Policies.Staff).AddEndpointFilter<ReferralProblemFilter>();
        group.MapGet("/", async (ClaimsPrincipal user, NpgsqlDataSource dataSource, CancellationToken ct) =>
            {
                MayMaintain(user);
                return Results.Ok(new
                {
                    placeholders = Placeholders.Select(p => new { name = "{" + p.Key + "}", meaning = p.Value }),
                    templates = (await AllCurrentAsync(dataSource, ct)).Select(TemplateDto.From),
                });
            })
            .WithSummary("Aktuelle Version jedes E-Mail-Textes und die erlaubten Platzhalter");
        group.MapGet("/{kind}", async (string kind, ClaimsPrincipal user, NpgsqlDataSource dataSource, CancellationToken ct) =>
            {
                MayMaintain(user);
                var history = await HistoryAsync(dataSource, KnownKind(kind), ct);
                return Results.Ok(new { current = TemplateDto.From(history[0]), versions = history.Select(TemplateDto.From) });
            })
            .WithSummary("Ein E-Mail-Text mit allen Versionen");
        group.MapPost("/{kind}/preview", (string kind, TemplateRequest request, ClaimsPrincipal user, TimeProvider clock) =>
            {
                MayMaintain(user);
                var rendered = Preview(KnownKind(kind), request.Subject, request.Body, clock.GetUtcNow());
                return Results.Ok(new PreviewDto(rendered.Subject, rendered.Body));
            })
            .WithSummary("Vorschau mit Beispielwerten (nichts wird gespeichert)");
        group.MapPut("/{kind}", async (string kind, TemplateRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource, AuditLog audit,
                CancellationToken ct) =>
            {
                MayMaintain(user);
                var added = await AddAsync(dataSource, KnownKind(kind), request.Subject, request.Body, user.CurrentUser().Id, ct);
                await audit.RecordAsync(new AuditEvent("prompt-template.add", "prompt-template", $"{kind}/{added.Version}"), ct);
                return Results.Ok(TemplateDto.From(added));
            })
            .WithSummary("Neue Version speichern (Netzwerkkoordination); die nächste E-Mail dieser Art verwendet sie");
    }
}
