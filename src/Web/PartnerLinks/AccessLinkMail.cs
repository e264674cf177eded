using System.Net;
using System.Net.Mail;
using Netzwerk.Platform.Time;

namespace Netzwerk.Web.PartnerLinks;

/// <summary>Configuration section <c>Smtp</c>.</summary>
public sealed class SmtpSettings
{
    public string Host { get; set; } = "localhost";
    public int Port { get; set; } = 25;
    public string From { get; set; } = "netzwerk@jobcenter.example";
    public bool EnableSsl { get; set; }
    public string? UserName { get; set; }
    public string? Password { get; set; }
    /// <summary>Demo/development only: write mails as .eml files into this folder instead of sending them.</summary>
    public string? PickupDirectory { get; set; }
}

/// <summary>
/// The e-mail with the access link. It names only the partner organisation, a neutral reference and the
/// link: no client data, no case reference, no service details.
/// </summary>
public sealed class AccessLinkMail(SmtpSettings smtp)
{
    public async Task SendAsync(string to, string organizationName, string reference, string link, DateTimeOffset expiresAt, CancellationToken ct)
    {
        var berlin = GermanTime.Berlin;
        using var message = new MailMessage(smtp.From, to)
        {
            Subject = $"Neue Verweisung über Netzwerk (Referenz {reference})",
            BodyEncoding = System.Text.Encoding.UTF8,
            SubjectEncoding = System.Text.Encoding.UTF8,
            Body = $"""
                Guten Tag,

                das Jobcenter hat {organizationName} über Netzwerk eine neue Verweisung geschickt (Referenz {reference}).

                Bitte öffnen Sie die Verweisung über diesen persönlichen Link, um sie anzunehmen oder abzulehnen:
                {link}

                Der Link gilt nur für diese eine Verweisung und bis {TimeZoneInfo.ConvertTime(expiresAt, berlin):dd.MM.yyyy HH:mm} Uhr.
                Bitte leiten Sie ihn nicht weiter. Wenn Sie diese Nachricht nicht erwartet haben, können Sie sie löschen.

                Mit freundlichen Grüßen
                Ihr Jobcenter – Netzwerk
                """,
        };
        using var client = new SmtpClient(smtp.Host, smtp.Port)
        {
            EnableSsl = smtp.EnableSsl,
            DeliveryMethod = SmtpDeliveryMethod.Network,
        };
        if (smtp.UserName is not null) client.Credentials = new NetworkCredential(smtp.UserName, smtp.Password);
        if (!string.IsNullOrWhiteSpace(smtp.PickupDirectory))
        {
            System.IO.Directory.CreateDirectory(smtp.PickupDirectory);
            client.DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory;
            client.PickupDirectoryLocation = Path.GetFullPath(smtp.PickupDirectory);
        }
        await client.SendMailAsync(message, ct);
    }
}
