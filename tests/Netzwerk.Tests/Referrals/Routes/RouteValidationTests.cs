using System.Text.Json;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals;
using Netzwerk.Referrals.Routes;
using Shouldly;
using Xunit;

namespace Netzwerk.Tests.Referrals.Routes;

/// <summary>Every rule of <see cref="RouteValidation"/>, as pure logic: one valid definition, then one mistake at a time.</summary>
public sealed class RouteValidationTests
{
    private static readonly ConsentStep Consent = new([DataCategories.Contact, DataCategories.Reason], FeedbackLevels.Full);
    private static readonly ResponseStep Response = new(5, [3], 10, Roles.TeamLead);

    private static Dictionary<string, string[]> Check(params RouteStep?[] steps) => RouteValidation.Validate("schuldnerberatung", "Weg", null, steps);

    private static string Only(Dictionary<string, string[]> errors, string field)
    {
        errors.Keys.ToArray().ShouldBe([field], $"errors: {string.Join(" | ", errors.Select(e => e.Key + ": " + string.Join(" ", e.Value)))}");
        return errors[field].ShouldHaveSingleItem();
    }

    [Fact]
    public void A_complete_definition_with_every_step_passes()
    {
        Check(Consent, new ApprovalStep(), new IntakeStep([new IntakeQuestion("schulden-hoehe", "Wie hoch sind die Schulden?", true, DataCategories.Reason)]),
            Response, new AppointmentStep(10), new AttendanceStep(2), new ProgressStep(2), new GoalReviewStep(6), new CloseProposalStep(40), new ForwardingStep())
            .ShouldBeEmpty();
    }

    [Fact]
    public void The_default_routes_pass() =>
        DefaultRoutes.All(DateTimeOffset.UnixEpoch).ShouldAllBe(r => RouteValidation.Validate(r.PartnerKind, r.Name, null, r.Steps.ToList(), null).Count == 0);

    [Fact]
    public void A_definition_without_consent_cannot_finish() =>
        Only(Check(Response), "steps").ShouldContain("Es fehlt der Schritt „Einwilligung“");

    [Fact]
    public void A_definition_without_response_cannot_finish() =>
        Only(Check(Consent), "steps").ShouldContain("Es fehlt der Schritt „Antwortfrist“");

    [Fact]
    public void An_empty_definition_is_refused() =>
        Only(Check(), "steps").ShouldContain("mindestens");

    [Fact]
    public void Escalation_before_the_response_deadline_is_refused_naming_the_step() =>
        Only(Check(Consent, new ApprovalStep(), Response with { EscalationWorkingDays = 4 }), "steps[2].escalationWorkingDays")
            .ShouldBe("Schritt 3 (Antwortfrist): Die Eskalation kann nicht vor der Antwortfrist liegen.");

    [Theory]
    [InlineData(5)]
    [InlineData(7)]
    public void A_reminder_on_or_after_the_response_deadline_is_refused(int day) =>
        Only(Check(Consent, Response with { ReminderWorkingDays = [2, day] }), "steps[1].reminderWorkingDays").ShouldStartWith("Schritt 2 (Antwortfrist): Eine Erinnerung muss vor der Antwortfrist");

    [Theory]
    [InlineData(0, 10, "responseWorkingDays")]
    [InlineData(61, 61, "responseWorkingDays")]
    [InlineData(5, 91, "escalationWorkingDays")]
    public void Response_parameters_out_of_range_are_refused(int response, int escalation, string field) =>
        Only(Check(Consent, new ResponseStep(response, [], escalation, Roles.TeamLead)), $"steps[1].{field}").ShouldContain("zwischen");

    [Fact]
    public void An_unknown_escalation_target_is_refused() =>
        Only(Check(Consent, Response with { EscalationTarget = Roles.CaseManager }), "steps[1].escalationTarget").ShouldContain("Teamleitung");

    [Fact]
    public void Duplicate_reminders_are_refused() =>
        Only(Check(Consent, Response with { ReminderWorkingDays = [2, 2] }), "steps[1].reminderWorkingDays").ShouldContain("nur einmal");

