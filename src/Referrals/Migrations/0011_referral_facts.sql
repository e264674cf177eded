-- One row per sent referral (entered-in-error ones excluded) with what the figures count: where it went, how far it got,
-- why it stopped, how fast the partner answered. No case reference, no names, no free text: it survives retention as it
-- is, and over a million referrals the figures read this narrow table instead of joining history and feedback per row.
-- Kept consistent by referrals.refresh_referral_facts, which every lifecycle write calls in its own transaction.
CREATE TABLE referrals.referral_facts (
    referral_id uuid PRIMARY KEY,
    sent_at timestamptz NOT NULL,
    sent_month date NOT NULL,                 -- first day of the month of sending, Europe/Berlin
    organization_id uuid NOT NULL,
    service_id uuid NOT NULL,
    category text NOT NULL,                   -- the route's partner kind
    district text NOT NULL,                   -- of the service's first location, '' when unknown
    target_group text NOT NULL,               -- the service's first target group (catalogue term name), '' when none
    team text NOT NULL,
    case_manager_id text NOT NULL,            -- scope only (a Fallmanager sees their own); never shown
    status text NOT NULL,
    stage smallint NOT NULL,                  -- furthest step: 1 sent, 2 accepted, 3 attended, 4 completed
    drop_reason text,                         -- why it ended before completion: declined:<code> | failed:<code> | cancelled…; NULL while open or completed
    waitlisted boolean NOT NULL,
    response_hours real,                      -- sending → the partner's first answer
    appointment_hours real,                   -- sending → the first appointment
    response_class text NOT NULL              -- before-deadline | late | after-reminder | after-escalation | never | pending
);
CREATE INDEX referral_facts_sent ON referrals.referral_facts (sent_at);
CREATE INDEX referral_facts_org ON referrals.referral_facts (organization_id, sent_at);
CREATE INDEX referral_facts_cm ON referrals.referral_facts (case_manager_id, sent_at);

