using Netzwerk.Platform.Mail;

namespace Netzwerk.Referrals.Prompts;

/// <summary>
/// A partner prompt mail, written from its template (<see cref="PromptTemplates"/>, edited by the Netzwerkkoordination). The
/// template takes only the partner's name, the neutral reference, the service's name, the link and its expiry: there is
/// no value through which a case reference, a name or free text could get in.
/// </summary>
public static class PromptMail
{
    /// <summary>The attendance mail's two answers: appended to its link, they open the matching confirmation page.</summary>
    public const string Attended = "wahrgenommen";
    public const string NotAttended = "nicht-wahrgenommen";

    public static OutgoingMail Compose(PromptTemplate template, string to, PromptValues values)
    {
        var (subject, body) = PromptTemplates.Render(template, values);
        return new OutgoingMail(template.Kind, to, subject, body);
    }
}