    [Fact]
    public void A_step_twice_is_refused_naming_both_positions() =>
        Only(Check(Consent, Response, new AttendanceStep(2), new AttendanceStep(3)), "steps[3].kind")
            .ShouldBe("Schritt 4 (Teilnahmebestätigung): Diese Schrittart kommt schon als Schritt 3 vor; jeder Schritt darf nur einmal vorkommen.");

    [Theory]
    [InlineData(FeedbackLevels.Attendance)]
    [InlineData(FeedbackLevels.Outcome)]
    public void Progress_reports_need_feedback_level_full(string level) =>
        Only(Check(Consent with { DefaultFeedbackLevel = level }, Response, new ProgressStep(2)), "steps[2].kind").ShouldContain("Teilnahme, Verlauf und Ergebnis");

    [Theory]
    [InlineData(0)]
    [InlineData(27)]
    public void Progress_interval_out_of_range_is_refused(int weeks) =>
        Only(Check(Consent, Response, new ProgressStep(weeks)), "steps[2].everyWeeks").ShouldContain("1 bis 26 Wochen");

    [Fact]
    public void An_intake_question_outside_the_consent_is_refused() =>
        Only(Check(Consent, new IntakeStep([new IntakeQuestion("sucht", "Besteht eine Suchterkrankung?", false, DataCategories.HealthAddiction)]), Response),
            "steps[1].questions[0].category").ShouldContain("verlangt die Kategorie „Gesundheits- und Suchtinformationen (Art. 9 DSGVO)“ nicht");

