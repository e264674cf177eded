-- Partner prompt texts as templates (issue 16): one row per prompt kind and version, written by the Netzwerkkoordination
-- on /wege/e-mail-texte. A version is never changed; every save adds one, and each queued prompt records the version it
-- was written from. Placeholders are only {Partner}, {Referenz}, {Angebot}, {Link} and {GueltigBis} (checked by
-- PromptTemplates.Validate before a row is written): no placeholder can carry client data into a mail.
CREATE TABLE referrals.prompt_templates (
    kind text NOT NULL,
    version int NOT NULL CHECK (version > 0),
    subject text NOT NULL,
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by text NOT NULL,
    PRIMARY KEY (kind, version)
);

CREATE FUNCTION referrals.prompt_templates_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'prompt template versions are immutable; add a new version instead';
END $$;
CREATE TRIGGER prompt_templates_immutable BEFORE UPDATE OR DELETE ON referrals.prompt_templates
    FOR EACH ROW EXECUTE FUNCTION referrals.prompt_templates_immutable();

ALTER TABLE referrals.partner_prompts ADD COLUMN template_version int;

-- Version 1: the wording the prompts had before they became editable (plus the new progress request).
INSERT INTO referrals.prompt_templates (kind, version, subject, body, created_by) VALUES
('prompt-reminder', 1, 'Erinnerung: Verweisung {Referenz} wartet auf Ihre Antwort', $t$Guten Tag,

das Jobcenter hat {Partner} über Netzwerk eine Verweisung für das Angebot „{Angebot}“ geschickt
(Referenz {Referenz}). Bitte nehmen Sie sie an oder lehnen Sie sie ab – die Antwortfrist läuft bald ab:
{Link}

Der Link gilt nur für diese eine Verweisung und bis {GueltigBis} – bitte leiten Sie ihn nicht weiter.

Mit freundlichen Grüßen
Ihr Jobcenter – Netzwerk$t$, 'system'),
('prompt-overdue', 1, 'Antwortfrist abgelaufen: Verweisung {Referenz}', $t$Guten Tag,

die Antwortfrist für die Verweisung {Referenz} (Angebot „{Angebot}“) an {Partner} ist abgelaufen.
Bitte antworten Sie jetzt – ein Klick genügt, auch wenn Sie die Verweisung nicht übernehmen können:
{Link}

Der Link gilt nur für diese eine Verweisung und bis {GueltigBis} – bitte leiten Sie ihn nicht weiter.

Mit freundlichen Grüßen
Ihr Jobcenter – Netzwerk$t$, 'system'),
('prompt-attendance', 1, 'Bitte Teilnahme zurückmelden: Verweisung {Referenz}', $t$Guten Tag,

für die Verweisung {Referenz} (Angebot „{Angebot}“) bei {Partner} war ein Termin vereinbart.
Bitte melden Sie zurück, ob der Termin wahrgenommen wurde:

Termin wahrgenommen:
{Link}?antwort=wahrgenommen

Termin nicht wahrgenommen:
{Link}?antwort=nicht-wahrgenommen

Sie bestätigen Ihre Antwort auf der folgenden Seite. Der Link gilt nur für diese eine Verweisung und bis {GueltigBis} – bitte leiten Sie ihn nicht weiter.

Mit freundlichen Grüßen
Ihr Jobcenter – Netzwerk$t$, 'system'),
('prompt-progress', 1, 'Bitte kurzen Zwischenstand melden: Verweisung {Referenz}', $t$Guten Tag,

für die Verweisung {Referenz} (Angebot „{Angebot}“) bei {Partner} bitten wir um einen kurzen Zwischenstand:
Wie läuft es – oder ist die Unterstützung schon beendet? Ein paar Worte genügen:
{Link}

Der Link gilt nur für diese eine Verweisung und bis {GueltigBis} – bitte leiten Sie ihn nicht weiter.

Mit freundlichen Grüßen
Ihr Jobcenter – Netzwerk$t$, 'system'),
('prompt-end', 1, 'Verweisung {Referenz} ist beendet', $t$Guten Tag,

die Verweisung {Referenz} (Angebot „{Angebot}“) an {Partner} ist beendet.
Die Daten stehen nicht mehr zur Verfügung; bisher versandte Links funktionieren nicht mehr.
Sie müssen nichts weiter tun.

Mit freundlichen Grüßen
Ihr Jobcenter – Netzwerk$t$, 'system');