-- Event and state names are the machine's constants (ReferralStateMachine.EventNames / ReferralStatus); a test in
-- FiguresTests reads this text to hold them together. The body reads workflows.deadlines, whose migrations run after
-- this module's on a new database: the body is checked when it first runs, not here.
SET LOCAL check_function_bodies = off;
-- PL/pgSQL, not SQL: a SQL function with two statements is planned again on every call, and every lifecycle write calls
-- this one; PL/pgSQL keeps its plans for the session. Measured with deploy/bench.sh referrals: PostgreSQL's CPU per
-- lifecycle 8.4 ms before the facts, 17.6 ms with the SQL function, 14.5 ms with this one.
CREATE OR REPLACE FUNCTION referrals.refresh_referral_facts(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM referrals.referral_facts f
    WHERE f.referral_id = ANY (ids)
      AND NOT EXISTS (SELECT 1 FROM referrals.referrals r
                      WHERE r.id = f.referral_id AND r.sent_at IS NOT NULL AND r.status <> 'entered-in-error');

    INSERT INTO referrals.referral_facts AS t (referral_id, sent_at, sent_month, organization_id, service_id, category, district,
        target_group, team, case_manager_id, status, stage, drop_reason, waitlisted, response_hours, appointment_hours, response_class)
    SELECT r.id, r.sent_at, date_trunc('month', r.sent_at AT TIME ZONE 'Europe/Berlin')::date, r.organization_id, r.service_id,
           r.route_category,
           -- the catalogue's place and target group of the service, read once, when the referral is first counted
           CASE WHEN old.referral_id IS NOT NULL THEN old.district ELSE coalesce((
               SELECT l.district FROM directory.service_at_location sal JOIN directory.location l ON l.id = sal.location_id
               WHERE sal.service_id = r.service_id AND l.district IS NOT NULL ORDER BY sal.sort_order, sal.id LIMIT 1), '') END,
           CASE WHEN old.referral_id IS NOT NULL THEN old.target_group ELSE coalesce((
               SELECT tt.name FROM directory.service_taxonomy_term stt
               JOIN directory.taxonomy_term tt ON tt.id = stt.taxonomy_term_id
               JOIN directory.taxonomy tx ON tx.id = tt.taxonomy_id AND tx.code = 'zielgruppe'
               WHERE stt.service_id = r.service_id ORDER BY tt.code LIMIT 1), '') END,
           coalesce(r.team, ''), r.case_manager_id, r.status,
           CASE WHEN r.status = 'completed' THEN 4 WHEN h.attended THEN 3 WHEN h.accepted THEN 2 ELSE 1 END,
           CASE r.status
               WHEN 'rejected' THEN 'declined:' || coalesce(h.decline_reason, 'unknown')
               WHEN 'failed' THEN 'failed:' || coalesce(h.close_reason, 'unknown')
               WHEN 'cancelled' THEN CASE WHEN h.first_response IS NULL THEN 'cancelled-before-answer' ELSE 'cancelled' END
           END,
           h.waitlisted,
           extract(epoch FROM h.first_response - r.sent_at) / 3600.0,
           extract(epoch FROM h.first_appointment - r.sent_at) / 3600.0,
           CASE
               WHEN h.first_response IS NULL THEN CASE WHEN r.status IN ('requested') THEN 'pending' ELSE 'never' END
               WHEN d.escalated_at <= h.first_response THEN 'after-escalation'
               WHEN d.reminded_at <= h.first_response THEN 'after-reminder'
               WHEN d.due_at IS NULL OR h.first_response <= d.due_at THEN 'before-deadline'
               ELSE 'late'
           END
    FROM referrals.referrals r
    LEFT JOIN referrals.referral_facts old ON old.referral_id = r.id
    CROSS JOIN LATERAL (
        SELECT min(x.at) FILTER (WHERE x.event IN ('PartnerAccepted', 'PartnerDeclined', 'PartnerWaitlisted', 'PartnerProposedForwarding')) AS first_response,
               bool_or(x.event = 'PartnerAccepted') IS TRUE AS accepted,
               bool_or(x.event = 'PartnerWaitlisted') IS TRUE AS waitlisted,
               (SELECT x2.detail FROM referrals.history x2 WHERE x2.referral_id = r.id AND x2.event = 'Closed' ORDER BY x2.id DESC LIMIT 1) AS close_reason,
               (SELECT f.reason_code FROM referrals.feedback f WHERE f.referral_id = r.id AND f.kind = 'declined' ORDER BY f.at DESC LIMIT 1) AS decline_reason,
               (SELECT bool_or(f.attended) FROM referrals.feedback f WHERE f.referral_id = r.id AND f.kind = 'attendance') IS TRUE AS attended,
               coalesce((SELECT min(f.appointment_at) FROM referrals.feedback f WHERE f.referral_id = r.id AND f.appointment_at IS NOT NULL),
                        r.appointment_at) AS first_appointment
        FROM referrals.history x WHERE x.referral_id = r.id) h
    CROSS JOIN LATERAL (
        SELECT min(dl.due_at) FILTER (WHERE dl.kind = 'partner-response') AS due_at,
               min(dl.fired_at) FILTER (WHERE dl.kind = 'reminder') AS reminded_at,
               min(dl.fired_at) FILTER (WHERE dl.kind = 'escalation') AS escalated_at
        FROM workflows.deadlines dl WHERE dl.owner = 'referrals' AND dl.subject_id = r.id) d
    WHERE r.id = ANY (ids) AND r.sent_at IS NOT NULL AND r.status <> 'entered-in-error'
    ON CONFLICT (referral_id) DO UPDATE SET
        status = EXCLUDED.status, stage = EXCLUDED.stage, drop_reason = EXCLUDED.drop_reason, waitlisted = EXCLUDED.waitlisted,
        response_hours = EXCLUDED.response_hours, appointment_hours = EXCLUDED.appointment_hours,
        response_class = EXCLUDED.response_class, team = EXCLUDED.team, service_id = EXCLUDED.service_id,
        organization_id = EXCLUDED.organization_id;
END
$$;

-- Referrals sent before this migration (a new database has none, and no workflows schema yet).
DO $$
BEGIN
    IF to_regclass('workflows.deadlines') IS NOT NULL THEN
        PERFORM referrals.refresh_referral_facts(array(SELECT id FROM referrals.referrals WHERE sent_at IS NOT NULL));
    END IF;
END $$;