    [Fact]
    public void Intake_questions_are_limited_checked_and_unique()
    {
        var eleven = Enumerable.Range(1, 11).Select(i => new IntakeQuestion($"frage-{i}", "Frage?", false, DataCategories.Contact)).ToArray();
        Only(Check(Consent, new IntakeStep(eleven), Response), "steps[1].questions").ShouldContain("Höchstens 10 Fragen");
        Only(Check(Consent, new IntakeStep([new("a", "x", false, DataCategories.Contact), new("a", "y", false, DataCategories.Contact)]), Response),
            "steps[1].questions[1].id").ShouldContain("doppelt");
        Only(Check(Consent, new IntakeStep([new("Mit Leerzeichen", "x", false, DataCategories.Contact)]), Response), "steps[1].questions[0].id").ShouldContain("Kennung");
        Only(Check(Consent, new IntakeStep([new("a", new string('x', 301), false, DataCategories.Contact)]), Response), "steps[1].questions[0].text").ShouldContain("300");
        Only(Check(Consent, new IntakeStep([]), Response), "steps[1].questions").ShouldContain("mindestens eine Frage");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Goal_review_beyond_six_months_is_refused(int months) =>
        Only(Check(Consent, Response, new GoalReviewStep(months)), "steps[2].everyMonths").ShouldContain("mindestens alle sechs Monate");

    [Theory]
    [InlineData(0)]
    [InlineData(61)]
    public void Appointment_window_out_of_range_is_refused(int days) =>
        Only(Check(Consent, Response, new AppointmentStep(days)), "steps[2].withinWorkingDays").ShouldContain("zwischen 1 und 60");

    [Theory]
    [InlineData(0)]
    [InlineData(21)]
    public void Attendance_window_out_of_range_is_refused(int days) =>
        Only(Check(Consent, Response, new AttendanceStep(days)), "steps[2].workingDaysAfterAppointment").ShouldContain("zwischen 1 und 20");

    [Theory]
    [InlineData(4)]
    [InlineData(121)]
    public void Close_proposal_out_of_range_is_refused(int days) =>
        Only(Check(Consent, Response, new CloseProposalStep(days)), "steps[2].afterWorkingDaysWithoutNews").ShouldContain("5 bis 120");

    [Fact]
    public void Proposing_to_close_before_the_escalation_contradicts_the_response_step() =>
        Only(Check(Consent, Response, new CloseProposalStep(10)), "steps[2].afterWorkingDaysWithoutNews").ShouldContain("nach der Eskalation (10 Arbeitstage)");

    [Fact]
    public void Proposing_to_close_before_the_appointment_is_due_is_refused() =>
        Only(Check(Consent, Response, new AppointmentStep(30), new CloseProposalStep(20)), "steps[3].afterWorkingDaysWithoutNews").ShouldContain("Terminfrist");

    [Fact]
    public void Proposing_to_close_before_the_first_progress_report_is_refused() =>
        Only(Check(Consent, Response, new ProgressStep(4), new CloseProposalStep(15)), "steps[3].afterWorkingDaysWithoutNews").ShouldContain("Fortschrittsbericht");

    [Fact]
    public void Consent_needs_known_categories_and_feedback_level()
    {
        Only(Check(new ConsentStep(["adresse"], FeedbackLevels.Full), Response), "steps[0].requiredCategories").ShouldContain("Unbekannte Datenkategorie");
        Only(Check(new ConsentStep([DataCategories.Contact], "alles"), Response), "steps[0].defaultFeedbackLevel").ShouldContain("Rückmeldestufe");
    }

    [Fact]
    public void Name_kind_and_scope_are_checked()
    {
        Only(RouteValidation.Validate("Schulden Beratung", "Weg", null, [Consent, Response]), "categoryCode").ShouldContain("Kleinbuchstaben");
        Only(RouteValidation.Validate("schuldnerberatung", " ", null, [Consent, Response]), "name").ShouldContain("Namen");
        Only(RouteValidation.Validate("schuldnerberatung", "Weg", new RouteScope(Guid.NewGuid(), Guid.NewGuid()), [Consent, Response]), "scope")
            .ShouldContain("entweder");
    }

    [Fact]
    public void Unreadable_and_unknown_steps_are_named_and_hide_no_other_mistake()
    {
        var errors = new Dictionary<string, string[]>();
        var raw = JsonSerializer.Deserialize<JsonElement[]>("""
            [{"kind":"consent","requiredCategories":["contact-data"],"defaultFeedbackLevel":"outcome"},
             {"kind":"teleport"},
             {"responseWorkingDays":5,"kind":"response","reminderWorkingDays":[3],"escalationWorkingDays":2,"escalationTarget":"Teamleitung"},
             {"kind":"attendance","workingDaysAfterAppointment":"zwei"}]
            """)!;
        var steps = RouteValidation.Parse(raw, errors);
        steps.Count.ShouldBe(4);
        steps[0].ShouldBeOfType<ConsentStep>();
        steps[2].ShouldBeOfType<ResponseStep>().ResponseWorkingDays.ShouldBe(5); // "kind" need not come first
        var all = RouteValidation.Validate("schuldnerberatung", "Weg", null, steps, errors);
        all.Keys.Order().ShouldBe(["steps[1].kind", "steps[2].escalationWorkingDays", "steps[3]"]);
        all["steps[1].kind"].Single().ShouldStartWith("Schritt 2: Unbekannte Schrittart „teleport“");
        all["steps[3]"].Single().ShouldStartWith("Schritt 4 (Teilnahmebestätigung):");
    }

    [Fact]
    public void Steps_round_trip_through_their_stored_json_with_the_kind_discriminator()
    {
        RouteStep[] steps = [Consent, new ApprovalStep(), Response, new GoalReviewStep(3), new ForwardingStep()];
        var json = RouteStepJson.Write(steps);
        json.ShouldContain("\"kind\":\"goal-review\"");
        json.ShouldContain("\"escalationTarget\":\"Teamleitung\"");
        var back = RouteStepJson.Read(json);
        back.Select(s => s.Kind).ShouldBe([StepKinds.Consent, StepKinds.Approval, StepKinds.Response, StepKinds.GoalReview, StepKinds.Forwarding]);
        back[2].ShouldBeOfType<ResponseStep>().ReminderWorkingDays.ShouldBe([3]);
    }
}
