using Netzwerk.Platform.Mail;
using Netzwerk.Platform.Time;

namespace Netzwerk.Referrals.PartnerLinks;

/// <summary>
/// The e-mail with the access link. It names only the partner organisation, a neutral reference and the
/// link: no client data, no case reference, no service details.
/// </summary>
public static class AccessLinkMail
{
    public const string Kind = "partner-access-link";

    public static OutgoingMail Compose(string to, string organizationName, string reference, string link, DateTimeOffset expiresAt)
        => new(Kind, to, $"Neue Verweisung über Netzwerk (Referenz {reference})", $"""
            Guten Tag,

            das Jobcenter hat {organizationName} über Netzwerk eine neue Verweisung geschickt (Referenz {reference}).

            Bitte öffnen Sie die Verweisung über diesen persönlichen Link, um sie anzunehmen oder abzulehnen:
            {link}

            Der Link gilt nur für diese eine Verweisung und bis {TimeZoneInfo.ConvertTime(expiresAt, GermanTime.Berlin):dd.MM.yyyy HH:mm} Uhr.
            Bitte leiten Sie ihn nicht weiter. Wenn Sie diese Nachricht nicht erwartet haben, können Sie sie löschen.

            Mit freundlichen Grüßen
            Ihr Jobcenter – Netzwerk
            """);
}
