using Netzwerk.Platform.Mail;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Lifecycle;

namespace Netzwerk.Referrals.Prompts;

/// <summary>
/// The texts of the partner prompts, in plain German. They take only the partner's name, the neutral reference, the
/// service's name and the link: there is no parameter through which a case reference, a name or free text could get in.
/// </summary>
public static class PromptMail
{
    /// <summary>The attendance mail's two answers: appended to its link, they open the matching confirmation page.</summary>
    public const string Attended = "wahrgenommen";
    public const string NotAttended = "nicht-wahrgenommen";

    public static OutgoingMail Compose(string kind, string to, string organizationName, string reference, string serviceName, string? link,
        DateTimeOffset linkExpiresAt)
    {
        var until = $"Der Link gilt nur für diese eine Verweisung und bis {TimeZoneInfo.ConvertTime(linkExpiresAt, GermanTime.Berlin):dd.MM.yyyy} – bitte leiten Sie ihn nicht weiter.";
        var (subject, text) = kind switch
        {
            PromptKinds.Reminder => ($"Erinnerung: Verweisung {reference} wartet auf Ihre Antwort", $"""
                das Jobcenter hat {organizationName} über Netzwerk eine Verweisung für das Angebot „{serviceName}“ geschickt
                (Referenz {reference}). Bitte nehmen Sie sie an oder lehnen Sie sie ab – die Antwortfrist läuft bald ab:
                {link}

                {until}
                """),
            PromptKinds.Overdue => ($"Antwortfrist abgelaufen: Verweisung {reference}", $"""
                die Antwortfrist für die Verweisung {reference} (Angebot „{serviceName}“) an {organizationName} ist abgelaufen.
                Bitte antworten Sie jetzt – ein Klick genügt, auch wenn Sie die Verweisung nicht übernehmen können:
                {link}

                {until}
                """),
            PromptKinds.Attendance => ($"Bitte Teilnahme zurückmelden: Verweisung {reference}", $"""
                für die Verweisung {reference} (Angebot „{serviceName}“) bei {organizationName} war ein Termin vereinbart.
                Bitte melden Sie zurück, ob der Termin wahrgenommen wurde:

                Termin wahrgenommen:
                {link}?antwort={Attended}

                Termin nicht wahrgenommen:
                {link}?antwort={NotAttended}

                Sie bestätigen Ihre Antwort auf der folgenden Seite. {until}
                """),
            PromptKinds.EndNotice => ($"Verweisung {reference} ist beendet", $"""
                die Verweisung {reference} (Angebot „{serviceName}“) an {organizationName} ist beendet.
                Die Daten stehen nicht mehr zur Verfügung; bisher versandte Links funktionieren nicht mehr.
                Sie müssen nichts weiter tun.
                """),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown prompt kind"),
        };
        return new OutgoingMail(kind, to, subject, $"""
            Guten Tag,

            {text}
            Mit freundlichen Grüßen
            Ihr Jobcenter – Netzwerk
            """);
    }
}
