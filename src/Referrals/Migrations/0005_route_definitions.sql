-- Routes become versioned definitions composed of steps (src/Referrals/Routes/RouteSteps.cs), optionally narrowed to one
-- organisation, service or district. category_code keeps its name and now holds the route key: the partner kind for an
-- unscoped route (as before), kind plus scope for a scoped one (RouteKeys). Existing versions are converted, not re-created:
-- running referrals keep (route_category, route_version).
ALTER TABLE referrals.routes
    ADD COLUMN partner_kind text,
    ADD COLUMN organization_id uuid,
    ADD COLUMN service_id uuid,
    ADD COLUMN district text,
    ADD COLUMN steps jsonb,
    ADD COLUMN first_used_at timestamptz;

-- Attendance feedback two working days after the appointment was a constant of the state machine before it was a step.
UPDATE referrals.routes SET
    partner_kind = category_code,
    steps = jsonb_build_array(
                jsonb_build_object('kind', 'consent', 'requiredCategories', to_jsonb(required_categories),
                                   'defaultFeedbackLevel', default_feedback_level),
                jsonb_build_object('kind', 'response', 'responseWorkingDays', response_working_days,
                                   'reminderWorkingDays', to_jsonb(reminder_working_days),
                                   'escalationWorkingDays', escalation_working_days, 'escalationTarget', escalation_target),
                jsonb_build_object('kind', 'attendance', 'workingDaysAfterAppointment', 2))
            || CASE WHEN forwarding_allowed THEN jsonb_build_array(jsonb_build_object('kind', 'forwarding')) ELSE '[]'::jsonb END;

UPDATE referrals.routes r SET first_used_at = u.first_at
FROM (SELECT route_category, route_version, min(created_at) AS first_at FROM referrals.referrals GROUP BY 1, 2) u
WHERE u.route_category = r.category_code AND u.route_version = r.version;

ALTER TABLE referrals.routes
    ALTER COLUMN partner_kind SET NOT NULL,
    ALTER COLUMN steps SET NOT NULL,
    DROP COLUMN required_categories,
    DROP COLUMN response_working_days,
    DROP COLUMN reminder_working_days,
    DROP COLUMN escalation_working_days,
    DROP COLUMN escalation_target,
    DROP COLUMN default_feedback_level,
    DROP COLUMN forwarding_allowed,
    ADD CONSTRAINT routes_steps_array CHECK (jsonb_typeof(steps) = 'array'),
    ADD CONSTRAINT routes_one_scope CHECK (num_nonnulls(organization_id, service_id, district) <= 1);

-- Choosing the route of a new referral reads by partner kind.
CREATE INDEX routes_partner_kind ON referrals.routes (partner_kind);

-- A version is never changed: a running referral must be able to rely on the version it keeps. Only first_used_at may
-- be set, once.
CREATE FUNCTION referrals.routes_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'route versions are immutable (%/%)', OLD.category_code, OLD.version USING ERRCODE = 'restrict_violation';
    END IF;
    IF (to_jsonb(NEW) - 'first_used_at') IS DISTINCT FROM (to_jsonb(OLD) - 'first_used_at')
       OR (OLD.first_used_at IS NOT NULL AND NEW.first_used_at IS DISTINCT FROM OLD.first_used_at) THEN
        RAISE EXCEPTION 'route versions are immutable (%/%)', OLD.category_code, OLD.version USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER routes_immutable BEFORE UPDATE OR DELETE ON referrals.routes
    FOR EACH ROW EXECUTE FUNCTION referrals.routes_immutable();
