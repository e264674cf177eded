namespace Netzwerk.Platform.Audit;

/// <summary>
/// The German wording of the stored audit action codes for the audit log page. The codes stay as they are in the chain
/// (they are hashed and filtered on); only the page translates. A code without an entry is shown as it is, so a new
/// action is never hidden, merely untranslated.
/// </summary>
public static class AuditActionNames
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["access"] = "Zugriff",
        ["read"] = "gelesen",
        ["verify"] = "Protokollkette geprüft",
        ["create"] = "angelegt",
        ["delete"] = "gelöscht",
        ["issue"] = "Zugangslink ausgestellt",
        ["revoke"] = "Zugangslink widerrufen",
        ["sign-in"] = "Anmeldung",
        ["sign-out"] = "Abmeldung",
        ["retention-delete"] = "nach Aufbewahrungsfrist gelöscht",
        ["dead-letters.replay"] = "fehlgeschlagene Nachrichten erneut zugestellt",
        ["consent-text.add"] = "Text der Einwilligungserklärung angelegt",
        ["consent.declaration"] = "Einwilligungserklärung angezeigt",
        ["consent.overview"] = "Übersicht der Einwilligungen gelesen",
        ["consent.record"] = "Einwilligung erfasst",
        ["consent.revoke"] = "Widerruf der Einwilligung erfasst",
        ["consent.slip"] = "Verweisungsschein gedruckt",
        ["guardianship.record"] = "gesetzliche Vertretung erfasst",
        ["guardianship.read"] = "gesetzliche Vertretung gelesen",
        ["guardianship.end"] = "gesetzliche Vertretung beendet",
        ["referral.create"] = "Verweisung angelegt",
        ["referral.read"] = "Verweisung gelesen",
        ["referral.read.partner"] = "Verweisung vom Partner gelesen",
        ["referral.list"] = "Verweisungsliste gelesen",
        ["referral.send"] = "Verweisung gesendet",
        ["referral.approve"] = "Verweisung freigegeben",
        ["referral.refuse-approval"] = "Freigabe der Verweisung abgelehnt",
        ["referral.cancel"] = "Verweisung storniert",
        ["referral.close"] = "Verweisung abgeschlossen",
        ["referral.entered-in-error"] = "Verweisung als irrtümlich erfasst markiert",
        ["referral.feedback"] = "Rückmeldung des Partners erfasst",
        ["route.version"] = "Version eines Verweisungswegs veröffentlicht",
        ["route.migrate"] = "Verweisung auf neue Version des Verweisungswegs umgestellt",
        ["inbox.list"] = "Rückmeldungen mit Aktenzeichen angezeigt",
        ["inbox.read"] = "Rückmeldungen als gelesen markiert",
        ["inbox.notice.on"] = "E-Mail-Hinweis auf neue Rückmeldungen eingeschaltet",
        ["inbox.notice.off"] = "E-Mail-Hinweis auf neue Rückmeldungen ausgeschaltet",
        ["prompt-template.add"] = "neue Version eines E-Mail-Textes gespeichert",
        // Generic verbs read better together with their object.
        ["read:audit-trail"] = "Zugriffsprotokoll durchsucht",
        ["access:route"] = "Zugriff auf Seite oder Schnittstelle",
        ["create:absence"] = "Abwesenheit eingetragen",
        ["delete:absence"] = "Abwesenheit gelöscht",
        ["sign-in:partner-link"] = "Anmeldung über Zugangslink",
    };

    private static readonly Dictionary<string, string> Outcomes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ok"] = "erfolgreich", ["denied"] = "verweigert", ["broken"] = "Kette unterbrochen", ["failed"] = "fehlgeschlagen",
    };

    private static readonly Dictionary<string, string> ObjectTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["referral"] = "Verweisung", ["consent"] = "Einwilligung", ["consent-text"] = "Einwilligungstext", ["user"] = "Benutzer",
        ["route"] = "Seite/Schnittstelle", ["audit-trail"] = "Zugriffsprotokoll", ["absence"] = "Abwesenheit",
        ["partner-link"] = "Zugangslink", ["guardianship"] = "gesetzliche Vertretung", ["queue"] = "Warteschlange",
        ["retention-task"] = "Löschlauf", ["prompt-template"] = "E-Mail-Text",
    };

    /// <summary>"referral.read.partner" → "Verweisung vom Partner gelesen"; unknown codes come back unchanged.</summary>
    public static string Action(string code, string? objectType = null)
        => objectType is not null && Names.TryGetValue($"{code}:{objectType}", out var both) ? both : Names.GetValueOrDefault(code, code);

    public static string Outcome(string code) => Outcomes.GetValueOrDefault(code, code);

    public static string ObjectType(string code) => ObjectTypes.GetValueOrDefault(code, code);
}
